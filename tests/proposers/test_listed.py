"""`rote predict --proposer list` with programs a person wrote: each broken one is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from rote.cli import main
from tests.conftest import assert_one_line_exit_2, run_rote

GOOD = "class Agent:\n    def act(self, observation):\n        return 'up'\n"
BROKEN = {
    "syntax.py": (GOOD.replace("observation):", "observation)"), "syntax error: line 2"),
    "imports.py": ("import os\n" + GOOD, "forbidden: line 1: import of 'os' is not allowed"),
    "loops.py": (GOOD.replace("return 'up'", "while True: pass"), "timeout after 0.2 s"),
    "no_agent.py": ("x = 1\n", "no class Agent defined"),
    "flies.py": (GOOD.replace("'up'", "'fly'"), "invalid action 'fly' (not one of stay, up,"),
}
"""Program files that cannot run, and what rote says of each."""


@pytest.fixture(scope="module")
def trajectory(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("generated")
    assert main(["generate", "--agent", "snake", "--episodes", "1", "--steps", "6",
                 "--out", str(out)]) == 0  # fmt: skip
    return str(out / "snake-000.jsonl")


def predict(trajectory: str, programs: Path) -> list[str]:
    return ["predict", "--trajectory", trajectory, "--observe", "2", "--proposer", "list",
            "--programs", str(programs)]  # fmt: skip


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_lone_broken_program_stops_the_run_in_one_line(
    tmp_path: Path, trajectory: str, name: str
) -> None:
    """Issue 18 item 7: a lone program with a syntax error got weight 1.000 and uniform
    predictions, with no message."""
    source, reason = BROKEN[name]
    (tmp_path / name).write_text(source)
    result = run_rote(*predict(trajectory, tmp_path))
    assert_one_line_exit_2(result, f"error: no program runs: {tmp_path / name}: ")
    assert reason in result.stderr


def test_each_broken_program_beside_a_good_one_is_a_warning(
    tmp_path: Path, trajectory: str
) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    for name, (source, _) in BROKEN.items():
        (tmp_path / name).write_text(source)
    result = run_rote(*predict(trajectory, tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(BROKEN), result.stderr
    for name, (_, reason) in BROKEN.items():
        (line,) = [line for line in lines if line.startswith(f"warning: {tmp_path / name}: ")]
        assert reason in line
    assert "accuracy" in result.stdout
