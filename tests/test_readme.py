"""The README's Python example runs as written (issue 18, item 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rote.cli import main

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_live_loop_example_runs_and_prints_a_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (example,) = [b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "ROTE(" in b]
    monkeypatch.chdir(tmp_path)
    argv = "generate --env construction --agent snake --episodes 1 --steps 50 --swap-at 30"
    assert main([*argv.split(), "--seed", "0", "--out", "data/"]) == 0
    capsys.readouterr()
    exec(compile(example, "README.md", "exec"), {})  # our own README's code
    printed = capsys.readouterr().out
    assert "class Agent" in printed and "def act(self, observation)" in printed
