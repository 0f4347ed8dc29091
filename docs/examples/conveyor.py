"""Conveyor: a complete rote environment in one file (docs/bring-your-own-env.md explains it).

A parcel arrives each step, with a colour and a weight (1 to max_weight, an env kwarg); the
agent sends it to the left bin, to the right bin, or lets it pass. Importing this file registers
the env with its synthesizer vocabulary and one scripted sorter, in one call, so
`rote --plugin docs/examples/conveyor.py ...` can use them all (a bench suite and behaviour
cloning included).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from rote import EnvSpec, register
from rote.envs.scene import Item, Scene
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import Guard, Skill, Vocabulary
from rote.proposers.synthesizer.terms import Terms
from rote.skills import generic

COLOURS = ("red", "green", "blue")
ACTIONS = ("left", "right", "pass")
HEAVY = 5
"""A parcel above this weight is heavy."""
GYM_ID = "rote-example/Conveyor-v0"
BINS: list[Item] = [
    {"x": 0, "y": 1, "shape": "rect", "fill": "tan", "label": "left"},
    {"x": 2, "y": 1, "shape": "rect", "fill": "tan", "label": "right"},
]
"""The two bins, below either side of the belt: they never move, so the report stores them once."""


class ConveyorEnv(gym.Env[Any, np.int64]):
    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium API

    def __init__(self, max_weight: int = 9, render_mode: str | None = None) -> None:
        self.max_weight = max_weight
        self.render_mode = render_mode
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        self.observation_space = gym.spaces.Box(0, 1000, shape=(4,), dtype=np.int64)
        self.state: dict[str, Any] = {"t": 0, "colour": "red", "weight": 1, "left": 0, "right": 0}

    def _parcel(self) -> None:
        self.state["colour"] = COLOURS[int(self.np_random.integers(len(COLOURS)))]
        self.state["weight"] = int(self.np_random.integers(1, self.max_weight + 1))

    def _numbers(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        s = self.state
        return np.array([COLOURS.index(s["colour"]), s["weight"], s["left"], s["right"]])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        super().reset(seed=seed)
        self.state.update(t=0, left=0, right=0)
        self._parcel()
        return self._numbers(), {}

    def step(self, action: np.int64) -> Any:
        name = ACTIONS[int(action)]
        if name != "pass":
            self.state[name] += 1
        self.state["t"] += 1
        self._parcel()
        return self._numbers(), 0.0, False, False, {}

    def render(self) -> str | None:
        return render(self.state) if self.render_mode == "ansi" else None


def render(observation: Observation) -> str:
    o = observation
    bins = f"bins {o['left']}|{o['right']}"
    return f"t={o['t']}: a {o['colour']} parcel of weight {o['weight']}; {bins}"


def schema(max_weight: int) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["t", "colour", "weight", "left", "right"],
        "properties": {
            "t": {"type": "integer", "minimum": 0, "description": "time step"},
            "colour": {"enum": list(COLOURS), "description": "the parcel's colour"},
            "weight": {
                "type": "integer",
                "minimum": 1,
                "maximum": max_weight,
                "description": "its weight",
            },
            "left": {"type": "integer", "minimum": 0, "description": "parcels in the left bin"},
            "right": {"type": "integer", "minimum": 0, "description": "parcels in the right bin"},
        },
    }


class ConveyorSpec(EnvSpec):
    id: ClassVar[str] = "conveyor"
    # make_env checks a header's env_kwargs against this before building the spec
    kwargs_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"max_weight": {"type": "integer", "minimum": HEAVY + 1, "maximum": 99}},
    }

    def __init__(self, max_weight: int = 9) -> None:
        rules = "Each step a parcel arrives; send it to the left or right bin, or let it pass."
        super().__init__(
            action_names=ACTIONS,
            rules=rules,
            observation_schema=schema(max_weight),
            kwargs={"max_weight": max_weight},
        )

    def render_text(self, observation: Observation) -> str:
        return render(observation)

    def draw(self, observation: Observation) -> Scene:
        """The parcel on the belt in its colour, labelled with its weight, above the bins."""
        colour, weight = observation["colour"], str(observation["weight"])
        parcel: Item = {
            "x": 1,
            "y": 0,
            "shape": "rect",
            "fill": colour,
            "size": 0.7,
            "label": weight,
        }
        caption = render(observation)
        return {
            "kind": "grid",
            "width": 3,
            "height": 2,
            "base": BINS,
            "items": [parcel],
            "caption": caption,
        }

    @property
    def simulated(self) -> bool:
        return True

    def make_gym(self, **options: Any) -> gym.Env[Any, Any]:
        return gym.make(GYM_ID, **self.kwargs, **options)

    def encode(self, env: gym.Env[Any, Any]) -> Observation:
        return dict(env.unwrapped.state)  # type: ignore[attr-defined]


class ConveyorVocabulary(Vocabulary):
    """What a person would say about sorting: colours, weights, fuller bins."""

    module = "rote.skills.generic"  # guards and skills read the observation as it is

    def __init__(self, env: EnvSpec) -> None:
        terms = Terms(generic)
        self._guards = [g for c in COLOURS for g in terms.guard(c, f'state["colour"] == "{c}"', 3)]
        self._guards += terms.guard("heavy", f'state["weight"] > {HEAVY}')
        self._guards += terms.guard("left fuller", 'state["left"] > state["right"]')
        self._skills = [terms.skill(f"send {a}", f'"{a}"', 3) for a in ACTIONS]
        emptier = '"left" if state["left"] <= state["right"] else "right"'
        self._skills.append(terms.skill("send to the emptier bin", emptier))

    def parse(self, observation: Observation) -> Any:
        return observation

    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        return list(self._guards)

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        return list(self._skills)


class HeavyLeft:
    """A scripted sorter: heavy parcels left, blue ones right, the rest pass."""

    def act(self, observation: Observation) -> str:
        if observation["weight"] > HEAVY:
            return "left"
        return "right" if observation["colour"] == "blue" else "pass"


gym.register(GYM_ID, entry_point=f"{__name__}:ConveyorEnv")
register(
    ConveyorSpec.id,
    ConveyorSpec,
    vocabulary=ConveyorVocabulary,
    agents={"heavy-left": HeavyLeft},
)
