"""Repeated-game skills: the payoff tables and what a player says about the play so far.

Programs for the `repeated-game` env, scripted or inferred, import from here, inside the sandbox
as well as in-process, so this module is stdlib-only. Each game lists its actions with the
"cooperative" one first (cooperate, stag, opera, rock, heads), which lets one strategy be written
for every game: "play the first action until the opponent plays another". Every skill answers on
the first round too, when both histories are empty: the ones that look back take what to play
then as an argument.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACTIONS",
    "GAMES",
    "PAYOFFS",
    "GameState",
    "beat_last",
    "best_response",
    "copy_last",
    "ends_with",
    "majority",
    "mirror",
    "outcome",
    "parse",
    "payoff",
    "repeat_last",
    "switch",
    "switch_last",
    "won_last",
]

ACTIONS: dict[str, tuple[str, ...]] = {
    "prisoners_dilemma": ("C", "D"),
    "matching_pennies": ("0", "1"),
    "battle_of_the_sexes": ("O", "F"),
    "stag_hunt": ("S", "H"),
    "rock_paper_scissors": ("R", "P", "S"),
}
"""Each game's actions, the "cooperative" one first."""

GAMES: tuple[str, ...] = tuple(ACTIONS)

PAYOFFS: dict[str, dict[tuple[str, str], tuple[int, int]]] = {
    "prisoners_dilemma": {
        ("C", "C"): (3, 3),
        ("C", "D"): (0, 5),
        ("D", "C"): (5, 0),
        ("D", "D"): (1, 1),
    },
    "matching_pennies": {  # the row player wins on a match, the column player on a mismatch
        ("0", "0"): (1, -1),
        ("0", "1"): (-1, 1),
        ("1", "0"): (-1, 1),
        ("1", "1"): (1, -1),
    },
    "battle_of_the_sexes": {  # the row player prefers opera, the column player football
        ("O", "O"): (2, 1),
        ("O", "F"): (0, 0),
        ("F", "O"): (0, 0),
        ("F", "F"): (1, 2),
    },
    "stag_hunt": {
        ("S", "S"): (4, 4),
        ("S", "H"): (0, 3),
        ("H", "S"): (3, 0),
        ("H", "H"): (2, 2),
    },
    "rock_paper_scissors": {
        (mine, theirs): (
            (0, 0)
            if mine == theirs
            else (1, -1)
            if (mine, theirs) in (("R", "S"), ("P", "R"), ("S", "P"))
            else (-1, 1)
        )
        for mine in "RPS"
        for theirs in "RPS"
    },
}
"""(row action, column action) -> (row payoff, column payoff)."""


@dataclass(frozen=True)
class GameState:
    """What one player knows: the game, its side of the table, and both histories."""

    game: str
    round: int
    own: tuple[str, ...]
    opp: tuple[str, ...]
    player: str = "row"

    @property
    def actions(self) -> tuple[str, ...]:
        return ACTIONS[self.game]


def parse(observation: Mapping[str, Any]) -> GameState:
    """The game state an observation shows."""
    return GameState(
        game=observation["game"],
        round=observation["round"],
        own=tuple(observation["own_history"]),
        opp=tuple(observation["opponent_history"]),
        player=observation["player"],
    )


def mirror(observation: Mapping[str, Any]) -> dict[str, Any]:
    """The same moment seen by the other player: histories swapped, the other side of the table."""
    return {
        "game": observation["game"],
        "player": "column" if observation["player"] == "row" else "row",
        "round": observation["round"],
        "own_history": list(observation["opponent_history"]),
        "opponent_history": list(observation["own_history"]),
    }


def payoff(game: str, player: str, own: str, opp: str) -> int:
    """What `player` ("row" or "column") gets for playing `own` against `opp`."""
    if player == "row":
        return PAYOFFS[game][(own, opp)][0]
    return PAYOFFS[game][(opp, own)][1]


def ends_with(history: Sequence[str], *actions: str) -> bool:
    """Whether the history's last moves are `actions` (False while it is shorter)."""
    return len(history) >= len(actions) and tuple(history[-len(actions) :]) == actions


def outcome(state: GameState) -> tuple[str, str] | None:
    """Last round as (own move, opponent's move); None on the first round."""
    if not state.own or not state.opp:
        return None
    return (state.own[-1], state.opp[-1])


def won_last(state: GameState) -> bool:
    """Whether last round paid more than this player's average entry of the table: the "win"
    of win-stay-lose-shift (in the prisoner's dilemma, exactly when the opponent cooperated)."""
    last = outcome(state)
    if last is None:
        return False
    entries = [payoff(state.game, state.player, a, b) for a in state.actions for b in state.actions]
    return payoff(state.game, state.player, *last) > sum(entries) / len(entries)


def switch(state: GameState, action: str) -> str:
    """The action after `action` in the game's order, cyclically (the other one, in 2x2 games)."""
    actions = state.actions
    return actions[(actions.index(action) + 1) % len(actions)]


def best_response(state: GameState, action: str) -> str:
    """The action that pays this player most against `action` (the first, on ties)."""
    return max(state.actions, key=lambda mine: payoff(state.game, state.player, mine, action))


def copy_last(state: GameState, first: str) -> str:
    """The opponent's last move (`first` on the first round)."""
    return state.opp[-1] if state.opp else first


def repeat_last(state: GameState, first: str) -> str:
    """This player's own last move (`first` on the first round)."""
    return state.own[-1] if state.own else first


def switch_last(state: GameState, first: str) -> str:
    """The move after this player's own last one (`first` on the first round)."""
    return switch(state, state.own[-1]) if state.own else first


def beat_last(state: GameState, first: str) -> str:
    """The best response to the opponent's last move (`first` on the first round)."""
    return best_response(state, state.opp[-1]) if state.opp else first


def majority(state: GameState, tie: str) -> str:
    """The opponent's most frequent move so far; `tie` when several are (or none is) most
    frequent and `tie` is among them."""
    counts = Counter(state.opp)
    top = max(counts.values(), default=0)
    leaders = [action for action in state.actions if counts[action] == top]
    return tie if tie in leaders or not state.opp else leaders[0]
