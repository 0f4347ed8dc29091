"""The replay cache: N samples are N entries replayed in order; cache-only never asks the model."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rote.proposers.llm.base import Backend, Completion, LLMError, Message, Sampling
from rote.proposers.llm.cache import FORMAT_VERSION, CachedBackend, CacheMissError

PROMPT: list[Message] = [{"role": "user", "content": "write a program"}]


class Counting(Backend):
    """Numbers its samples, so the tests can tell which request produced which text."""

    def __init__(self, model: str = "m", tag: str = "") -> None:
        self.model = model
        self.tag = tag
        self.drawn = 0
        self.requests = 0

    def complete(self, messages: list[Message], n: int, sampling: Sampling) -> Completion:
        self.requests += 1
        texts = [f"{self.tag}sample {self.drawn + i}" for i in range(n)]
        self.drawn += n
        return Completion(texts, prompt_tokens=10 * n, completion_tokens=3 * n)


def test_samples_replay_in_order_and_a_rerun_asks_nothing(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    first = CachedBackend(Counting(), path)
    a = first.complete(PROMPT, 2, Sampling())
    b = first.complete(PROMPT, 3, Sampling())  # the same prompt again: samples 2-4, not 0-2
    assert a.texts == ["sample 0", "sample 1"]
    assert b.texts == ["sample 2", "sample 3", "sample 4"]
    assert (b.prompt_tokens, b.completion_tokens) == (30, 9)
    first.close()

    model = Counting()
    again = CachedBackend(model, path, cache_only=True)
    assert again.complete(PROMPT, 2, Sampling()).texts == a.texts
    replayed = again.complete(PROMPT, 3, Sampling())
    assert replayed == b
    assert model.requests == 0 and again.hits == 5


def test_a_longer_rerun_fetches_only_the_missing_samples(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    CachedBackend(Counting(), path).complete(PROMPT, 2, Sampling())
    model = Counting()
    cached = CachedBackend(model, path)
    texts = cached.complete(PROMPT, 4, Sampling()).texts
    assert texts[:2] == ["sample 0", "sample 1"] and model.drawn == 2
    assert cached.requests == 1 and cached.hits == 2


@pytest.mark.parametrize(
    "change",
    [
        {"sampling": Sampling(temperature=0.7)},
        {"sampling": Sampling(max_tokens=10)},
        {"sampling": Sampling(seed=3)},
        {"messages": [{"role": "user", "content": "write another"}]},
        {"model": "other"},
    ],
)
def test_every_parameter_is_part_of_the_key(tmp_path: Path, change: dict[str, object]) -> None:
    path = tmp_path / "llm.sqlite"
    CachedBackend(Counting(), path).complete(PROMPT, 1, Sampling())
    model = Counting(str(change.get("model", "m")))
    cached = CachedBackend(model, path, cache_only=True)
    messages = change.get("messages", PROMPT)
    sampling = change.get("sampling", Sampling())
    assert isinstance(sampling, Sampling) and isinstance(messages, list)
    with pytest.raises(CacheMissError, match=r"--cache-only: .* has no completion for model"):
        cached.complete(messages, 1, sampling)


def test_cache_only_without_a_cache_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(CacheMissError, match="there is no cache at"):
        CachedBackend(Counting(), tmp_path / "none.sqlite", cache_only=True)


WRITER = """
import json, sys
from rote.proposers.llm.base import Backend, Completion, Sampling
from rote.proposers.llm.cache import CachedBackend

class Tagged(Backend):
    model = "m"
    def complete(self, messages, n, sampling):
        return Completion([f"{sys.argv[2]} seed {sampling.seed}"] * n)

cached = CachedBackend(Tagged(), sys.argv[1])
prompt = [{"role": "user", "content": "write a program"}]
print(json.dumps([cached.complete(prompt, 1, Sampling(seed=s)).texts[0] for s in range(60)]))
"""


def test_concurrent_writers_share_one_file_and_agree(tmp_path: Path) -> None:
    path = str(tmp_path / "llm.sqlite")
    runs = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, name], stdout=subprocess.PIPE)
        for name in ("first", "second")
    ]
    results = [json.loads(run.communicate(timeout=60)[0]) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    replay = CachedBackend(Counting(), path, cache_only=True)
    stored = [replay.complete(PROMPT, 1, Sampling(seed=s)).texts[0] for s in range(60)]
    assert results == [stored, stored]  # whoever wrote an entry first, both runs returned it


def refusal(path: Path) -> str:
    """The one line a CachedBackend raises for the file at `path`."""
    with pytest.raises(LLMError) as error:
        CachedBackend(Counting(), path)
    text = str(error.value)
    assert text.startswith(f"LLM cache {path}: ") and "\n" not in text
    return text


def test_a_new_file_is_stamped_with_the_format_version(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    CachedBackend(Counting(), path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION


def test_a_file_from_before_the_stamp_is_stamped_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    with CachedBackend(Counting(), path) as cached:
        cached.complete(PROMPT, 1, Sampling())
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 0")
        db.commit()
    with CachedBackend(Counting(), path, cache_only=True) as cached:
        assert cached.complete(PROMPT, 1, Sampling()).texts == ["sample 0"]
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == FORMAT_VERSION


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    path.write_bytes(b"not a database at all\n" * 100)
    assert refusal(path).endswith(": file is not a database")
    assert path.read_bytes() == b"not a database at all\n" * 100


def test_a_file_of_another_format_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    CachedBackend(Counting(), path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {FORMAT_VERSION + 1}")
        db.execute("PRAGMA journal_mode = DELETE")
        db.commit()
    assert f"format version {FORMAT_VERSION + 1}, not {FORMAT_VERSION}" in refusal(path)
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ("CREATE TABLE notes (body TEXT)", "not an LLM cache (it has no completions table)"),
        ("CREATE TABLE completions (key TEXT, text TEXT)", "is not laid out as an LLM cache's"),
        (
            "CREATE TABLE completions (key TEXT NOT NULL, sample TEXT NOT NULL, model TEXT NOT "
            "NULL, text TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER "
            "NOT NULL, PRIMARY KEY (key, sample))",
            "is not laid out as an LLM cache's",
        ),
    ],
)
def test_a_file_of_another_schema_is_refused(tmp_path: Path, schema: str, reason: str) -> None:
    path = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(schema)
    assert refusal(path).endswith(reason)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("text", b"\x00binary"),  # a column's type is a hint to SQLite; a blob stays one
        ("prompt_tokens", "many"),
        ("prompt_tokens", -1),
        ("completion_tokens", 2.5),
        ("completion_tokens", 2**62),
    ],
)
def test_an_entry_of_the_wrong_type_is_refused_in_one_line(
    tmp_path: Path, column: str, value: object
) -> None:
    path = tmp_path / "llm.sqlite"
    CachedBackend(Counting(), path).complete(PROMPT, 1, Sampling())
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"UPDATE completions SET {column} = ?", (value,))
        db.commit()
    with pytest.raises(LLMError) as error:
        CachedBackend(Counting(), path).complete(PROMPT, 1, Sampling())
    text = str(error.value)
    assert text.startswith(f"LLM cache {path}: the entry for prompt ") and "\n" not in text
    assert text.endswith(", sample 0 is not a completion (text and two token counts)")


def test_text_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "llm.sqlite"
    CachedBackend(Counting(), path).complete(PROMPT, 1, Sampling())
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE completions SET text = CAST(X'ff0a66fe' AS TEXT)")
        db.commit()
    with pytest.raises(LLMError) as error:
        CachedBackend(Counting(), path).complete(PROMPT, 1, Sampling())
    text = str(error.value)
    assert text.startswith(f"LLM cache {path}: Could not decode to UTF-8") and "\n" not in text
