"""results.jsonl: finished work, one JSON record a line, appended as each piece of work ends.

`rote bench` (a record per cell) and batch `rote predict` (a record per trajectory) both keep
one, written by one process (`only_writer`), so that a killed run loses only the work in flight
and a rerun, after `load_records` repairs the file, does only what is missing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from rote.errors import RoteError
from rote.files import atomic_write

Record = TypeVar("Record")


def load_records(
    path: Path,
    parse: Callable[[Any], Record],
    key: Callable[[Record], str],
    *,
    what: str,
    unit: str,
    on_problem: Callable[[str], None] | None = None,
) -> dict[str, Record]:
    """Finished records by `key`, read with `parse` (which raises ValueError for a value that
    is not a `what`, e.g. "bench record") and repaired so that appending can go on.

    A last line cut short by a kill is dropped: its `unit` (e.g. "cell") reruns. A damaged line
    (not JSON, or not a record) is appended, after its line number, to results.jsonl.corrupt,
    dropped, and reported to `on_problem` in one line; its unit reruns. A key recorded twice
    (two runs racing) keeps its first record. Any change is written atomically, after the copy
    to .corrupt, so a kill at any moment loses no line.
    """
    if not path.exists():
        return {}
    *lines, cut = path.read_bytes().split(b"\n")  # cut: what follows the last newline
    records: dict[str, Record] = {}
    kept: list[bytes] = []
    damaged: list[tuple[int, bytes, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            kept.append(line)
            continue
        try:
            value = json.loads(line)
        except ValueError:  # JSONDecodeError, or UnicodeDecodeError for bytes that are not text
            damaged.append((number, line, "not JSON"))
            continue
        try:
            record = parse(value)
        except ValueError as error:
            damaged.append((number, line, f"not a {what}: {error}"))
            continue
        if key(record) not in records:
            records[key(record)] = record
            kept.append(line)
    corrupt = path.with_name(path.name + ".corrupt")
    if damaged:
        with corrupt.open("ab") as handle:
            handle.writelines(b"%d:%s\n" % (number, line) for number, line, _ in damaged)
            handle.flush()
            os.fsync(handle.fileno())
    if cut or len(kept) < len(lines):
        with atomic_write(path) as tmp:
            tmp.write_bytes(b"".join(line + b"\n" for line in kept))
    if on_problem is not None:
        for number, _, problem in damaged:
            on_problem(f"{path}:{number}: {problem}; moved to {corrupt}, its {unit} reruns")
    return records


@contextlib.contextmanager
def only_writer(lock: Path, busy: str) -> Iterator[None]:
    """Hold `lock` while a run appends to its results.jsonl, or fail with `busy`. Two runs on
    one file would both do the missing work, doubling it, and one's repair of a damaged line
    could drop the other's new ones. The kernel drops the lock when its holder dies, however
    it dies, so a killed run never leaves the file locked."""
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RoteError(busy) from None
        yield
