"""Shared fixtures: a sandbox, a valid Construction observation and a writer of raw trajectory
lines."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rote.programs import Sandbox

HEADER = {"format": "rote.trajectory/1", "env": "construction", "env_kwargs": {}, "agent": "t"}


def observation(
    t: int = 0, agent: tuple[int, int] = (2, 2), held: str | None = None
) -> dict[str, Any]:
    return {
        "t": t,
        "size": 7,
        "agent": list(agent),
        "held": held,
        "walls": [[3, 3]],
        "blocks": [{"pos": [1, 1], "colour": "green"}, {"pos": [5, 4], "colour": "blue"}],
    }


@pytest.fixture
def write_lines(tmp_path: Path) -> Callable[..., Path]:
    """Write raw lines (dicts are JSON-encoded, strings written as they are) to traj.jsonl."""

    def write(*lines: Any, name: str = "traj.jsonl") -> Path:
        path = tmp_path / name
        text = "".join(
            (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
        )
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """A sandbox with the default limits, one per test module (a module that needs other
    limits defines its own)."""
    with Sandbox(workers=2) as box:
        yield box
