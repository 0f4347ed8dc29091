"""The executors on a real local Ray cluster (two CPUs, started once for the module): the same
records as the local pool for a bench and a batch, a killed worker's task retried, and the
one-line error without Ray."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rote.cli import main
from rote.evaluation.batch import find_trajectories, parse_record, predict_many
from rote.evaluation.executors import ATTEMPTS, LocalPool, RayCluster
from rote.evaluation.records import CellResult

from .test_batch import RUN, SETTINGS, deterministic, make_trajectories

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def cluster() -> Any:
    """A local cluster for the module; its address lets a subprocess join it as a driver."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def bench_records(out: Path) -> dict[str, Any]:
    """A bench's results.jsonl by cell, without its timings."""
    records = {}
    for line in (out / "results.jsonl").read_text().splitlines():
        value = json.loads(line)
        del value["seconds"], value["infer_seconds"]
        for prediction in value["predictions"]:
            del prediction["seconds"]
        records[CellResult.from_json(json.loads(line)).cell.name] = value
    return records


def test_a_bench_on_ray_writes_the_local_records(cluster: str, tmp_path: Path) -> None:
    argv = ["bench", "--suite", "construction", "--quick", "--methods", "rote@1"]
    assert main([*argv, "--out", str(tmp_path / "local"), "--jobs", "2"]) == 0
    assert main([*argv, "--out", str(tmp_path / "ray"), "--executor", "ray"]) == 0
    local, on_ray = bench_records(tmp_path / "local"), bench_records(tmp_path / "ray")
    assert len(local) == 10 and on_ray == local


def test_a_batch_resumed_on_ray_gives_the_local_records(cluster: str, tmp_path: Path) -> None:
    trajectories = make_trajectories(tmp_path / "t", ("snake", "left-right", "up-down"))
    paths = find_trajectories(str(trajectories))
    local, out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    predict_many(paths, SETTINGS, local, executor=LocalPool(2))
    predict_many(paths[:1], SETTINGS, out, executor=LocalPool(1))  # as a run interrupted
    argv = ["predict", "--trajectories", str(trajectories), *RUN, "--out", str(out)]
    ran = subprocess.run(  # a second driver, joining the cluster by its address
        [sys.executable, "-m", "rote.cli", *argv, "--executor", "ray", "--ray-address", cluster],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert "3 trajectories" in ran.stdout
    assert len(out.read_text().splitlines()) == 3
    assert deterministic(out) == deterministic(local)


DOOMED = """
import os
from pathlib import Path

import rote
from rote.envs import make_env

DEATHS = Path({marker!r})


def doomed():
    # Test-only fault: the worker process dies, on the first {deaths} calls, as a worker
    # killed mid-task (by the OOM killer, a lost node) would; no real part dies on demand.
    died = DEATHS.read_text().count("x") if DEATHS.exists() else 0
    if died < {deaths}:
        with DEATHS.open("a") as handle:
            handle.write("x")
        os._exit(1)
    return make_env("construction")


rote.register("doomed", doomed)
"""


def doomed_batch(tmp_path: Path, deaths: int) -> tuple[Path, Path]:
    """A directory of two trajectories, one of the `doomed` env, and the plugin that registers
    it, which kills the worker that builds the env the first `deaths` times. (Two: the local
    pool runs a single task in its own process, where no worker can die.)"""
    directory = make_trajectories(tmp_path / "t", ("snake",))
    header, *steps = (directory / "snake-000.jsonl").read_text().splitlines(keepends=True)
    value = {**json.loads(header), "env": "doomed", "env_kwargs": {}}
    (directory / "doomed.jsonl").write_text(json.dumps(value) + "\n" + "".join(steps))
    plugin = tmp_path / "doomed_plugin.py"
    plugin.write_text(DOOMED.format(marker=str(tmp_path / "deaths"), deaths=deaths))
    return directory, plugin


@pytest.mark.parametrize("executor", ["local", "ray"])
@pytest.mark.parametrize("deaths", [1, ATTEMPTS])
def test_a_task_whose_worker_dies_is_retried_then_recorded_as_failed(
    cluster: str, tmp_path: Path, executor: str, deaths: int
) -> None:
    directory, plugin = doomed_batch(tmp_path, deaths)
    out = tmp_path / "results.jsonl"
    argv = ["--plugin", str(plugin), "predict", "--trajectories", str(directory), *RUN]
    ran = subprocess.run(  # a driver of its own: the plugin registers an env in it
        [sys.executable, "-m", "rote.cli", *argv, "--out", str(out), "--executor", executor]
        + (["--ray-address", cluster] if executor == "ray" else ["--jobs", "2"]),
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "deaths").read_text() == "x" * deaths
    values = [json.loads(line) for line in out.read_text().splitlines()]
    records = {Path(parse_record(value).trajectory).name: value for value in values}
    assert records["snake-000.jsonl"]["schema"] == "rote.prediction/2"
    record = records["doomed.jsonl"]
    if deaths < ATTEMPTS:
        assert record["schema"] == "rote.prediction/2" and record["accuracy"] > 0
    else:
        assert record["schema"] == "rote.prediction-failure/1"
        assert f"its worker died {ATTEMPTS} times" in record["error"]
        assert "1 failure" in ran.stdout


def test_ray_in_process_uses_the_cluster_already_connected(cluster: str, tmp_path: Path) -> None:
    trajectories = make_trajectories(tmp_path / "t", ("snake",))
    (record,) = predict_many(
        find_trajectories(str(trajectories)), SETTINGS, tmp_path / "r.jsonl", executor=RayCluster()
    )
    assert record.report is not None and ray.is_initialized()


def test_without_ray_the_executor_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as without the `cluster` extra
    argv = ["bench", "--quick", "--methods", "uniform", "--out", str(tmp_path)]
    assert main([*argv, "--executor", "ray"]) == 2
    assert capsys.readouterr().err == (
        "error: --executor ray needs Ray: pip install 'minds-as-code[cluster]'\n"
    )
