"""`PredictionReport`: the schema of `rote predict --json`, its round trip, and the CLI printing
exactly what the library computes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rote import make_env, rollout, write_trajectory
from rote.agents import make_agent
from rote.cli import main
from rote.errors import RoteError
from rote.evaluation.prediction import PredictedStep, PredictionReport, prediction_report
from rote.model import ProgramSummary
from rote.proposers import Usage, make_proposer
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Trajectory
from tests.proposers.llm.fake_server import FakeLLMServer

RIGHT = 'class Agent:\n    def act(self, observation):\n        return "right"\n'
USAGE_KEYS = [*Usage().as_dict(), "wall_seconds", "per_call"]
"""The keys of `usage`, in order: the proposer's Usage, the run's wall time, each call's cost."""


@pytest.fixture(scope="module")
def trajectory() -> Trajectory:
    """Twelve steps of a scripted family, with a layout swap at step 8."""
    agent = make_agent("construction", "left-right")
    return rollout(make_env("construction"), agent, steps=12, seed=0, swap_at=8)


def replay(trajectory: Trajectory) -> str:
    """A program that takes the trajectory's actions one after the other: it explains every
    step."""
    return (
        "class Agent:\n    def __init__(self):\n        self.t = -1\n"
        "    def act(self, observation):\n        self.t += 1\n"
        f"        return {trajectory.actions!r}[self.t]\n"
    )


def programs(tmp_path: Path, trajectory: Trajectory) -> list[Path]:
    paths = [tmp_path / "right.py", tmp_path / "replay.py"]
    for path, source in zip(paths, (RIGHT, replay(trajectory)), strict=True):
        path.write_text(source)
    return paths


def check_schema(value: Any, *, llm: bool) -> None:
    """Every field of the JSON object, with its type."""
    assert list(value) == ["predictions", "accuracy", "programs", "usage", "llm"]
    for prediction in value["predictions"]:
        assert list(prediction) == ["t", "dist", "actual"]
        assert isinstance(prediction["t"], int)
        assert isinstance(prediction["actual"], str | None)
        assert all(isinstance(p, float) for p in prediction["dist"].values())
    assert isinstance(value["accuracy"], float)
    for program in value["programs"]:
        assert list(program) == ["weight", "source", "origin"]
        assert isinstance(program["weight"], float)
        assert isinstance(program["source"], str) and isinstance(program["origin"], str)
    assert list(value["usage"]) == USAGE_KEYS
    assert all(isinstance(value["usage"][key], int | float) for key in USAGE_KEYS[:-1])
    assert value["usage"]["per_call"] and all(
        list(call) == USAGE_KEYS[:-2] for call in value["usage"]["per_call"]
    )
    assert isinstance(value["llm"], dict) if llm else value["llm"] is None


def test_a_report_of_listed_programs_has_the_schema_and_round_trips(
    trajectory: Trajectory, tmp_path: Path
) -> None:
    with make_proposer("list", programs=programs(tmp_path, trajectory)) as proposer:
        report = prediction_report(trajectory, proposer, observe=6, particles=4, top=2)
    assert [p.t for p in report.predictions] == list(range(6, 12))
    assert report.programs[0].source == replay(trajectory)
    assert report.accuracy == 1.0
    value = json.loads(json.dumps(report.to_json()))
    check_schema(value, llm=False)
    assert PredictionReport.from_json(value) == report


def test_a_report_of_an_llm_records_its_settings(trajectory: Trajectory, tmp_path: Path) -> None:
    with FakeLLMServer(default_text=f"```python\n{RIGHT}```") as server:
        config = LLMConfig.load(
            None, base_url=server.base_url, model="fake", cache=str(tmp_path / "llm.sqlite")
        )
        with make_proposer("llm", llm=config) as proposer:
            report = prediction_report(trajectory, proposer, observe=6, particles=2, llm=config)
    value = json.loads(json.dumps(report.to_json()))
    check_schema(value, llm=True)
    assert value["llm"]["model"] == "fake" and value["usage"]["llm_requests"] > 0
    assert PredictionReport.from_json(value) == report


def test_steps_score_themselves_and_accuracy_from_a_step_splits_them() -> None:
    hit, miss = {"up": 1.0, "down": 0.0}, {"up": 0.0, "down": 1.0}
    report = PredictionReport(
        predictions=(
            PredictedStep(4, hit, "up"),
            PredictedStep(5, miss, "up"),
            PredictedStep(6, hit, "up"),
        ),
        accuracy=2 / 3,
        programs=(ProgramSummary(1.0, RIGHT, "list"),),
        usage={},
        per_call=(),
        llm=None,
    )
    assert [p.top for p in report.predictions] == ["up", "down", "up"]
    assert [p.hit for p in report.predictions] == [1.0, 0.0, 1.0]
    assert PredictedStep(7, {"up": 0.5, "down": 0.5}, None).hit is None
    assert PredictedStep(7, {"up": 0.5, "down": 0.5}, "down").hit == 0.5
    assert report.accuracy_from(5) == (0.5, 2)
    assert report.accuracy_from(6) == (1.0, 1)
    assert report.accuracy_from(4) is None  # all of them: that is `accuracy`
    assert report.accuracy_from(7) is None


def without_times(value: dict[str, Any]) -> dict[str, Any]:
    """The report without the wall times, which vary from run to run."""
    usage = {k: v for k, v in value["usage"].items() if k not in ("seconds", "wall_seconds")}
    usage["per_call"] = [{k: v for k, v in c.items() if k != "seconds"} for c in usage["per_call"]]
    return {**value, "usage": usage}


def test_predict_json_prints_the_library_report(
    trajectory: Trajectory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "left-right.jsonl"
    write_trajectory(path, trajectory)
    paths = programs(tmp_path, trajectory)
    argv = ["predict", f"--trajectory={path}", "--observe=6", "--particles=4", "--top=2"]
    assert main([*argv, "--proposer=list", "--programs", *map(str, paths), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    with make_proposer("list", programs=paths) as proposer:
        report = prediction_report(trajectory, proposer, observe=6, particles=4, top=2)
    assert without_times(printed) == without_times(report.to_json())

    assert main([*argv, "--proposer=list", "--programs", *map(str, paths)]) == 0
    text = capsys.readouterr().out
    assert "accuracy 1.000 over 6 steps after observing 6 (frozen)" in text
    assert "accuracy 1.000 on the 4 steps from the layout swap" in text
    assert "# program 1: weight" in text and replay(trajectory).rstrip() in text


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("synth", {"programs": ["x.py"]}, "--programs is for --proposer list"),
        ("list", {}, "--proposer list needs --programs"),
        ("hybrid", {}, "proposer hybrid needs LLM settings"),
        ("oracle", {}, "unknown proposer 'oracle'"),
    ],
)
def test_a_proposer_asked_for_wrongly_is_refused(
    name: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(RoteError, match=message):
        make_proposer(name, **options)
