"""Skills modules are stdlib-only and reach sandboxed programs as they reach in-process ones."""

from __future__ import annotations

import ast
import sys

import pytest

from rote import make_env
from rote.agents import make_agent
from rote.programs import Sandbox
from rote.rollout import rollout
from rote.skills import sources as skills_sources
from rote.skills.construction import ConstructionState, isolated

ACTIONS = ["stay", "up", "down", "left", "right", "interact"]


def imported_modules(text: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


@pytest.mark.parametrize(("name", "text"), skills_sources())
def test_a_skills_module_imports_only_the_stdlib_and_earlier_skills(name: str, text: str) -> None:
    names = [module for module, _ in skills_sources()]
    earlier = set(names[: names.index(name)])
    for module in imported_modules(text):
        top = module.partition(".")[0]
        assert module in earlier or top in sys.stdlib_module_names, f"{name} imports {module}"


@pytest.mark.parametrize(
    ("imports", "skill"),
    [
        ("from rote.skills.construction import move, parse", "move"),
        ("import rote.skills.construction as s", "s.move"),
        (
            "import rote.skills.grid\nimport rote.skills.construction",
            "rote.skills.grid.OPPOSITE and rote.skills.construction.move",
        ),
    ],
)
def test_programs_import_skills_in_every_form(sandbox: Sandbox, imports: str, skill: str) -> None:
    program = (
        f"{imports}\nfrom rote.skills.construction import parse\n\n"
        f"class Agent:\n    def act(self, observation):\n"
        f"        return ({skill})(parse(observation), 'up')\n"
    )
    trajectory = rollout(
        make_env("construction"), make_agent("construction", "up-down"), steps=5, seed=0
    )
    observations = [step.observation for step in trajectory.steps]
    (result,) = sandbox.replay([program], observations, ACTIONS)
    assert result.error is None
    assert result.outputs[0] in ("up", "stay")


def test_private_names_of_a_skills_module_stay_hidden(sandbox: Sandbox) -> None:
    program = "from rote.skills.construction import _cell\n\nclass Agent:\n    pass\n"
    (result,) = sandbox.replay([program], [{}], ACTIONS)
    assert result.error is not None
    assert "_cell" in result.error


def test_a_block_alone_in_its_colour_is_not_isolated() -> None:
    state = ConstructionState(7, (1, 1), blocks={(2, 2): "blue", (4, 4): "pink"})
    assert isolated(state, "blue") == []
    state.blocks[(5, 5)] = "blue"
    assert sorted(isolated(state, "blue")) == [(2, 2), (5, 5)]
    state.blocks[(5, 4)] = "blue"
    assert isolated(state, "blue") == [(2, 2)]
