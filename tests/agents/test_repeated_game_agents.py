"""Each repeated-game strategy does what its name says, on hand-made histories, and its program
file runs in the sandbox as it runs in-process."""

from __future__ import annotations

import random
from typing import Any

import pytest

from rote.agents import agent_names, make_agent
from rote.agents.repeated_game import AGENTS, DETERMINISTIC


def obs(own: str, opp: str, game: str = "prisoners_dilemma", player: str = "row") -> Any:
    """An observation from the two histories, one character per move."""
    return {
        "game": game,
        "player": player,
        "round": len(own),
        "own_history": list(own),
        "opponent_history": list(opp),
    }


def moves(name: str, cases: list[tuple[str, str]], game: str = "prisoners_dilemma") -> str:
    """A fresh strategy's move on each (own, opponent) history."""
    return "".join(make_agent("repeated-game", name).act(obs(o, p, game)) for o, p in cases)


CASES: dict[str, tuple[list[tuple[str, str]], str]] = {
    "always-cooperate": ([("", ""), ("C", "D"), ("CC", "DD")], "CCC"),
    "always-defect": ([("", ""), ("D", "C"), ("DD", "CC")], "DDD"),
    "tit-for-tat": ([("", ""), ("C", "D"), ("CD", "DC"), ("CDC", "DCC")], "CDCC"),
    "suspicious-tit-for-tat": ([("", ""), ("D", "C"), ("DC", "CD")], "DCD"),
    "tit-for-two-tats": (
        [("", ""), ("C", "D"), ("CC", "DD"), ("CCD", "DDC"), ("CCDC", "DCDD")],
        "CCDCD",
    ),
    "two-tits-for-tat": ([("", ""), ("C", "D"), ("CD", "DC"), ("CDD", "DCC")], "CDDC"),
    "grim-trigger": (
        [("", ""), ("C", "C"), ("CC", "CD"), ("CCD", "CDC"), ("CCDD", "CDCC")],
        "CCDDD",
    ),
    # wins (the opponent cooperated) stay, losses switch: after CC stay C, CD switch to D, ...
    "win-stay-lose-shift": (
        [("", ""), ("C", "C"), ("CC", "CD"), ("CCD", "CDD"), ("CCDC", "CDDC"), ("CCDCD", "CDDCC")],
        "CCDCCD",
    ),
    "alternate": ([("", ""), ("C", "D"), ("CD", "DD"), ("CDC", "DDC")], "CDCD"),
    "follow-majority": ([("", ""), ("C", "D"), ("CD", "DC"), ("CDC", "DCD")], "CDCD"),
    "hard-majority": ([("", ""), ("D", "C"), ("DC", "CD"), ("DCD", "CDC")], "DCDC"),
    "beat-last": ([("", ""), ("C", "C"), ("CD", "CD")], "CDD"),
    "periodic-ccd": ([("", ""), ("C", "D"), ("CC", "DD"), ("CCD", "DDD")], "CCDC"),
    "periodic-cdd": ([("", ""), ("C", "C"), ("CD", "CC"), ("CDD", "CCC")], "CDDC"),
    "cooperate-three-then-defect": ([("", ""), ("C", "D"), ("CC", "DD"), ("CCC", "DDD")], "CCCD"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_deterministic_strategies_on_hand_made_histories(name: str) -> None:
    cases, expected = CASES[name]
    assert moves(name, cases) == expected


def test_every_deterministic_strategy_has_cases_and_the_zoo_is_registered() -> None:
    assert set(CASES) == DETERMINISTIC
    assert agent_names("repeated-game") == list(AGENTS)
    assert len(AGENTS) >= 15


def test_strategies_are_written_for_every_game() -> None:
    rps = [("", ""), ("R", "S"), ("RP", "SP")]
    assert moves("tit-for-tat", rps, "rock_paper_scissors") == "RSP"
    assert moves("beat-last", rps, "rock_paper_scissors") == "RRS"  # rock beats S, scissors P
    assert moves("alternate", rps, "rock_paper_scissors") == "RPS"  # cycles through the actions
    # matching pennies: the row player (a matcher) best-responds by matching, the column by not
    pennies = make_agent("repeated-game", "beat-last")
    assert pennies.act(obs("0", "1", "matching_pennies")) == "1"
    assert pennies.act(obs("0", "1", "matching_pennies", player="column")) == "0"
    # stag hunt: after (hare, hare) win-stay-lose-shift goes back to stag (2 is a poor payoff)
    assert moves("win-stay-lose-shift", [("H", "H"), ("S", "S")], "stag_hunt") == "SS"


def draws(name: str, seed: int, n: int = 400) -> str:
    agent = make_agent("repeated-game", name, seed=seed)
    return "".join(agent.act(obs("C", "D")) for _ in range(n))


def test_random_strategies_play_their_rate_and_are_seeded_by_make_agent() -> None:
    assert draws("random-50", 1) == draws("random-50", 1) != draws("random-50", 2)
    assert 160 <= draws("random-50", 1).count("C") <= 240
    assert 290 <= draws("random-80", 1).count("C") <= 350


def test_generous_and_noisy_tit_for_tat() -> None:
    generous = draws("generous-tit-for-tat", 3)  # the opponent defected: forgive a third
    assert 90 <= generous.count("C") <= 180
    noisy = draws("noisy-tit-for-tat", 3)  # copy D, a random move one time in ten
    assert 5 <= noisy.count("C") <= 40
    cooperative = make_agent("repeated-game", "generous-tit-for-tat", seed=3)
    assert {cooperative.act(obs("C", "C")) for _ in range(50)} == {"C"}


def test_policy_stream_is_apart_from_the_noise_stream() -> None:
    agent = make_agent("repeated-game", "random-50", seed=4)
    stream = random.Random(4)  # what NoisyAgent draws from for the same seed
    mirrored = "".join("C" if stream.random() < 0.5 else "D" for _ in range(100))
    assert "".join(agent.act(obs("", "")) for _ in range(100)) != mirrored
