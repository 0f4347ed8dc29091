"""The `rote` command: exit codes, one-line errors, and the commands' output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rote.cli import main
from tests.conftest import HEADER, observation


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse exits on usage errors
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(code: int, err: str, fragment: str) -> None:
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert fragment in err


def test_envs_lists_construction(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "envs")
    assert code == 0 and "construction" in out


def test_agents_lists_the_families(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "agents", "--env", "construction")
    assert code == 0 and out.split()[:2] == ["colour-cycle", "patrol-clockwise"]


def test_generate_then_validate_and_render(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run(
        capsys, "generate", "--env", "construction", "--agent", "all", "--episodes", "2",
        "--steps", "50", "--swap-at", "30", "--seed", "3", "--out", str(out_dir),
    )  # fmt: skip
    assert code == 0 and "wrote 20 trajectories" in out
    files = sorted(out_dir.glob("*.jsonl"))
    assert len(files) == 20
    code, out, _ = run(capsys, "validate", *map(str, files))
    assert code == 0 and out.count("ok ") == 20
    code, out, _ = run(capsys, "render", str(files[0]), "--step", "49")
    assert code == 0 and out.startswith("t=49 ") and "action: " in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["generate", "--env", "chess", "--out", "x"], 'env "chess" is not registered'),
        (["generate", "--agent", "jumper", "--out", "x"], 'agent "jumper" is not registered'),
        (["generate", "--out", "x", "--env-kwargs", "{bad"], "argument --env-kwargs: invalid JSON"),
        (["generate", "--out", "x", "--env-kwargs", '{"size": 2}'], "size: 2 is less than the min"),
        (["generate", "--out", "x", "--env-kwargs", "[" * 10**5], "nested deeper than 64 levels"),
        (["generate", "--out", "x", "--env-kwargs", '{"size": ' + "9" * 5000 + "}"], "5000 dig"),
        (["generate", "--out", "x", "--steps", "10", "--swap-at", "10"], "swap_at must be between"),
        (["generate", "--out", "x", "--noise", "1.5"], "noise must be between 0 and 1"),
        (["generate", "--out", "x", "--episodes", "x"], "argument --episodes: invalid int value"),
        (["agents", "--env", "chess"], 'env "chess" is not registered'),
        (["fly"], "invalid choice: 'fly'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], fragment: str
) -> None:
    os.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert_one_line_error(code, err, fragment)
    assert not (tmp_path / "x").exists()


def test_malformed_file_exits_2_with_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "traj.jsonl"
    lines = [
        HEADER,
        {"observation": observation(), "action": "up"},
        {"observation": observation(), "action": "jump"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    for command in (["validate", str(path)], ["render", str(path), "--step", "5"]):
        code, _, err = run(capsys, *command)
        assert_one_line_error(code, err, f'{path}:3: action "jump" is not one of stay, up, down')


def test_render_past_the_end(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "short.jsonl"
    path.write_text(json.dumps(HEADER) + "\n" + json.dumps({"observation": observation()}) + "\n")
    code, _, err = run(capsys, "render", str(path), "--step", "3")
    assert_one_line_error(code, err, "--step 3 is past the last step (0)")


def test_console_script_runs_and_reports_errors_in_one_line(tmp_path: Path) -> None:
    rote = Path(sys.executable).parent / "rote"
    argv = [str(rote), "generate", "--agent", "nope", "--out", str(tmp_path)]
    result = subprocess.run(
        argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: agent")
    result = subprocess.run([str(rote), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("rote ")


def test_demo_infers_programs_for_a_family_and_predicts_across_the_swap(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = str(tmp_path / "demo")
    code, out, _ = run(capsys, "demo", "--out", out_dir)
    assert code == 0
    assert "(10 written, 0 already there)" in out
    assert len(list(Path(out_dir).glob("*.jsonl"))) == 10
    after_swap = re.search(r"accuracy ([0-9.]+) on the 20 steps from the layout swap", out)
    assert after_swap is not None and float(after_swap.group(1)) >= 0.9
    assert "# program 1" in out and "from synth" in out and "class Agent" in out
    code, out, _ = run(capsys, "demo", "--out", out_dir, "--agent", "left-right")
    assert code == 0 and "(0 written, 10 already there)" in out
