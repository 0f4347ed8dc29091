"""The repeated-game strategy zoo: classic strategies of the iterated prisoner's dilemma and kin.

Each strategy is a short class with `act(observation) -> action` that imports only
`rote.skills.repeated_game`, so it reads like (and runs as) a behaviour program. They are written for
every game at once in terms of the game's first, "cooperative" action and the second, "other"
one (in the prisoner's dilemma C and D; in rock-paper-scissors rock and paper). Stochastic
strategies take `rng`, which `make_agent` seeds. docs/agents.md describes each.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

from rote.skills.repeated_game import (
    beat_last,
    copy_last,
    majority,
    parse,
    repeat_last,
    switch_last,
    won_last,
)


class AlwaysCooperate:
    def act(self, observation: Any) -> str:
        return parse(observation).actions[0]


class AlwaysDefect:
    def act(self, observation: Any) -> str:
        return parse(observation).actions[1]


class TitForTat:
    """Cooperate first, then copy the opponent's last move."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return copy_last(state, state.actions[0])


class SuspiciousTitForTat:
    """Defect first, then copy the opponent's last move."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return copy_last(state, state.actions[1])


class TitForTwoTats:
    """Cooperate unless the opponent's last two moves were both not cooperative."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        cooperate, defect = state.actions[:2]
        if len(state.opp) >= 2 and cooperate not in state.opp[-2:]:
            return defect
        return cooperate


class TwoTitsForTat:
    """Defect for two rounds after each uncooperative move of the opponent."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        cooperate, defect = state.actions[:2]
        if any(move != cooperate for move in state.opp[-2:]):
            return defect
        return cooperate


class GrimTrigger:
    """Cooperate until the opponent first fails to, then defect for ever."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        cooperate, defect = state.actions[:2]
        if any(move != cooperate for move in state.opp):
            return defect
        return cooperate


class WinStayLoseShift:
    """Pavlov: cooperate first; after a good round repeat the last move, else switch."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        if won_last(state):
            return repeat_last(state, state.actions[0])
        return switch_last(state, state.actions[0])


class Alternate:
    """Step through the actions in order from the first (alternate, in a 2x2 game)."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return switch_last(state, state.actions[0])


class FollowMajority:
    """Play the opponent's most frequent move so far, cooperating on ties (soft majority)."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return majority(state, state.actions[0])


class HardMajority:
    """Play the opponent's most frequent move so far, defecting on ties."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return majority(state, state.actions[1])


class BeatLast:
    """Cooperate first, then play the best response to the opponent's last move."""

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return beat_last(state, state.actions[0])


class Periodic:
    """Repeat a fixed pattern of actions by round, e.g. "CCD" (indices into the actions)."""

    def __init__(self, pattern: tuple[int, ...]) -> None:
        self.pattern = pattern

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return state.actions[self.pattern[state.round % len(self.pattern)]]


class Opening:
    """Cooperate for the first `rounds` rounds, then defect for ever."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds

    def act(self, observation: Any) -> str:
        state = parse(observation)
        return state.actions[0] if state.round < self.rounds else state.actions[1]


class RandomPlayer:
    """Cooperate with probability p, else play one of the other actions, uniformly."""

    def __init__(self, p: float, *, rng: random.Random) -> None:
        self.p = p
        self.rng = rng

    def act(self, observation: Any) -> str:
        actions = parse(observation).actions
        if self.rng.random() < self.p:
            return actions[0]
        return self.rng.choice(actions[1:])


class GenerousTitForTat:
    """Tit-for-tat that forgives an uncooperative move with probability `forgive`."""

    def __init__(self, forgive: float = 1 / 3, *, rng: random.Random) -> None:
        self.forgive = forgive
        self.rng = rng

    def act(self, observation: Any) -> str:
        state = parse(observation)
        move = copy_last(state, state.actions[0])
        if move != state.actions[0] and self.rng.random() < self.forgive:
            return state.actions[0]
        return move


class NoisyTitForTat:
    """Tit-for-tat whose move is replaced by a uniformly random one with probability `noise`."""

    def __init__(self, noise: float = 0.1, *, rng: random.Random) -> None:
        self.noise = noise
        self.rng = rng

    def act(self, observation: Any) -> str:
        state = parse(observation)
        if self.rng.random() < self.noise:
            return self.rng.choice(state.actions)
        return copy_last(state, state.actions[0])


STRATEGIES: dict[str, Callable[..., Any]] = {
    "always-cooperate": AlwaysCooperate,
    "always-defect": AlwaysDefect,
    "tit-for-tat": TitForTat,
    "suspicious-tit-for-tat": SuspiciousTitForTat,
    "tit-for-two-tats": TitForTwoTats,
    "two-tits-for-tat": TwoTitsForTat,
    "grim-trigger": GrimTrigger,
    "win-stay-lose-shift": WinStayLoseShift,
    "alternate": Alternate,
    "follow-majority": FollowMajority,
    "hard-majority": HardMajority,
    "beat-last": BeatLast,
    "periodic-ccd": functools.partial(Periodic, (0, 0, 1)),
    "periodic-cdd": functools.partial(Periodic, (0, 1, 1)),
    "cooperate-three-then-defect": functools.partial(Opening, 3),
    "random-50": functools.partial(RandomPlayer, 0.5),
    "random-80": functools.partial(RandomPlayer, 0.8),
    "generous-tit-for-tat": GenerousTitForTat,
    "noisy-tit-for-tat": NoisyTitForTat,
}
"""Strategy name to factory; the stochastic ones take `rng` (a keyword `make_agent` fills)."""

DETERMINISTIC: frozenset[str] = frozenset(STRATEGIES) - {
    "random-50",
    "random-80",
    "generous-tit-for-tat",
    "noisy-tit-for-tat",
}
"""The strategies whose move is a function of the history: what the bench's accuracy target
(0.95 on average) is about."""
