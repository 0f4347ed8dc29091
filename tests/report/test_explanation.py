"""`rote explain`: the belief over the steps, the events, and the terminal view of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rote import make_env, rollout, write_trajectory
from rote.agents import agent_source, make_agent
from rote.proposers import make_proposer
from rote.report.explanation import explain
from rote.report.terminal import sparkline, step_ranges
from rote.trajectory import Trajectory
from tests.conftest import assert_one_line_exit_2, run_rote


@pytest.fixture(scope="module")
def trajectory() -> Trajectory:
    """Left-right on Construction for 16 steps, the layout swapped at step 10."""
    agent = make_agent("construction", "left-right")
    return rollout(make_env("construction"), agent, steps=16, seed=0, swap_at=10)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The family's own program and a wrong one (always up)."""
    directory = tmp_path_factory.mktemp("programs")
    right = directory / "left_right.py"
    right.write_text(agent_source("construction", "left-right"))
    up = directory / "up.py"
    up.write_text(
        '"""Always up."""\nclass Agent:\n    def act(self, observation):\n        return "up"\n'
    )
    return [right, up]


def test_the_belief_settles_on_the_program_that_explains_the_agent(
    trajectory: Trajectory, library: list[Path]
) -> None:
    with make_proposer("list", programs=library) as proposer:
        found = explain(trajectory, proposer, observe=6, particles=4, top=2)
    first, second = found.report.programs[:2]
    assert first.description.startswith("left-right")
    assert second.description == "Always up."
    assert len(found.belief) == 16 and all(len(row) == 2 for row in found.belief)
    assert all(abs(sum(row) - 1) < 1e-6 for row in found.belief)  # only two programs held
    assert found.belief[-1][0] > 0.99 and found.belief[5][0] == pytest.approx(first.weight)
    assert [(e.t, e.kind) for e in found.events] == [(6, "inferred"), (10, "swap")]


def test_a_horizon_that_stops_before_the_swap_shows_no_swap(
    trajectory: Trajectory, library: list[Path], tmp_path: Path
) -> None:
    with make_proposer("list", programs=library) as proposer:
        found = explain(trajectory, proposer, observe=6, particles=4, top=2, horizon=2)
    assert len(found.belief) == 8
    assert [(e.t, e.kind) for e in found.events] == [(6, "inferred")]
    path = tmp_path / "left-right.jsonl"
    write_trajectory(path, trajectory)
    argv = ["explain", "--trajectory", str(path), "--observe", "6", "--horizon", "2"]
    result = run_rote(*argv, "--proposer", "list", "--programs", *map(str, library))
    assert result.returncode == 0, result.stderr
    assert "| marks the end of the observed steps. Events:" in result.stdout


def test_online_updating_records_its_events(trajectory: Trajectory, library: list[Path]) -> None:
    with make_proposer("list", programs=library[1:]) as proposer:  # only the wrong program
        found = explain(trajectory, proposer, observe=6, updating="online", particles=2, top=1)
    kinds = {event.kind for event in found.events}
    assert {"inferred", "rejuvenated", "swap"} <= kinds  # nothing explains it: it asks again
    assert json.loads(json.dumps(found.to_json()))["events"][0]["kind"] == "inferred"


def test_the_command_prints_programs_charts_and_events(
    trajectory: Trajectory, library: list[Path], tmp_path: Path
) -> None:
    path = tmp_path / "left-right.jsonl"
    write_trajectory(path, trajectory)
    argv = ["explain", "--trajectory", str(path), "--observe", "6", "--particles", "4"]
    result = run_rote(*argv, "--proposer", "list", "--programs", *map(str, library))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "1. weight 1.000, fits 6 of 6 observed steps" in text
    assert "belief over steps 0-15: [" in text and "step 10: swap" in text
    assert "disagrees with the agent at no observed step; no later step" in text
    assert "class Agent" in text  # the source, highlighted
    assert_one_line_exit_2(
        run_rote(*argv, "--proposer", "list", "--programs", str(tmp_path / "none.py")),
        "no such program file",
    )


def test_a_chart_and_step_ranges_read_as_they_should() -> None:
    assert sparkline([0.0, 0.5, 1.0]) == " ▄█"
    assert len(sparkline([1.0] * 1000)) == 60  # long runs are averaged into the terminal
    assert step_ranges([3, 7, 8, 9, 12]) == "3, 7-9, 12"
    assert step_ranges([]) == ""
