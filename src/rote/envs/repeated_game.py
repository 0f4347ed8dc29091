"""Repeated game: two players play one 2x2 (or 3x3) matrix game round after round.

## Description
The predicted agent is the row player; the opponent, the column player, is either uniformly
random (drawn from the env's seeded generator) or one of rote's scripted strategies
(`rote agents --env repeated-game`), which then sees the mirrored observation: the
histories swapped and `player` "column". Both move at once each round and then both moves
join the histories. Each game lists its "cooperative" action first, so a strategy written as
"the first action" or "the other action" means something in every game.

## Action Space
| Game                  | Actions (index: name)                 |
|-----------------------|---------------------------------------|
| prisoners_dilemma     | 0: C (cooperate), 1: D (defect)       |
| matching_pennies      | 0: 0 (heads), 1: 1 (tails)            |
| battle_of_the_sexes   | 0: O (opera), 1: F (football)         |
| stag_hunt             | 0: S (stag), 1: H (hare)              |
| rock_paper_scissors   | 0: R (rock), 1: P (paper), 2: S (scissors) |

## Observation Encoding
The rote observation is a JSON object: `game`, `player` ("row" for the predicted agent,
"column" in the opponent's mirrored view), `round` (0-based), `own_history` and
`opponent_history` (the moves of every earlier round, oldest first). The gymnasium observation
is numeric: `round` (shape (1,)), `own_last` and `opponent_last` (0 = none yet, i + 1 = action i).

## Rewards
The row player's payoff, (row payoff, column payoff) by (row move, column move):

| prisoners_dilemma | C      | D      |
|-------------------|--------|--------|
| C                 | 3, 3   | 0, 5   |
| D                 | 5, 0   | 1, 1   |

| matching_pennies | 0      | 1      |
|------------------|--------|--------|
| 0                | 1, -1  | -1, 1  |
| 1                | -1, 1  | 1, -1  |

| battle_of_the_sexes | O    | F    |
|---------------------|------|------|
| O                   | 2, 1 | 0, 0 |
| F                   | 0, 0 | 1, 2 |

| stag_hunt | S    | H    |
|-----------|------|------|
| S         | 4, 4 | 0, 3 |
| H         | 3, 0 | 2, 2 |

rock_paper_scissors: 1 for a win (rock beats scissors, scissors paper, paper rock), -1 for a
loss, 0 for a tie.

## Termination
Never terminates; truncates once `rounds` rounds are played, and keeps accepting rounds after
that, so a recording of any length can be made.

## Registered Configurations
In gymnasium's registry as `rote/RepeatedGame-v0`; in rote's as `repeated-game`, with env_kwargs
game (default "prisoners_dilemma"), rounds (40, at most 10^6) and opponent ("random", or a
strategy name): KWARGS_SCHEMA.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from rote.envs.base import EnvSpec, check_env_kwargs
from rote.envs.registry import agent_names, scripted_agent
from rote.envs.scene import TableScene
from rote.errors import EnvError
from rote.observation import Observation
from rote.skills.repeated_game import ACTIONS, GAMES, PAYOFFS, mirror, payoff

GYM_ID = "rote/RepeatedGame-v0"
_MAX_ROUND = 2**31 - 1
_OTHER = {"row": "column", "column": "row"}
TABLE_ROUNDS = 50
"""The most recent rounds a drawn observation lists: every step's table holds all rounds before
it, so a long game's report would grow with the square of its length; the caption's totals
still count every round."""

KWARGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "game": {"enum": list(GAMES)},
        "rounds": {"type": "integer", "minimum": 1, "maximum": 10**6},
        "opponent": {"type": "string", "maxLength": 100},
    },
}
"""Each env_kwarg's type and range; `_check_config` checks the opponent is a known strategy,
which plugins may add."""

RULES = """\
A repeated {title}: each round both players choose one of {actions} at the same time, then \
both see both moves and the next round begins. You are the row player; your payoff for (your \
move, opponent's move) is {payoffs}. The opponent is {opponent}. Observations give the game, \
your side of the table (player), the round (from 0) and both players' moves so far (own_history, \
opponent_history)."""


def _check_config(game: Any, rounds: Any, opponent: Any) -> None:
    """Reject env_kwargs that name no game, no length or no opponent, naming the field."""
    check_env_kwargs(
        RepeatedGameSpec.id, KWARGS_SCHEMA, {"game": game, "rounds": rounds, "opponent": opponent}
    )
    strategies = agent_names(RepeatedGameSpec.id)
    if opponent != "random" and opponent not in strategies:
        raise EnvError(
            f"env \"repeated-game\": env_kwargs.opponent: must be 'random' or a strategy "
            f"({', '.join(strategies)}), not {opponent!r}"
        )


class RepeatedGameEnv(gym.Env[dict[str, Any], np.int64]):
    """A repeated matrix game against a fixed opponent (see the module docstring)."""

    metadata = {"render_modes": ["ansi"], "render_fps": 4}  # noqa: RUF012 - gymnasium API

    def __init__(
        self,
        game: str = "prisoners_dilemma",
        rounds: int = 40,
        opponent: str = "random",
        render_mode: str | None = None,
    ) -> None:
        _check_config(game, rounds, opponent)
        if render_mode not in (None, "ansi"):
            raise EnvError(
                f"repeated-game: render_mode must be None or 'ansi', not {render_mode!r}"
            )
        self.game = game
        self.actions = ACTIONS[game]
        self.rounds = rounds
        self.opponent_name = opponent
        self.render_mode = render_mode
        self.action_space = gym.spaces.Discrete(len(self.actions))
        self.observation_space = gym.spaces.Dict(
            {
                "round": gym.spaces.Box(0, _MAX_ROUND, shape=(1,), dtype=np.int64),
                "own_last": gym.spaces.Discrete(len(self.actions) + 1),
                "opponent_last": gym.spaces.Discrete(len(self.actions) + 1),
            }
        )
        self.own: list[str] = []
        self.opp: list[str] = []
        self.opponent: Any = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Empty histories and a fresh opponent (a stochastic one seeded from the env's seed)."""
        super().reset(seed=seed)
        self.own, self.opp = [], []
        if self.opponent_name == "random":
            self.opponent = None
        else:
            seed = int(self.np_random.integers(2**31))
            self.opponent = scripted_agent(RepeatedGameSpec.id, self.opponent_name, seed=seed)
        return self._gym_observation(), {}

    def step(
        self, action: np.int64 | int
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        own = self.actions[int(action)]
        if self.opponent is None:
            opp = self.actions[int(self.np_random.integers(len(self.actions)))]
        else:
            opp = self.opponent.act(mirror(self.observation()))
            if opp not in self.actions:
                raise EnvError(f"repeated-game: opponent {self.opponent_name!r} played {opp!r}")
        self.own.append(own)
        self.opp.append(opp)
        reward = float(PAYOFFS[self.game][(own, opp)][0])
        return self._gym_observation(), reward, False, len(self.own) >= self.rounds, {}

    def observation(self) -> Observation:
        """The row player's rote observation of the current round."""
        return {
            "game": self.game,
            "player": "row",
            "round": len(self.own),
            "own_history": list(self.own),
            "opponent_history": list(self.opp),
        }

    def render(self) -> str | None:
        if self.render_mode == "ansi":
            return render_text(self.observation())
        return None

    def _gym_observation(self) -> dict[str, Any]:
        def last(history: list[str]) -> int:
            return self.actions.index(history[-1]) + 1 if history else 0

        return {
            "round": np.array([len(self.own)], dtype=np.int64),
            "own_last": last(self.own),
            "opponent_last": last(self.opp),
        }


def observation_schema(game: str) -> dict[str, Any]:
    """JSON Schema of a repeated-game observation of `game`."""
    history = {"type": "array", "items": {"enum": list(ACTIONS[game])}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "repeated-game observation",
        "type": "object",
        "additionalProperties": False,
        "required": ["game", "player", "round", "own_history", "opponent_history"],
        "properties": {
            "game": {"const": game, "description": "the matrix game played every round"},
            "player": {
                "enum": ["row", "column"],
                "description": "the observer's side of the payoff table",
            },
            "round": {"type": "integer", "minimum": 0, "description": "this round, from 0"},
            "own_history": {**history, "description": "the observer's moves so far, oldest first"},
            "opponent_history": {**history, "description": "the other player's moves so far"},
        },
    }


def render_text(observation: Observation) -> str:
    """The round, the last move of each player, and both histories."""
    own, opp = observation["own_history"], observation["opponent_history"]
    last = f"last round: you {own[-1]}, opponent {opp[-1]}" if own and opp else "first round"
    return "\n".join(
        [
            f"{observation['game']} round {observation['round']} "
            f"(you are the {observation['player']} player); {last}",
            f"you:      {' '.join(own) or '-'}",
            f"opponent: {' '.join(opp) or '-'}",
        ]
    )


def draw(observation: Observation) -> TableScene:
    """Each past round, most recent TABLE_ROUNDS, as a row: both moves and what each player got
    for them (from the game's payoff table), under a caption with the round and both totals."""
    game, player = observation["game"], observation["player"]
    own, opp = observation["own_history"], observation["opponent_history"]
    # a hand-written observation may have one history longer: only rounds both played count
    mine = [payoff(game, player, a, b) for a, b in zip(own, opp, strict=False)]
    theirs = [payoff(game, _OTHER[player], b, a) for a, b in zip(own, opp, strict=False)]
    first = max(0, len(mine) - TABLE_ROUNDS)
    rows: list[list[str | int | float]] = [
        [i, own[i], opp[i], mine[i], theirs[i]] for i in range(first, len(mine))
    ]
    caption = (
        f"{game.replace('_', ' ')}, round {observation['round']} (you are the {player} player); "
        f"total: you {sum(mine)}, opponent {sum(theirs)}"
    )
    if first:
        caption += f"; rounds 0-{first - 1} not listed"
    return {
        "kind": "table",
        "columns": ["round", "you", "opponent", "your payoff", "their payoff"],
        "rows": rows,
        "caption": caption,
    }


def _rules(game: str, opponent: str) -> str:
    payoffs = ", ".join(
        f"({mine}, {theirs}) -> {row}" for (mine, theirs), (row, _) in PAYOFFS[game].items()
    )
    who = "uniformly random" if opponent == "random" else f"the scripted strategy {opponent}"
    return RULES.format(
        title=game.replace("_", " "),
        actions=", ".join(ACTIONS[game]),
        payoffs=payoffs,
        opponent=who,
    )


class RepeatedGameSpec(EnvSpec):
    """Spec of the repeated game; env_kwargs as for `RepeatedGameEnv`."""

    id: ClassVar[str] = "repeated-game"
    kwargs_schema = KWARGS_SCHEMA

    def __init__(
        self, game: str = "prisoners_dilemma", rounds: int = 40, opponent: str = "random"
    ) -> None:
        _check_config(game, rounds, opponent)
        super().__init__(
            action_names=ACTIONS[game],
            rules=_rules(game, opponent),
            observation_schema=observation_schema(game),
            kwargs={"game": game, "rounds": rounds, "opponent": opponent},
        )

    def render_text(self, observation: Observation) -> str:
        return render_text(observation)

    def draw(self, observation: Observation) -> TableScene:
        return draw(observation)

    @property
    def simulated(self) -> bool:
        return True

    def make_gym(self, **options: Any) -> gym.Env[Any, Any]:
        return gym.make(GYM_ID, **self.kwargs, **options)

    def encode(self, env: gym.Env[Any, Any]) -> Observation:
        unwrapped = env.unwrapped
        if not isinstance(unwrapped, RepeatedGameEnv):
            raise EnvError(f"repeated-game: cannot encode a {type(unwrapped).__name__}")
        return unwrapped.observation()


if GYM_ID not in gym.registry:  # once, though tests may import the module again
    gym.register(id=GYM_ID, entry_point=f"{__name__}:RepeatedGameEnv")
