"""Shared fixtures: a sandbox, a valid Construction observation and a writer of raw trajectory
lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rote.programs import Sandbox

HEADER = {"format": "rote.trajectory/1", "env": "construction", "env_kwargs": {}, "agent": "t"}
BIN = Path(sys.executable).parent
"""The venv's bin, where the installed `rote` console script is."""


def run_rote(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `rote` console script in a subprocess, as a user runs it: what reaches the
    terminal (a traceback, the exit code) is what is asserted, not what main() returns. `env`
    adds to this process's environment."""
    return subprocess.run(
        [str(BIN / "rote"), *argv],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    """The promise for bad input: exit code 2 and one line on stderr that names it."""
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert fragment in result.stderr


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
