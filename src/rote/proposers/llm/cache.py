"""A SQLite replay cache of LLM completions, so that a run repeats exactly without the model.

Keyed by (model, messages, every sampling parameter, cache schema version) and a sample index:
within one run, the k-th sample ever drawn for a prompt is entry k, so N samples of one prompt
are N entries and a rerun replays them in order (as WorldCoder's cache does). With
`cache_only`, a miss is an error and no request is made. Several processes may share one file:
SQLite's WAL journal serialises the writers, and when two runs race to fill the same entry the
first one written wins and both return it.

A cache file is checked before use: one that is not SQLite, holds other tables, has another
layout or was stamped by another version of the format (PRAGMA user_version) is refused in one
line, and so is an entry whose values are not a completion's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rote.proposers.llm.base import (
    Backend,
    Completion,
    LLMError,
    Message,
    Sampling,
    is_token_count,
    one_line,
)

SCHEMA_VERSION = 1
"""Part of every key: bump it when what a completion means changes, and old entries miss."""

FORMAT_VERSION = 1
"""The file's layout, stamped as its PRAGMA user_version: bump it when LAYOUT changes, and files
of the old layout are refused rather than misread. Files made before the stamp read as 0."""

LAYOUT = (
    ("key", "TEXT", 1, 1),
    ("sample", "INTEGER", 1, 2),
    ("model", "TEXT", 1, 0),
    ("text", "TEXT", 1, 0),
    ("prompt_tokens", "INTEGER", 1, 0),
    ("completion_tokens", "INTEGER", 1, 0),
)
"""The completions table as PRAGMA table_info describes it: (name, type, not null, key rank)."""


class CacheMissError(LLMError):
    """A completion that `cache_only` needed and the cache does not hold."""


class CachedBackend(Backend):
    """Any backend, behind the replay cache. `hits` and `requests` count what was replayed and
    what was asked of the backend."""

    def __init__(self, backend: Backend, path: str | Path, *, cache_only: bool = False) -> None:
        self.backend = backend
        self.model = backend.model
        self.path = Path(path)
        self.cache_only = cache_only
        self.hits = 0
        self.requests = 0
        self._drawn: Counter[str] = Counter()
        if cache_only and not self.path.exists():
            raise CacheMissError(f"--cache-only: there is no cache at {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60.0, check_same_thread=False)
        except (sqlite3.Error, OSError) as error:
            raise self._error(str(error)) from None
        try:
            self._prepare()  # before WAL, which would change a file that is then refused
            self._use_wal()
        except sqlite3.Error as error:  # e.g. "file is not a database"
            self._db.close()
            raise self._error(str(error)) from None
        except LLMError:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """Create the table in a new file, stamp an unstamped file of this layout, and refuse
        anything else. Two processes preparing one file at once do the same idempotent writes."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, FORMAT_VERSION):
            raise self._error(
                f"format version {version}, not {FORMAT_VERSION} (written by another version "
                "of rote); use another cache file"
            )
        tables = {
            name
            for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not tables:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS completions (key TEXT NOT NULL, sample INTEGER NOT "
                "NULL, model TEXT NOT NULL, text TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, "
                "completion_tokens INTEGER NOT NULL, PRIMARY KEY (key, sample))"
            )
        elif "completions" not in tables:
            raise self._error("not an LLM cache (it has no completions table)")
        layout = tuple(
            (name, kind, notnull, pk)
            for _, name, kind, notnull, _, pk in self._db.execute("PRAGMA table_info(completions)")
        )
        if layout != LAYOUT:
            raise self._error("its completions table is not laid out as an LLM cache's")
        if version != FORMAT_VERSION:
            self._db.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        self._db.commit()

    def _error(self, reason: str) -> LLMError:
        return LLMError(f"LLM cache {self.path}: {one_line(reason)}")

    def _use_wal(self) -> None:
        """WAL lets readers and one writer work at once. Switching needs the file to itself, so
        when another process holds it, keep the rollback journal: the busy timeout still
        serialises writers, only more slowly."""
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("PRAGMA journal_mode=WAL")

    def key(self, messages: Sequence[Message], sampling: Sampling) -> str:
        data = {
            "schema": SCHEMA_VERSION,
            "model": self.model,
            "messages": list(messages),
            "sampling": sampling.as_dict(),
        }
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def complete(self, messages: Sequence[Message], n: int, sampling: Sampling) -> Completion:
        key = self.key(messages, sampling)
        first = self._drawn[key]
        self._drawn[key] += n
        samples = range(first, first + n)
        found = self._lookup(key, samples)
        missing = [sample for sample in samples if sample not in found]
        self.hits += n - len(missing)
        if missing:
            if self.cache_only:
                raise CacheMissError(
                    f"--cache-only: {self.path} has no completion for model {self.model}, "
                    f"prompt {key[:12]}, sample {missing[0]}"
                )
            fresh = self.backend.complete(messages, len(missing), sampling)
            self.requests += 1
            self._store(key, missing, fresh)
            found.update(self._lookup(key, missing))
        rows = [found[sample] for sample in samples]
        return Completion(
            [text for text, _, _ in rows],
            sum(prompt for _, prompt, _ in rows),
            sum(completion for _, _, completion in rows),
        )

    def _lookup(self, key: str, samples: Sequence[int]) -> dict[int, tuple[str, int, int]]:
        """The stored samples among `samples`; SQLite keeps whatever a column is given, so each
        value is checked to be a completion's."""
        try:
            rows = self._db.execute(
                "SELECT sample, text, prompt_tokens, completion_tokens FROM completions "
                f"WHERE key = ? AND sample IN ({','.join('?' * len(samples))})",
                (key, *samples),
            ).fetchall()
        except sqlite3.Error as error:  # e.g. text that is not UTF-8
            raise self._error(str(error)) from None
        for sample, text, prompt, completion in rows:
            if not (
                isinstance(text, str) and is_token_count(prompt) and is_token_count(completion)
            ):
                raise self._error(
                    f"the entry for prompt {key[:12]}, sample {sample} is not a completion "
                    "(text and two token counts)"
                )
        return {sample: (text, prompt, completion) for sample, text, prompt, completion in rows}

    def _store(self, key: str, samples: Sequence[int], completion: Completion) -> None:
        """One row per sample; tokens are split evenly, so replayed runs account the same."""
        count = len(samples)
        prompt = _split(completion.prompt_tokens, count)
        generated = _split(completion.completion_tokens, count)
        rows = [
            (key, sample, self.model, text, p, g)
            for sample, text, p, g in zip(samples, completion.texts, prompt, generated, strict=True)
        ]
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR IGNORE INTO completions VALUES (?, ?, ?, ?, ?, ?)", rows
                )
        except sqlite3.Error as error:  # e.g. a full disk, or a read-only file
            raise self._error(str(error)) from None

    def describe(self) -> dict[str, Any]:
        return {**self.backend.describe(), "cache": str(self.path), "cache_only": self.cache_only}

    def close(self) -> None:
        self._db.close()
        self.backend.close()


def _split(total: int, parts: int) -> list[int]:
    share, extra = divmod(total, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]
