"""Recording agents: determinism under a seed, the layout swap, and file generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from rote.agents import agent_names, make_agent
from rote.envs import Observation, make_env
from rote.errors import AgentError, RoteError
from rote.rollout import generate, rollout
from rote.trajectory import read_trajectory


class Recorder:
    """An agent that always goes right and remembers what it saw."""

    def __init__(self) -> None:
        self.seen: list[Observation] = []

    def act(self, observation: Observation) -> str:
        self.seen.append(observation)
        return "right"


def test_rollout_records_what_the_agent_saw() -> None:
    agent = Recorder()
    trajectory = rollout(make_env("construction"), agent, steps=5, seed=0, agent_label="r")
    assert [step.observation for step in trajectory.steps] == agent.seen
    assert trajectory.actions == ["right"] * 5
    assert [step.observation["t"] for step in trajectory.steps] == [0, 1, 2, 3, 4]
    assert trajectory.header.meta == {"seed": 0, "swap_at": None}


def test_swap_changes_the_layout_at_that_step_only() -> None:
    spec = make_env("construction")
    plain = rollout(spec, Recorder(), steps=10, seed=4)
    swapped = rollout(spec, Recorder(), steps=10, seed=4, swap_at=6)
    assert plain.steps[:6] == swapped.steps[:6]

    def layout(observation: Observation) -> tuple[object, object]:
        return observation["walls"], observation["blocks"]

    assert layout(swapped.steps[6].observation) != layout(swapped.steps[5].observation)
    assert layout(swapped.steps[9].observation) == layout(swapped.steps[6].observation)
    assert swapped.steps[6].observation["t"] == 6


@pytest.mark.parametrize("swap_at", [0, 10, -1])
def test_swap_must_fall_inside_the_episode(swap_at: int) -> None:
    with pytest.raises(RoteError, match="swap_at must be between 1 and steps - 1"):
        rollout(make_env("construction"), Recorder(), steps=10, seed=0, swap_at=swap_at)


def test_generate_is_deterministic_and_writes_one_file_per_episode(tmp_path: Path) -> None:
    kwargs = {"episodes": 2, "steps": 12, "seed": 5, "swap_at": 8, "noise": 0.2}
    first = generate("construction", ["snake", "left-right"], out_dir=tmp_path / "a", **kwargs)
    second = generate("construction", ["snake", "left-right"], out_dir=tmp_path / "b", **kwargs)
    assert first.kept == [] and second.kept == []
    assert [p.name for p in first.written] == [
        "snake-000.jsonl",
        "snake-001.jsonl",
        "left-right-000.jsonl",
        "left-right-001.jsonl",
    ]
    for a, b in zip(first.written, second.written, strict=True):
        assert a.read_bytes() == b.read_bytes()
    trajectory = read_trajectory(first.written[1])
    assert trajectory.header.agent == "snake"
    assert trajectory.header.meta["seed"] == 6 and trajectory.header.meta["swap_at"] == 8
    assert len(trajectory.steps) == 12
    # episode e of every family shares its first layout
    assert (
        read_trajectory(first.written[0]).steps[0].observation["walls"]
        == (read_trajectory(first.written[2]).steps[0].observation["walls"])
    )


def test_generate_keeps_finished_files_and_redoes_broken_or_different_ones(
    tmp_path: Path,
) -> None:
    kwargs = {"episodes": 3, "steps": 10, "seed": 0}
    done = generate("construction", ["snake"], out_dir=tmp_path, **kwargs)
    before = [path.read_bytes() for path in done.written]
    done.written[1].write_text(done.written[1].read_text()[:-40])  # a run killed mid-file
    again = generate("construction", ["snake"], out_dir=tmp_path, **kwargs)
    assert again.written == [done.written[1]]
    assert again.kept == [done.written[0], done.written[2]]
    assert [path.read_bytes() for path in done.written] == before
    longer = generate("construction", ["snake"], out_dir=tmp_path, **{**kwargs, "steps": 12})
    assert len(longer.written) == 3


def test_generate_fails_before_writing_on_an_unknown_agent(tmp_path: Path) -> None:
    with pytest.raises(AgentError, match='agent "nope" is not registered'):
        generate("construction", ["snake", "nope"], episodes=1, steps=5, seed=0, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_every_family_is_registered() -> None:
    assert len(agent_names("construction")) == 10
    for name in agent_names("construction"):
        assert callable(make_agent("construction", name).act)
