"""The one interface ROTE and every baseline predict through: observe, infer, predict.

A predictor sees a trajectory step by step. `observe` reveals one (observation, action) pair;
with `update=False` the step is revealed without learning from it (the paper's frozen
protocols: a recurrent model still reads it, counts and posteriors stay as they were). `infer`
marks the end of the observed window, where a method does its per-trajectory work once.
`predict` gives a distribution over the env's action names for an observation. The base class
validates both directions, so implementations write only `_observe` and `_predict`.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from typing import ClassVar

from rote.closing import Closeable
from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.observation import Observation


class Predictor(Closeable):
    """Predicts an agent's next action from what it has seen the agent do."""

    name: ClassVar[str]

    def __init__(self, env: EnvSpec) -> None:
        self.env = env
        self.actions = tuple(env.action_names)
        self.observed = 0
        """Steps revealed so far, learned from or not."""

    def observe(self, observation: Observation, action: str, *, update: bool = True) -> None:
        if action not in self.actions:
            raise RoteError(f'action "{action}" is not one of {", ".join(self.actions)}')
        self._observe(observation, action, update)
        self.observed += 1

    def infer(self) -> None:
        """The observed window is over: do the per-trajectory work (nothing by default)."""

    def predict(self, observation: Observation) -> dict[str, float]:
        """A probability for every action name, summing to 1."""
        raw = self._predict(observation)
        unknown = set(raw) - set(self.actions)
        if unknown:
            raise RoteError(f"{self.name} predicted unknown actions {sorted(unknown)}")
        if any(not math.isfinite(p) or p < 0 for p in raw.values()):
            raise RoteError(f"{self.name} predicted a negative or non-finite probability: {raw}")
        total = sum(raw.values())
        if total <= 0:
            raise RoteError(f"{self.name} predicted no action at all")
        return {action: raw.get(action, 0.0) / total for action in self.actions}

    def usage(self) -> dict[str, float]:
        """Costs beyond wall time (LLM tokens, calls) for the bench to report; none by default."""
        return {}

    @abstractmethod
    def _observe(self, observation: Observation, action: str, update: bool) -> None: ...

    @abstractmethod
    def _predict(self, observation: Observation) -> dict[str, float]: ...

    def close(self) -> None:
        """Release what the predictor holds; nothing by default."""
