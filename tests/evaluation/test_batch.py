"""Batch prediction (`rote predict --trajectories`): a record per trajectory, failures recorded,
resuming after a kill, and the flags that belong to one trajectory or to many."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rote.cli import main
from rote.errors import RoteError
from rote.evaluation.batch import BatchSettings, find_trajectories, parse_record, predict_many
from rote.evaluation.executors import LocalPool

ROTE = [sys.executable, "-m", "rote.cli"]
RUN = ["--observe", "20", "--particles", "5", "--budget", "2000"]
"""Cheap settings: a trajectory takes a few seconds."""
SETTINGS = BatchSettings(observe=20, particles=5, budget=2000, top=3)


def make_trajectories(directory: Path, agents: tuple[str, ...] = ("snake", "left-right")) -> Path:
    for agent in agents:
        argv = ["generate", "--env", "construction", "--agent", agent, "--episodes", "1"]
        assert main([*argv, "--steps", "26", "--out", str(directory)]) == 0
    return directory


def deterministic(path: Path) -> dict[str, dict[str, Any]]:
    """results.jsonl's records by trajectory, without their costs (timings vary)."""
    records = {}
    for line in path.read_text().splitlines():
        value = json.loads(line)
        value.pop("usage", None)
        records[parse_record(json.loads(line)).trajectory] = value
    return records


@pytest.fixture(scope="module")
def trajectories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = make_trajectories(tmp_path_factory.mktemp("trajectories"))
    (directory / "zz-bad.jsonl").write_text('{"format": "rote.trajectory/1"\n')
    return directory


def test_each_trajectory_is_a_record_and_a_bad_file_a_failure_record(
    trajectories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.jsonl"
    argv = ["predict", "--trajectories", str(trajectories), *RUN, "--out", str(out)]
    assert main([*argv, "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "3 trajectories" in printed and "2 predicted" in printed and "1 failure" in printed
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["schema"] for r in records] == ["rote.prediction/2"] * 2 + [
        "rote.prediction-failure/1"
    ]
    single = tmp_path / "single.json"
    path = records[0]["settings"]["trajectory"]
    with single.open("w") as handle:
        subprocess.run([*ROTE, "predict", "--trajectory", path, *RUN, "--json"], stdout=handle)
    alone = json.loads(single.read_text())
    assert {**records[0], "usage": None} == {**alone, "usage": None}  # predict --json's object
    assert records[2]["trajectory"].endswith("zz-bad.jsonl")
    assert "\n" not in records[2]["error"] and "zz-bad.jsonl" in records[2]["error"]
    assert main([*argv, "--jobs", "1"]) == 0  # all finished: nothing runs again
    assert len(out.read_text().splitlines()) == 3
    # a record rote wrote before version 2 (no cross-entropy, no no-stay scores) still counts
    old = {k: v for k, v in records[0].items() if k not in ("cross_entropy", "no_stay")}
    old = {**old, "schema": "rote.prediction/1"}
    old.pop("idle_action")
    assert parse_record(old).trajectory == records[0]["settings"]["trajectory"]


def test_a_run_killed_mid_way_resumes_with_every_record_once(
    trajectories: Path, tmp_path: Path
) -> None:
    more = make_trajectories(tmp_path / "more", ("snake", "left-right", "colour-cycle", "up-down"))
    out = tmp_path / "results.jsonl"
    argv = ["predict", "--trajectories", str(more), *RUN, "--out", str(out), "--jobs", "2"]
    run = subprocess.Popen([*ROTE, *argv], start_new_session=True, stderr=subprocess.DEVNULL)
    while run.poll() is None and not (out.exists() and out.read_text().count("\n") >= 1):
        time.sleep(0.05)
    assert run.poll() is None, "the batch ended before the kill"
    os.killpg(run.pid, signal.SIGKILL)  # the batch and its workers, mid-way
    run.wait()
    first = deterministic(out)
    assert 1 <= len(first) < 4
    with out.open("a") as handle:
        handle.write('{"schema": "rote.predic')  # a line cut short, as a kill while writing
    assert main(argv) == 0
    records = out.read_text().splitlines()
    assert len(records) == len(deterministic(out)) == 4  # complete and unique
    assert {k: v for k, v in deterministic(out).items() if k in first} == first
    again = tmp_path / "again.jsonl"
    predict_many(find_trajectories(str(more)), SETTINGS, again, executor=LocalPool(2))
    assert deterministic(again) == deterministic(out)


def test_a_results_file_of_other_settings_is_refused(trajectories: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.jsonl"
    paths = find_trajectories(str(trajectories / "snake-*.jsonl"))
    assert len(paths) == 1
    predict_many(paths, SETTINGS, out, executor=LocalPool(1))
    with pytest.raises(RoteError, match="other settings"):
        predict_many(paths, SETTINGS._replace(observe=21), out, executor=LocalPool(1))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--trajectories", "{dir}"], "--trajectories needs --out"),
        (["--trajectories", "{dir}/nothing-*.jsonl", "--out", "r.jsonl"], "no trajectory files"),
        (["--trajectories", "{dir}", "--out", "r.jsonl", "--source"], "--source is for one"),
        (["--trajectory", "{dir}/snake-000.jsonl", "--out", "r.jsonl"], "--out is for"),
        (["--trajectories", "{dir}", "--out", "r.jsonl", "--ray-address", "h:1"], "--ray-addr"),
        (["--trajectories", "{dir}", "--out", "{dir}"], "is a directory"),
    ],
)
def test_flags_of_one_trajectory_or_many_are_one_line_errors(
    trajectories: Path,
    flags: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["predict", *(flag.format(dir=trajectories) for flag in flags), *RUN]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_trajectory_and_trajectories_exclude_each_other(trajectories: Path) -> None:
    path = str(trajectories / "snake-000.jsonl")
    with pytest.raises(SystemExit) as exit_:
        main(["predict", "--trajectory", path, "--trajectories", str(trajectories), *RUN])
    assert exit_.value.code == 2


def test_a_directory_and_a_glob_name_the_same_files(
    trajectories: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rerun finds its finished trajectories by name: `d`, `./d/` and `./d/*.jsonl` must give
    the same names, or switching between them predicts (and records) everything twice."""
    monkeypatch.chdir(trajectories.parent)
    name = trajectories.name
    forms = [name, f"./{name}/", f"./{name}/*.jsonl", f"{name}//*.jsonl"]
    found = [find_trajectories(form) for form in forms]
    assert all(names == found[0] for names in found) and found[0]
    assert all(path.startswith(f"{name}/") for path in found[0])
