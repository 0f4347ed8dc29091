"""The repeated game's vocabulary: what a person would say about a player of a matrix game.

Guards over both histories: the opponent's (or own) last move is X, the opponent's last k moves
were all X or included X (k = 2, 3), own last k moves were all X, the opponent ever played X, the
opponent played X more often than Y, last round's outcome was (X, Y), last round paid well (the
"win" of win-stay-lose-shift), the round is r mod m (m = 2..4), the round is before k, and their
negations. Skills: play X; copy the opponent's last move, repeat or switch from one's own, best
response to the opponent's last (unless one action is always best, as defecting is in the
prisoner's dilemma), the opponent's majority, each with what to play on the first round (or on
ties). Every constant is one of the game's actions, so the vocabulary is built per game (from
the env's spec). Each is a Python expression over `state` on `rote.skills.repeated_game`, so the
emitted program and the search evaluate the very same text; all answer on the first round, when
the histories are empty.
"""

from __future__ import annotations

import itertools
from typing import Any

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import FixedVocabulary, Guard, Skill
from rote.proposers.synthesizer.terms import Terms
from rote.skills import repeated_game as skills

_TERMS = Terms(skills)
_guard, _skill = _TERMS.guard, _TERMS.skill
WINDOWS = (2, 3)
"""The k of "the opponent's last k moves"."""
MODULI = (2, 3, 4)
EARLY = (1, 2, 3, 4, 5)
"""The k of "the round is before k" (k = 1: the first round)."""


class RepeatedGameVocabulary(FixedVocabulary):
    module = "rote.skills.repeated_game"

    def __init__(self, env: EnvSpec) -> None:
        game = env.kwargs["game"]
        self.actions = skills.ACTIONS[game]
        row = skills.GameState(game, 0, (), (), "row")
        responses = {skills.best_response(row, action) for action in self.actions}
        self.dominant = len(responses) == 1
        """Whether one action is the best response to every move (defect, in the prisoner's
        dilemma): then "beat the opponent's last" is only "play it", and is left out."""
        super().__init__(self._build_guards(), self._build_skills())

    def parse(self, observation: Observation) -> Any:
        return skills.parse(observation)

    def _build_guards(self) -> list[Guard]:
        n = len(self.actions)
        guards = _guard("first round", "state.round == 0")
        guards += _guard("last round paid well", "won_last(state)")
        for k in EARLY[1:]:
            guards += _guard(f"round < {k}", f"state.round < {k}", len(EARLY))
        phases = sum(MODULI)
        for m in MODULI:
            for r in range(m):
                guards += _guard(f"round % {m} == {r}", f"state.round % {m} == {r}", phases)
        for x in self.actions:
            guards += _guard(f"opponent's last was {x}", f'ends_with(state.opp, "{x}")', n)
            guards += _guard(f"own last was {x}", f'ends_with(state.own, "{x}")', n)
            guards += _guard(f"opponent ever played {x}", f'"{x}" in state.opp', n)
            for k in WINDOWS:
                run = ", ".join([f'"{x}"'] * k)
                choices = n * len(WINDOWS)
                guards += _guard(
                    f"opponent's last {k} all {x}", f"ends_with(state.opp, {run})", choices
                )
                guards += _guard(f"own last {k} all {x}", f"ends_with(state.own, {run})", choices)
                guards += _guard(
                    f"opponent played {x} in the last {k}", f'"{x}" in state.opp[-{k}:]', choices
                )
        for x, y in itertools.permutations(self.actions, 2):
            guards += _guard(
                f"opponent played {x} more than {y}",
                f'state.opp.count("{x}") > state.opp.count("{y}")',
                n * (n - 1),
            )
        for x, y in itertools.product(self.actions, repeat=2):
            guards += _guard(
                f"last round was ({x}, {y})", f'outcome(state) == ("{x}", "{y}")', n * n
            )
        return guards

    def _build_skills(self) -> list[Skill]:
        n = len(self.actions)
        found = []
        for x in self.actions:
            found += [
                _skill(f"play {x}", f'"{x}"', n),
                _skill(f"copy the opponent's last ({x} first)", f'copy_last(state, "{x}")', n),
                _skill(f"repeat own last ({x} first)", f'repeat_last(state, "{x}")', n),
                _skill(f"switch from own last ({x} first)", f'switch_last(state, "{x}")', n),
                _skill(f"the opponent's majority ({x} on ties)", f'majority(state, "{x}")', n),
            ]
            if not self.dominant:
                found.append(
                    _skill(f"beat the opponent's last ({x} first)", f'beat_last(state, "{x}")', n)
                )
        return found
