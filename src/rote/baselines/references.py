"""Reference predictors: what any method must beat to show it models the agent at all.

None of them reads the observation. Uniform is chance; frequency and repeat-last are the two
trivial "habits" (the agent does what it mostly does, or what it just did); an n-gram over the
action sequence catches rhythms (a patrol, a pacing) without any notion of the world; and
always-stay predicts the env's idle action, which is what a per-tick accuracy on people mostly
rewards (they stay on 56% of Overcooked ticks). All are deterministic and smoothed, so they
never give an action probability zero.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import ClassVar

from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.observation import Observation
from rote.predictor import Predictor


class UniformPredictor(Predictor):
    """Every action equally likely: chance level."""

    name: ClassVar[str] = "uniform"

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        pass

    def _predict(self, observation: Observation) -> dict[str, float]:
        return dict.fromkeys(self.actions, 1.0)


class FrequencyPredictor(Predictor):
    """The action counts so far plus one each (add-one smoothing): the argmax is the mode, and
    actions seen equally often stay exactly tied."""

    name: ClassVar[str] = "frequency"

    def __init__(self, env: EnvSpec) -> None:
        super().__init__(env)
        self.counts: Counter[str] = Counter()

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        if update:
            self.counts[action] += 1

    def _predict(self, observation: Observation) -> dict[str, float]:
        return {action: self.counts[action] + 1.0 for action in self.actions}


def _mostly(actions: tuple[str, ...], chosen: str, epsilon: float) -> dict[str, float]:
    """`chosen` with probability 1 - epsilon, the other actions sharing epsilon: the paper's
    noise model for a deterministic guess."""
    if len(actions) == 1:
        return {chosen: 1.0}
    miss = epsilon / (len(actions) - 1)
    return {action: 1.0 - epsilon if action == chosen else miss for action in actions}


def _check_epsilon(epsilon: float) -> None:
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"epsilon must be in (0, 1), not {epsilon}")


class AlwaysStayPredictor(Predictor):
    """The env's idle action with probability 1 - epsilon, the others sharing epsilon: "the
    agent does nothing". Only for envs with an idle action (`EnvSpec.idle_action`)."""

    name: ClassVar[str] = "always-stay"

    def __init__(self, env: EnvSpec, epsilon: float = 0.1) -> None:
        super().__init__(env)
        _check_epsilon(epsilon)
        if env.idle_action is None:
            raise RoteError(f"{self.name}: env {env.id} has no idle action")
        self.idle = env.idle_action
        self.epsilon = epsilon

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        pass

    def _predict(self, observation: Observation) -> dict[str, float]:
        return _mostly(self.actions, self.idle, self.epsilon)


class RepeatLastPredictor(Predictor):
    """The last revealed action with probability 1 - epsilon, the others sharing epsilon;
    uniform before anything is revealed.

    The last action is context, not learning, so a frozen step still moves it on."""

    name: ClassVar[str] = "repeat-last"

    def __init__(self, env: EnvSpec, epsilon: float = 0.1) -> None:
        super().__init__(env)
        _check_epsilon(epsilon)
        self.epsilon = epsilon
        self.last: str | None = None

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        self.last = action

    def _predict(self, observation: Observation) -> dict[str, float]:
        if self.last is None:
            return dict.fromkeys(self.actions, 1.0)
        return _mostly(self.actions, self.last, self.epsilon)


class NgramPredictor(Predictor):
    """The next action given the last n - 1, with add-k smoothing, backing off to the longest
    shorter context that has been seen (down to the action frequencies, then uniform).

    Counts are learned only from updating steps; the context of recent actions always advances,
    so a frozen predictor keeps following the sequence with what it learned before."""

    name: ClassVar[str] = "ngram"

    def __init__(self, env: EnvSpec, n: int = 3, k: float = 0.5) -> None:
        super().__init__(env)
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        if k <= 0:
            raise ValueError(f"k must be positive, not {k}")
        self.n = n
        self.k = k
        self.context: deque[str] = deque(maxlen=n - 1)
        self.counts: dict[tuple[str, ...], Counter[str]] = {}
        """Next-action counts after each context of length 0 to n - 1."""

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        if update:
            recent = tuple(self.context)
            for length in range(len(recent) + 1):
                context = recent[len(recent) - length :]
                self.counts.setdefault(context, Counter())[action] += 1
        self.context.append(action)

    def _predict(self, observation: Observation) -> dict[str, float]:
        recent = tuple(self.context)
        for length in range(len(recent), -1, -1):
            seen = self.counts.get(recent[len(recent) - length :])
            if seen:
                return {action: seen[action] + self.k for action in self.actions}
        return dict.fromkeys(self.actions, 1.0)
