"""Trajectory reports of every registered env family, for the report tests, the README
screenshot and the load-time figures: a short recorded trajectory, explained by listed programs
(fast and deterministic: no search), rendered to a page."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from rote import make_env
from rote.agents import make_agent
from rote.envs import EnvSpec
from rote.plugins import load_plugin
from rote.proposers import make_proposer
from rote.report.explanation import explain
from rote.report.html import trajectory_page
from rote.report.trajectory import trajectory_data
from rote.rollout import record, rollout
from rote.trajectory import Header, Step, Trajectory
from tests.envs.test_overcooked import kitchen

ROOT = Path(__file__).parents[2]
CONVEYOR = ROOT / "docs" / "examples" / "conveyor.py"
FAMILIES = ("construction", "repeated-game", "minigrid", "overcooked", "conveyor")
"""Every registered env family and the conveyor plugin."""
OBSERVE = 10
"""Steps the reports observe; Construction swaps its layout 2 steps later."""


def trajectory_of(family: str, steps: int = 30) -> tuple[Trajectory, EnvSpec]:
    """A recorded trajectory of the family and the spec that draws it."""
    if family == "construction":
        spec = make_env("construction")
        trajectory = rollout(
            spec, make_agent("construction", "snake"), steps=steps, seed=0, swap_at=OBSERVE + 2
        )
        return trajectory, spec
    if family == "repeated-game":
        spec = make_env("repeated-game")
        return rollout(spec, make_agent("repeated-game", "tit-for-tat"), steps=steps, seed=0), spec
    if family == "minigrid":
        env_id = "minigrid:MiniGrid-GoToObject-8x8-N2-v0"
        trajectory = record(env_id, make_agent(env_id, "go-to-object").act, steps=steps, seed=0)
        return trajectory, make_env(env_id)
    if (
        family == "overcooked"
    ):  # replay-only: a trajectory of valid kitchens, as recorded games hold
        spec = make_env("overcooked")
        rng = random.Random(0)
        played = [Step(kitchen(seed=t), rng.choice(spec.action_names)) for t in range(steps)]
        return Trajectory(Header("overcooked", agent="test"), played), spec
    if family == "conveyor":
        load_plugin(str(CONVEYOR))
        spec = make_env("conveyor")
        return rollout(spec, make_agent("conveyor", "heavy-left"), steps=steps, seed=0), spec
    raise ValueError(f"no trajectory for {family}")


def programs(directory: Path, trajectory: Trajectory) -> list[Path]:
    """Two programs that replay the actions (so both explain every step, and the belief is
    shared) and one that always takes the first action."""
    actions = [step.action for step in trajectory.steps]
    replay = (
        "class Agent:\n    def __init__(self):\n        self.t = -1\n\n"
        "    def act(self, observation):\n        self.t += 1\n"
        f"        return {actions!r}[min(self.t, {len(actions) - 1})]\n"
    )
    sources = {
        "replay.py": f'"""Replays the recorded actions."""\n\n{replay}',
        "replay_too.py": f'"""Replays the recorded actions, <b>escaped</b> & all."""\n\n{replay}',
        "first.py": f'"""Always {actions[0]}."""\n\n'
        f"class Agent:\n    def act(self, observation):\n        return {actions[0]!r}\n",
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, source in sources.items():
        (directory / name).write_text(source)
    return [directory / name for name in sources]


def report_data(family: str, directory: Path, steps: int = 30) -> dict[str, Any]:
    """The report's JSON object for a trajectory of the family, explained by `programs`."""
    trajectory, spec = trajectory_of(family, steps)
    with make_proposer("list", programs=programs(directory / "programs", trajectory)) as proposer:
        explanation = explain(trajectory, proposer, observe=OBSERVE, top=5)
    return trajectory_data(explanation, spec, f"{family} (test)")


def write_report(family: str, directory: Path, steps: int = 30) -> Path:
    """A trajectory report of the family, written to `directory`."""
    page = directory / f"{family}.html"
    page.write_text(trajectory_page(report_data(family, directory, steps)), encoding="utf-8")
    return page
