"""`PredictionReport`: the schema of `rote predict --json` (docs/predict.schema.json), its round
trip, the CLI printing exactly what the library computes, and what `rote predict` leads with:
the best explanation, the predictions, and the programs as files to load back."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rote import make_env, rollout, write_trajectory
from rote.agents import make_agent
from rote.cli import main
from rote.errors import RoteError
from rote.evaluation.prediction import (
    PredictedStep,
    PredictionReport,
    PredictionSettings,
    prediction_report,
)
from rote.model import ProgramSummary
from rote.proposers import Usage, make_proposer
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Trajectory
from tests.conftest import assert_one_line_exit_2, run_rote
from tests.proposers.llm.fake_server import FakeLLMServer

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "predict.schema.json").read_text(encoding="utf-8")
)

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
    """The object validates against the published schema, and its derived fields agree."""
    jsonschema.validate(value, SCHEMA)
    assert list(value["usage"]) == USAGE_KEYS
    assert value["usage"]["per_call"] and all(
        list(call) == USAGE_KEYS[:-2] for call in value["usage"]["per_call"]
    )
    for prediction in value["predictions"]:
        step = PredictedStep(prediction["t"], prediction["dist"], prediction["actual"])
        assert (prediction["top"], prediction["hit"]) == (step.top, step.hit)
    assert isinstance(value["llm"], dict) if llm else value["llm"] is None
    known = [p for p in value["predictions"] if p["actual"] is not None]
    floored = [-math.log(max(p["dist"][p["actual"]], 1e-3)) for p in known]
    assert math.isclose(value["cross_entropy"], sum(floored) / len(floored))


def test_a_report_of_listed_programs_has_the_schema_and_round_trips(
    trajectory: Trajectory, tmp_path: Path
) -> None:
    with make_proposer("list", programs=programs(tmp_path, trajectory)) as proposer:
        report = prediction_report(trajectory, proposer, observe=6, particles=4)
    assert [p.t for p in report.predictions] == list(range(6, 12))
    assert report.programs[0].source == replay(trajectory)
    assert report.accuracy == 1.0
    value = json.loads(json.dumps(report.to_json()))
    check_schema(value, llm=False)
    assert PredictionReport.from_json(value) == report
    assert value["settings"] == {
        "trajectory": None,
        "env": "construction",
        "observe": 6,
        "mode": "frozen",
        "particles": 4,
        "seed": 0,
        "proposer": "list",
        "horizon": None,
    }
    assert (value["swap_at"], value["after_swap"]) == (8, {"accuracy": 1.0, "scored_steps": 4})
    replayed, right = value["programs"]
    assert (replayed["observed_fit"], replayed["missed"], replayed["steps_seen"]) == (6, [], 12)
    # named at every tick it acted or idled, the agent is one that acts whenever it means to
    assert list(replayed["acting_rates"]) == ["0", "1-3", "4+"]
    assert min(replayed["acting_rates"].values()) > 0.9
    moves_right = [t for t, action in enumerate(trajectory.actions) if action == "right"]
    assert right["missed"] == [t for t in range(12) if t not in moves_right]
    assert right["observed_fit"] == sum(t < 6 for t in moves_right)
    assert [p["rank"] for p in report.to_json(top=1)["programs"]] == [1]


def test_a_horizon_predicts_only_the_next_steps(trajectory: Trajectory, tmp_path: Path) -> None:
    heard: list[tuple[int, int]] = []  # what the progress bar is told
    with make_proposer("list", programs=programs(tmp_path, trajectory)) as proposer:
        report = prediction_report(
            trajectory,
            proposer,
            observe=6,
            particles=4,
            horizon=3,
            on_prediction=lambda done, total: heard.append((done, total)),
        )
    assert [p.t for p in report.predictions] == [6, 7, 8]
    assert heard == [(1, 3), (2, 3), (3, 3)]
    assert report.settings.horizon == 3
    assert report.after_swap == (1.0, 1)  # step 8 is the swap
    check_schema(json.loads(json.dumps(report.to_json())), llm=False)


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
        settings=PredictionSettings(None, "construction", 4, "frozen", 1, 0, "list", None),
        predictions=(
            PredictedStep(4, hit, "up"),
            PredictedStep(5, miss, "up"),
            PredictedStep(6, hit, "up"),
        ),
        accuracy=2 / 3,
        swap_at=5,
        programs=(ProgramSummary(1.0, RIGHT, "list", "", (True, False, True, True)),),
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
    assert report.after_swap == (0.5, 2)
    assert report.observed_fit(report.programs[0]) == 3
    assert math.isclose(report.cross_entropy, -math.log(1e-3) / 3)  # the miss, floored
    assert report.no_stay is None  # no idle action


def test_the_no_stay_scores_leave_out_the_steps_the_agent_idled() -> None:
    report = PredictionReport(
        settings=PredictionSettings(None, "construction", 4, "frozen", 1, 0, "list", None),
        predictions=(
            PredictedStep(4, {"stay": 0.8, "up": 0.15, "down": 0.05}, "up"),
            PredictedStep(5, {"stay": 0.8, "up": 0.15, "down": 0.05}, "stay"),
            PredictedStep(6, {"stay": 0.5, "up": 0.1, "down": 0.4}, "up"),
        ),
        accuracy=1 / 3,
        swap_at=None,
        programs=(),
        usage={},
        per_call=(),
        llm=None,
        idle_action="stay",
    )
    accuracy, cross_entropy, steps = report.no_stay or (0.0, 0.0, 0)
    assert (accuracy, steps) == (0.5, 2)  # up beats down on step 4, not on step 6
    assert math.isclose(cross_entropy, (-math.log(0.75) - math.log(0.2)) / 2)
    value = json.loads(json.dumps(report.to_json()))
    assert value["no_stay"] == {
        "accuracy": 0.5,
        "cross_entropy": cross_entropy,
        "scored_steps": 2,
    }
    assert value["idle_action"] == "stay"
    assert PredictionReport.from_json(value) == report


def test_a_version_1_report_reads_back_without_an_idle_action(
    trajectory: Trajectory, tmp_path: Path
) -> None:
    with make_proposer("list", programs=programs(tmp_path, trajectory)) as proposer:
        report = prediction_report(trajectory, proposer, observe=6, particles=4)
    assert report.idle_action == "stay"
    value = report.to_json()
    old = {k: v for k, v in value.items() if k not in ("cross_entropy", "no_stay", "idle_action")}
    old["schema"] = "rote.prediction/1"
    assert PredictionReport.from_json(old) == replace(report, idle_action=None)


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
        report = prediction_report(trajectory, proposer, observe=6, particles=4, path=str(path))
    assert without_times(printed) == without_times(report.to_json(top=2))

    jsonschema.validate(printed, SCHEMA)

    assert main([*argv, "--proposer=list", "--programs", *map(str, paths)]) == 0
    text = capsys.readouterr().out
    first = text.splitlines()[0]
    assert re.fullmatch(
        r"best explanation \(weight 0\.99\d, fits 6 of 6 observed steps\): "
        rf"\(no docstring; from list:{re.escape(str(paths[1]))}\)",
        first,
    )
    assert "steps 6-11 predicted after observing steps 0-5 (frozen)" in text
    assert "layout swap" in text
    assert "accuracy 1.000 over 6 steps after observing 6 (frozen)" in text
    assert "accuracy 1.000 on the 4 steps from the layout swap" in text
    assert "class Agent" not in text  # the source only with --source

    assert main([*argv, "--proposer=list", "--programs", *map(str, paths), "--source"]) == 0
    text = capsys.readouterr().out
    assert "# program 1: weight" in text and replay(trajectory).rstrip() in text


def test_saved_programs_load_back_as_the_same_posterior(
    trajectory: Trajectory, tmp_path: Path
) -> None:
    path = tmp_path / "left-right.jsonl"
    write_trajectory(path, trajectory)
    argv = ["predict", "--trajectory", str(path), "--observe", "6", "--particles", "4", "--json"]
    saved = tmp_path / "saved"
    listed = [*argv, "--proposer", "list", "--programs", *map(str, programs(tmp_path, trajectory))]
    first = run_rote(*listed, "--save-programs", str(saved))
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in saved.iterdir()) == [
        "program-1.py",
        "program-2.py",
        "programs.json",
    ]
    index = json.loads((saved / "programs.json").read_text())
    assert [p["file"] for p in index["programs"]] == ["program-1.py", "program-2.py"]
    assert (saved / "program-1.py").read_text() == replay(trajectory)  # as it ran
    again = run_rote(*argv, "--proposer", "list", "--programs", str(saved))
    assert again.returncode == 0, again.stderr
    before, after = json.loads(first.stdout), json.loads(again.stdout)

    def without_origin(value: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in p.items() if k != "origin"} for p in value["programs"]]

    assert without_origin(after) == without_origin(before)  # origin: now the saved files
    assert after["predictions"] == before["predictions"]
    # a second save into the same directory would mix two runs' programs
    assert_one_line_exit_2(
        run_rote(*listed, "--save-programs", str(saved)), "already holds programs"
    )


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
