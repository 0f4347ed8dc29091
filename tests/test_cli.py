"""The `rote` command: exit codes, one-line errors, and the commands' output."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from rote.cli import build_parser, main
from rote.trajectory import MAX_LINE_BYTES
from tests.conftest import HEADER, assert_one_line_exit_2, observation, run_rote


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
    code, out, _ = run(capsys, "agents")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "scripted agents of construction:"
    assert lines[1].split()[0] == "colour-cycle" and lines[2].split()[0] == "patrol-clockwise"
    snake = next(line for line in lines if line.startswith("snake"))
    assert "sweep the grid row by row" in snake  # its program file's first docstring line


def test_agents_of_a_replay_only_env_says_there_are_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "agents", "--env", "overcooked")
    assert code == 0 and out.strip() == (
        "overcooked has no scripted agents (it is replay-only: its trajectories are recorded)"
    )


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
        (["generate", "--out", "x", "--episodes", "x"], "--episodes: not a whole number: 'x'"),
        (["generate", "--out", "x", "--seed", "-1"], "argument --seed: must be 0 or more, not -1"),
        (["generate", "--out", "x", "--steps", "10" * 5], "--steps: must be at most 100,000, not"),
        (["generate", "--out", "x", "--episodes", "10" * 5], "--episodes: must be at most 10,000"),
        (
            ["predict", "--trajectory", "t", "--observe", "1", "--budget", "10" * 5],
            "at most 1,000,000",
        ),
        (
            ["predict", "--trajectory", "t", "--observe", "1", "--particles", "10" * 5],
            "at most 1,000,",
        ),
        (
            ["predict", "--trajectory", "t", "--observe", "1", "--particles", "0"],
            "--particles: must be positive",
        ),
        (["predict", "--trajectory", "t", "--observe", "1", "--seed", "-1"], "must be 0 or more"),
        (["demo", "--out", "x", "--seed", "-2"], "argument --seed: must be 0 or more, not -2"),
        (
            ["demo", "--out", "x", "--agent", "nope", "--steps", "100000"],
            '"nope" is not registered',
        ),
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


def test_an_output_directory_that_cannot_be_made_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    for argv, reason in [
        (["generate", "--out", str(blocker)], "a file is in the way"),
        (["generate", "--out", str(blocker / "below")], "Not a directory"),
        (["generate", "--out", "/proc/rote"], "No such file or directory"),
        (["demo", "--out", str(blocker)], "a file is in the way"),
        (["bench", "--quick", "--methods", "uniform", "--out", str(blocker)], "a file is in"),
    ]:
        code, _, err = run(capsys, *argv)
        assert_one_line_error(code, err, f"cannot create the directory: {reason}")
    assert blocker.read_text() == "not a directory\n"


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
    result = run_rote("generate", "--agent", "nope", "--out", str(tmp_path))
    assert_one_line_exit_2(result, "error: agent")
    result = run_rote("--version")
    assert result.returncode == 0 and result.stdout.startswith("rote ")


@pytest.fixture(scope="module")
def snake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short generated trajectory for the command lines below."""
    out = tmp_path_factory.mktemp("generated")
    assert main(["generate", "--agent", "snake", "--episodes", "1", "--steps", "8",
                 "--out", str(out)]) == 0  # fmt: skip
    return out / "snake-000.jsonl"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["generate", "--out", "x", "--seed", "-1"], "argument --seed: must be 0 or more, not -1"),
        (
            ["predict", "--observe", "2", "--seed", "-1"],
            "argument --seed: must be 0 or more, not -1",
        ),
        (["predict", "--observe", "2", "--particles", "0"], "--particles: must be positive, not 0"),
        (["predict", "--observe", "2", "--particles", "100000000"], "--particles: must be at most"),
        (["predict", "--observe", "2", "--top", "-1"], "argument --top: must be 0 or more, not -1"),
        (["render", "--step", "-1"], "argument --step: must be 0 or more, not -1"),
    ],
)
def test_a_bad_number_is_one_line_and_exit_2_in_the_users_words(
    snake: Path, tmp_path: Path, argv: list[str], fragment: str
) -> None:
    """Issue 18 items 1 and 6: numpy's and gymnasium's seed errors were tracebacks, the SMC's
    n_particles was named, and --top -1 and --particles 10**8 were taken; and, found by the CLI
    fuzz, `render --step -1` said "is past the last step"."""
    if argv[0] == "predict":
        argv = [*argv, "--trajectory", str(snake)]
    if argv[0] == "render":
        argv = [*argv, str(snake)]
    result = run_rote(*argv, cwd=tmp_path)
    assert_one_line_exit_2(result, fragment)
    assert "n_particles" not in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["generate", "--out", "{file}"], "a file is in the way"),
        (["bench", "--quick", "--methods", "uniform", "--out", "{file}"], "a file is in the way"),
        (["data", "overcooked", "--split", "train", "--out", "{file}"], "a file is in the way"),
        (["generate", "--out", "/proc/nope"], "No such file or directory"),
        (["bench", "--quick", "--methods", "uniform", "--out", "/proc/nope"], "No such file"),
        (["data", "overcooked", "--split", "train", "--out", "/proc/nope"], "No such file"),
    ],
)
def test_an_out_that_cannot_be_a_directory_is_one_line_and_exit_2(
    tmp_path: Path, argv: list[str], reason: str
) -> None:
    """Issue 18 item 2: FileExistsError and FileNotFoundError tracebacks."""
    blocker = tmp_path / "a-file"
    blocker.write_text("kept\n")
    result = run_rote(*(arg.format(file=blocker) for arg in argv))
    assert_one_line_exit_2(result, f"cannot create the directory: {reason}")
    assert blocker.read_text() == "kept\n"


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


GAME = {"format": "rote.trajectory/1", "env": "repeated-game"}
MINIGRID = {"format": "rote.trajectory/1", "env": "minigrid:MiniGrid-Empty-5x5-v0"}
BAD_MOVES = {
    "game": "prisoners_dilemma",
    "player": "row",
    "round": 0,
    "own_history": ["X"] * 200_000,
    "opponent_history": [],
}
STEP = json.dumps({"observation": observation(), "action": "up"})
BAD_INPUTS: dict[str, tuple[list[object], str]] = {
    "nested 100000 deep": (
        [HEADER, "[" * 100_000 + "]" * 100_000],
        ":2: arrays and objects nested deeper than 64 levels",
    ),
    "5000-digit integer": (
        [HEADER, STEP.replace('"t": 0', '"t": ' + "9" * 5000)],
        ":2: an integer of 5000 digits is beyond the 64-bit limit",
    ),
    "line past the limit": (
        [HEADER, STEP.ljust(MAX_LINE_BYTES + 1)],
        f":2: line longer than the limit of {MAX_LINE_BYTES} bytes",
    ),
    "truncated line": (
        [HEADER, STEP[:23]],
        ":2: invalid JSON: Expecting ',' delimiter (column 24, where the line ends)",
    ),
    "line truncated in a string": (
        [HEADER, STEP[:27]],
        ":2: invalid JSON: the string from column 26 is not closed where the line ends (column 28)",
    ),
    "integer with a fraction": (
        [HEADER, STEP.replace('"size": 7', '"size": 7.0')],
        ":2: observation.size: 7.0 is not of type 'integer'",
    ),
    "200000 bad cells": (
        [GAME, {"observation": BAD_MOVES}],
        ":2: observation.own_history[0]: 'X' is not one of ['C', 'D']",
    ),
    "construction size 100000": (
        [{**HEADER, "env_kwargs": {"size": 100_000}}, STEP],
        ':1: env "construction": env_kwargs.size: 100000 is greater than the maximum of 32',
    ),
    "minigrid size 20000": (
        [{**MINIGRID, "env_kwargs": {"size": 20_000}}],
        ':1: env "minigrid:MiniGrid-Empty-5x5-v0": env_kwargs.size: 20000 is greater than',
    ),
    "minigrid self": (
        [{**MINIGRID, "env_kwargs": {"self": 1}}],
        ':1: env "minigrid:MiniGrid-Empty-5x5-v0": env_kwargs: Additional properties are not '
        "allowed ('self' was unexpected) (allowed: max_steps, size)",
    ),
    "minigrid max_steps": (
        [{**MINIGRID, "env_kwargs": {"max_steps": "x"}}],
        ":1: env \"minigrid:MiniGrid-Empty-5x5-v0\": env_kwargs.max_steps: 'x' is not of type",
    ),
}
"""Inputs that were tracebacks or blow-ups, and what each reading command now says of them."""


def write_bad_input(directory: Path, name: str) -> Path:
    if name.startswith("minigrid") and importlib.util.find_spec("minigrid") is None:
        pytest.skip("MiniGrid (the `minigrid` extra) is not installed")
    path = directory / f"{name.replace(' ', '-')}.jsonl"
    lines, _ = BAD_INPUTS[name]
    path.write_text("".join(f"{x if isinstance(x, str) else json.dumps(x)}\n" for x in lines))
    return path


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2_for_every_reading_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    path = write_bad_input(tmp_path, name)
    for command in (
        ["validate", str(path)],
        ["render", str(path)],
        ["predict", "--trajectory", str(path), "--observe", "1"],
    ):
        code, _, err = run(capsys, *command)
        assert_one_line_error(code, err, f"{path}{BAD_INPUTS[name][1]}")


@pytest.mark.parametrize("command", ["validate", "render", "predict"])
@pytest.mark.parametrize(
    "name",
    [
        "nested 100000 deep",
        "truncated line",
        "line truncated in a string",
        "construction size 100000",
    ],
)
def test_bad_input_through_the_command_is_one_line_and_exit_2(
    tmp_path: Path, name: str, command: str
) -> None:
    """Issue 18 items 4 and 5 as a user meets them: a RecursionError traceback, "column 1" for
    a truncated line, and a size-100000 Construction that validated, then ran for minutes."""
    path = str(write_bad_input(tmp_path, name))
    argv = ["predict", "--trajectory", path, "--observe", "1"] if command == "predict" else [
        command, path]  # fmt: skip
    assert_one_line_exit_2(run_rote(*argv), f"{path}{BAD_INPUTS[name][1]}")


def test_a_byte_order_mark_is_accepted_by_the_command(tmp_path: Path) -> None:
    """Issue 18 item 4: a Windows/Excel export's BOM was "decode using utf-8-sig"."""
    path = tmp_path / "excel.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f"{json.dumps(HEADER)}\n{STEP}\n".encode())
    result = run_rote("validate", str(path))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(f"ok {path}: 1 steps of construction")


def test_a_byte_order_mark_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "excel.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f"{json.dumps(HEADER)}\n{STEP}\n".encode())
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0 and out.startswith(f"ok {path}: 1 steps of construction")


PEAK = """
import contextlib, io, json, re, sys
from pathlib import Path
from rote.cli import main
codes = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            codes.append(main(argv))
        except SystemExit as exit_:
            codes.append(exit_.code)
peak = re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text())
print(json.dumps({"codes": codes, "peak_kb": int(peak.group(1))}))
"""
"""Runs commands and reports their exit codes and the peak resident memory of this process
alone (VmHWM; getrusage's maxrss would include pytest's, which a forked child inherits)."""


def _cap_memory() -> None:  # a regression fails with MemoryError instead of swapping the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="Linux only: /dev/zero and VmHWM"
)
def test_peak_memory_on_bad_inputs_stays_under_500_mb(tmp_path: Path) -> None:
    """These took 3.1 GB (minigrid size 20000), 3.7 GB then MemoryError (predict on construction
    size 100000), 400 MB per 10^5 bad cells, and all memory (a line without an end)."""
    names = ["construction size 100000", "200000 bad cells", "nested 100000 deep"]
    if importlib.util.find_spec("minigrid") is not None:
        names.append("minigrid size 20000")
    paths = [str(write_bad_input(tmp_path, name)) for name in names]
    argvs = [["validate", "/dev/zero"], *(["validate", path] for path in paths)]
    argvs += [["predict", "--trajectory", path, "--observe", "1"] for path in paths]
    result = subprocess.run(
        [sys.executable, "-c", PEAK, json.dumps(argvs)],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=_cap_memory,
        cwd=Path(__file__).parents[1],  # where pytest runs: tests may have changed directory
    )
    report = json.loads(result.stdout)
    assert report["codes"] == [2] * len(argvs)
    assert report["peak_kb"] < 500 * 1024


def subcommands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every parser under `parser` (rote's subcommands and `data`'s datasets), with itself."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += subcommands(child)
    return found


@pytest.mark.parametrize("parser", subcommands(build_parser()), ids=lambda p: p.prog)
def test_every_option_says_what_it_is_and_its_default(
    parser: argparse.ArgumentParser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Help text for every option; one with a default shows it (`rote generate --help` once
    showed bare `--episodes EPISODES` and no default anywhere)."""
    monkeypatch.setenv("COLUMNS", "10000")  # no line breaks inside a hyphenated name
    text = " ".join(parser.format_help().split())
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        assert action.help, f"{parser.prog} {action.dest}: no help"
        default = action.default
        nothing = default in (None, [], argparse.SUPPRESS) or isinstance(default, bool)
        if action.option_strings and not nothing:
            entry = action.help if "default" in action.help else f"(default: {default})"
            assert " ".join(entry.split()) in text, f"{parser.prog} {action.dest}"


def test_the_top_level_help_speaks_to_a_user(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "predicts what another agent" in text and "rote demo" in text
    for word in ("issue", "embedded default", "main job"):
        assert word not in text


def test_a_path_that_is_not_utf8_is_echoed_escaped_not_a_traceback(tmp_path: Path) -> None:
    """Found by tests/test_cli_fuzz.py: a shell passes a name's bytes as they are, and echoing
    one that is not UTF-8 on stdout was a UnicodeEncodeError traceback (exit 1, after the files
    were written) wherever stdout is strict UTF-8, as under a en_US.UTF-8 locale."""
    out = tmp_path / os.fsdecode(b"caf\xe9")
    argv = ["generate", "--agent", "snake", "--episodes", "1", "--steps", "2", "--out", str(out)]
    result = run_rote(*argv, env={"PYTHONIOENCODING": "utf-8:strict"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote 1 trajectory to {tmp_path}/caf\\udce9 (kept 0 already there)\n"
