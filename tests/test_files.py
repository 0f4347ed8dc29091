"""`atomic_write`: the old file or the whole new one, never a mix, and no litter."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rote.errors import RoteError
from rote.files import atomic_write


def test_the_new_file_replaces_the_old_with_the_usual_permissions(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    path.write_text("old\n")
    before = os.umask(0o022)
    try:
        with atomic_write(path) as tmp:
            assert tmp.parent == tmp_path and tmp != path
            tmp.write_text("new\n")
            assert path.read_text() == "old\n"  # untouched until the block ends
    finally:
        os.umask(before)
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not mkstemp's 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["summary.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text("kept\n")

    def write_half() -> None:
        with atomic_write(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        write_half()
    assert path.read_text() == "kept\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.jsonl"]


def test_a_place_no_file_can_be_made_is_a_one_line_error(tmp_path: Path) -> None:
    """`rote report --out /proc/x.html` was a FileNotFoundError traceback after the whole run."""
    with (
        pytest.raises(RoteError, match=r"^/proc/x\.html: cannot write: No such file"),
        atomic_write("/proc/x.html"),
    ):
        pass
    with pytest.raises(RoteError, match="cannot write"), atomic_write(tmp_path / "no" / "x"):
        pass
