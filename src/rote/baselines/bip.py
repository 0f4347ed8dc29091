"""Bayesian inverse planning (BIP) for Construction: goal inference under a rational-agent model.

This is the classic method (Baker, Saxe & Tenenbaum 2009, "Action understanding as inverse
planning") that the ROTE paper's AutoToM baseline automates with an LLM: there, the model
proposes the mental variables and their hypotheses and scores the likelihoods. AutoToM is a
flat script bound to a hosted model (GPT-4o), so it cannot run here; this module is its non-LLM
form, with the goal space enumerated by hand for Construction instead of proposed by a model.

The observer assumes the agent pursues one goal (reach a colour, reach a corner, carry a colour
to a corner or next to its kind, or stay) and picks actions by a softmax over their values with
inverse temperature beta, plus an epsilon of random action. Values are shortest-path costs on
the grid of the current observation (value iteration with unit step costs), where walls block
and blocks do not, as the env has it; a goal with several stages (drop what is held, pick up,
carry, drop) chains their costs. Goals may switch between steps with a small probability (the
paper's "changing goals" model), which lets BIP follow an agent whose goal moves on once reached.
The posterior over (goal, beta) is updated from each observed action's likelihood, and the
prediction is the posterior-weighted mix of the goal policies at the current observation.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from rote.envs.base import EnvSpec
from rote.envs.construction import ConstructionSpec
from rote.errors import RoteError
from rote.observation import Observation
from rote.predictor import Predictor
from rote.skills.construction import (
    COLOURS,
    CORNERS,
    MOVES,
    Cell,
    ConstructionState,
    away,
    beside,
    closest,
    corner_cell,
    free_cells,
    isolated,
    parse,
)
from rote.skills.grid import step_cell

FloatArray = NDArray[np.float64]
CORNER_RADIUS = 2
"""A block within this Manhattan distance of a corner's cell counts as already there."""


@dataclass(frozen=True)
class Stage:
    """One leg of a goal: get to one of `targets`, then interact there or just arrive."""

    targets: Sequence[Cell]
    interact: bool


@dataclass(frozen=True)
class Goal:
    """A named goal and how it unfolds into stages in a given state (no stages: stay put)."""

    name: str
    stages: Callable[[ConstructionState], list[Stage]]


def _reach(
    cells: Callable[[ConstructionState], Sequence[Cell]], state: ConstructionState
) -> list[Stage]:
    return [Stage(cells(state), interact=False)]


def _carry(
    colour: str,
    pick: Callable[[ConstructionState], Sequence[Cell]],
    drop: Callable[[ConstructionState], Sequence[Cell]],
    state: ConstructionState,
) -> list[Stage]:
    """Drop any other block first, pick up one of `colour` unless already held, carry, drop."""
    stages = []
    if state.held not in (None, colour):
        stages.append(Stage(free_cells(state), interact=True))
    if state.held != colour:
        stages.append(Stage(pick(state), interact=True))
    stages.append(Stage(drop(state), interact=True))
    return stages


def _colour_cells(colour: str, state: ConstructionState) -> list[Cell]:
    return state.cells_of(colour)


def _corner(corner: str, state: ConstructionState) -> list[Cell]:
    return [corner_cell(state, corner)]


def _away_from_corner(colour: str, corner: str, state: ConstructionState) -> list[Cell]:
    return away(state.cells_of(colour), corner_cell(state, corner), CORNER_RADIUS)


def _nearest_free_to_corner(corner: str, state: ConstructionState) -> list[Cell]:
    return closest(free_cells(state), corner_cell(state, corner))


def _isolated(colour: str, state: ConstructionState) -> list[Cell]:
    return isolated(state, colour)


def _beside_colour(colour: str, state: ConstructionState) -> list[Cell]:
    return beside(state, state.cells_of(colour))


def construction_goals() -> list[Goal]:
    """The goal space: stay; reach each colour; reach each corner; carry each colour to each
    corner; carry each colour next to another block of that colour."""
    goals = [Goal("stay", lambda state: [])]
    goals += [Goal(f"reach {c}", partial(_reach, partial(_colour_cells, c))) for c in COLOURS]
    goals += [Goal(f"reach {k}", partial(_reach, partial(_corner, k))) for k in CORNERS]
    goals += [
        Goal(
            f"carry {c} to {k}",
            partial(
                _carry, c, partial(_away_from_corner, c, k), partial(_nearest_free_to_corner, k)
            ),
        )
        for c in COLOURS
        for k in CORNERS
    ]
    goals += [
        Goal(
            f"carry {c} next to {c}",
            partial(_carry, c, partial(_isolated, c), partial(_beside_colour, c)),
        )
        for c in COLOURS
    ]
    return goals


def _costs_to_go(state: ConstructionState, seeds: dict[Cell, int]) -> dict[Cell, int]:
    """Dijkstra from the seed cells (each with its own starting cost) over non-wall cells: the
    cost of finishing from every cell that can reach a seed."""
    best = dict(seeds)
    frontier = [(cost, cell) for cell, cost in seeds.items()]
    heapq.heapify(frontier)
    while frontier:
        cost, cell = heapq.heappop(frontier)
        if cost > best[cell]:
            continue
        for move in MOVES:
            nxt = step_cell(cell, move)
            if not state.is_wall(nxt) and cost + 1 < best.get(nxt, math.inf):
                best[nxt] = cost + 1
                heapq.heappush(frontier, (cost + 1, nxt))
    return best


def action_values(
    state: ConstructionState, stages: Sequence[Stage], actions: Sequence[str]
) -> list[float]:
    """Q(action) = minus the steps still needed after taking it, for the goal's stages.

    A goal with nothing left to do, or none of it reachable, values staying at 0 and every other
    action at -1. Interacting anywhere but on a current interact target wastes a step."""
    current = 0
    while (
        current < len(stages)
        and not stages[current].interact
        and state.agent in stages[current].targets
    ):
        current += 1
    later: dict[Cell, int] | None = None  # cost after the last stage: 0 everywhere
    values: list[dict[Cell, int]] = []
    for stage in reversed(stages[current:]):
        extra = 1 if stage.interact else 0
        seeds = {
            cell: extra + (0 if later is None else later[cell])
            for cell in stage.targets
            if not state.is_wall(cell) and (later is None or cell in later)
        }
        later = _costs_to_go(state, seeds)
        values.append(later)
    if not values or state.agent not in values[-1]:
        return [0.0 if action == "stay" else -1.0 for action in actions]
    here, after = values[-1], (values[-2] if len(values) > 1 else None)
    waste = -1.0 - here[state.agent]
    stage = stages[current]
    finishes = stage.interact and state.agent in stage.targets
    finishes = finishes and (after is None or state.agent in after)
    q = []
    for action in actions:
        if action in MOVES:
            target = step_cell(state.agent, action)
            q.append(-1.0 - here[state.agent if state.is_wall(target) else target])
        elif action == "interact" and finishes:
            q.append(-1.0 - (0 if after is None else after[state.agent]))
        else:
            q.append(waste)
    return q


class BIPPredictor(Predictor):
    """Posterior over (goal, beta) from observed actions; predicts the mixture of their policies."""

    name: ClassVar[str] = "bip"

    def __init__(
        self,
        env: EnvSpec,
        betas: Sequence[float] = (0.5, 2.0, 8.0),
        epsilon: float = 0.05,
        switch: float = 0.1,
    ) -> None:
        super().__init__(env)
        if env.id != ConstructionSpec.id:
            raise RoteError(
                f"bip needs a planner for env {env.id!r}; it has one only for construction"
            )
        if not betas or min(betas) <= 0:
            raise ValueError(f"betas must be positive, not {betas}")
        if not 0.0 <= epsilon < 1.0 or not 0.0 <= switch <= 1.0:
            raise ValueError("epsilon must be in [0, 1) and switch in [0, 1]")
        self.goals = construction_goals()
        self.betas: FloatArray = np.asarray(betas, dtype=np.float64)
        self.epsilon = epsilon
        self.switch = switch
        self.weights: FloatArray = np.full(
            (len(self.goals), len(betas)), 1.0 / (len(self.goals) * len(betas))
        )
        """The posterior over (goal, beta) after the steps learned from."""
        self._cached: tuple[str, FloatArray] | None = None

    def posterior(self) -> dict[str, float]:
        """The goal posterior, beta marginalised out: what BIP thinks the agent is after."""
        marginal = self.weights.sum(axis=1)
        return {goal.name: float(p) for goal, p in zip(self.goals, marginal, strict=True)}

    def policies(self, observation: Observation) -> FloatArray:
        """p(action | goal, beta) at this observation: shape (goals, betas, actions). The last
        observation's table is kept, since a step is usually predicted and then observed."""
        key = json.dumps(observation, sort_keys=True)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        state = parse(observation)
        q = np.asarray(
            [action_values(state, goal.stages(state), self.actions) for goal in self.goals]
        )
        logits = self.betas[None, :, None] * q[:, None, :]
        boltzmann = np.exp(logits - logits.max(axis=2, keepdims=True))
        boltzmann /= boltzmann.sum(axis=2, keepdims=True)
        table: FloatArray = (1.0 - self.epsilon) * boltzmann + self.epsilon / len(self.actions)
        self._cached = (key, table)
        return table

    def _prior(self) -> FloatArray:
        """The weights one step on: each goal is kept, or with probability `switch` redrawn."""
        redrawn = self.weights.sum(axis=0, keepdims=True) / len(self.goals)
        prior: FloatArray = (1.0 - self.switch) * self.weights + self.switch * redrawn
        return prior

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        if update:
            likelihood = self.policies(observation)[:, :, self.actions.index(action)]
            posterior = self._prior() * likelihood
            self.weights = posterior / posterior.sum()

    def _predict(self, observation: Observation) -> dict[str, float]:
        mixture = np.einsum("gb,gba->a", self._prior(), self.policies(observation))
        return {action: float(p) for action, p in zip(self.actions, mixture, strict=True)}
