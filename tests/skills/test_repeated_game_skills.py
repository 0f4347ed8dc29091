"""Repeated-game skills: payoffs from either side, the look-back skills on empty and played
histories, and the same answers in the sandbox as in-process."""

from __future__ import annotations

import pytest

from rote import make_env
from rote.agents import make_agent
from rote.programs import Sandbox
from rote.rollout import rollout
from rote.skills.repeated_game import (
    ACTIONS,
    GAMES,
    GameState,
    beat_last,
    best_response,
    copy_last,
    ends_with,
    majority,
    mirror,
    outcome,
    parse,
    payoff,
    repeat_last,
    switch,
    switch_last,
    won_last,
)


def state(own: str, opp: str, game: str = "prisoners_dilemma", player: str = "row") -> GameState:
    return GameState(game, len(own), tuple(own), tuple(opp), player)


@pytest.mark.parametrize("game", GAMES)
def test_every_skill_answers_on_the_first_round(game: str) -> None:
    first = state("", "", game)
    x = ACTIONS[game][-1]
    assert [copy_last(first, x), repeat_last(first, x), switch_last(first, x)] == [x, x, x]
    assert [beat_last(first, x), majority(first, x)] == [x, x]
    assert outcome(first) is None and not won_last(first)
    assert not ends_with(first.opp, x)


def test_payoffs_are_symmetric_where_the_game_is() -> None:
    for game in ("prisoners_dilemma", "stag_hunt", "rock_paper_scissors"):
        for a in ACTIONS[game]:
            for b in ACTIONS[game]:
                assert payoff(game, "row", a, b) == payoff(game, "column", a, b)
    assert payoff("rock_paper_scissors", "row", "P", "R") == 1
    assert payoff("rock_paper_scissors", "row", "R", "P") == -1


@pytest.mark.parametrize(
    ("game", "player", "wins"),
    [
        ("prisoners_dilemma", "row", {("C", "C"), ("D", "C")}),
        ("matching_pennies", "row", {("0", "0"), ("1", "1")}),
        ("matching_pennies", "column", {("0", "1"), ("1", "0")}),
        ("battle_of_the_sexes", "row", {("O", "O"), ("F", "F")}),
        ("stag_hunt", "row", {("S", "S"), ("H", "S")}),
        ("rock_paper_scissors", "row", {("R", "S"), ("P", "R"), ("S", "P")}),
    ],
)
def test_won_last_is_a_payoff_above_the_players_average(
    game: str, player: str, wins: set[tuple[str, str]]
) -> None:
    actions = ACTIONS[game]
    found = {(a, b) for a in actions for b in actions if won_last(state(a, b, game, player))}
    assert found == wins


def test_switch_and_best_response() -> None:
    pd, rps = state("", ""), state("", "", "rock_paper_scissors")
    assert [switch(pd, "C"), switch(pd, "D")] == ["D", "C"]
    assert [switch(rps, a) for a in "RPS"] == ["P", "S", "R"]
    assert [best_response(pd, a) for a in "CD"] == ["D", "D"]
    assert [best_response(rps, a) for a in "RPS"] == ["P", "S", "R"]
    assert best_response(state("", "", "stag_hunt"), "S") == "S"


def test_look_back_skills_on_played_histories() -> None:
    s = state("CCD", "DCD")
    assert (copy_last(s, "C"), repeat_last(s, "C"), switch_last(s, "D")) == ("D", "D", "C")
    assert beat_last(s, "C") == "D"
    assert majority(s, "C") == "D"
    assert majority(state("CC", "CD"), "C") == "C" and majority(state("CC", "CD"), "D") == "D"
    # a three-way tie without the tie action: the first leader in the game's order
    assert majority(state("RR", "SP", "rock_paper_scissors"), "R") == "P"
    assert ends_with(s.opp, "C", "D") and not ends_with(s.opp, "D", "D")
    assert not ends_with(("D",), "D", "D")
    assert outcome(s) == ("D", "D")


def test_parse_and_mirror() -> None:
    observation = {
        "game": "matching_pennies",
        "player": "row",
        "round": 2,
        "own_history": ["0", "1"],
        "opponent_history": ["1", "1"],
    }
    seen = parse(mirror(observation))
    assert (seen.player, seen.own, seen.opp, seen.round) == ("column", ("1", "1"), ("0", "1"), 2)
    assert mirror(mirror(observation)) == observation


PROGRAM = """\
from rote.skills.repeated_game import beat_last, copy_last, ends_with, majority, outcome, parse, \
repeat_last, switch_last, won_last


class Agent:
    def act(self, observation):
        state = parse(observation)
        if won_last(state):
            return repeat_last(state, "C")
        if ends_with(state.opp, "D", "D"):
            return beat_last(state, "C")
        if outcome(state) == ("C", "D"):
            return majority(state, "D")
        if state.round % 3 == 2:
            return switch_last(state, "D")
        return copy_last(state, "C")
"""


def test_skills_answer_alike_in_the_sandbox(sandbox: Sandbox) -> None:
    spec = make_env("repeated-game")
    trajectory = rollout(spec, make_agent(spec.id, "random-50", seed=1), steps=40, seed=2)
    observations = [step.observation for step in trajectory.steps]
    namespace: dict[str, object] = {}
    exec(PROGRAM, namespace)  # our own test program, run in-process for the reference
    agent = namespace["Agent"]()  # type: ignore[operator]
    expected = [agent.act(observation) for observation in observations]
    (result,) = sandbox.replay([PROGRAM], observations, spec.action_names)
    assert result.error is None, result.error
    assert result.outputs == expected
    assert len(set(expected)) == 2
