"""Overcooked skills: reaching a station means standing beside it facing it; moving toward a
cell one cannot enter only turns; the partner is in the way; pots and counters are read right."""

from __future__ import annotations

from typing import Any

from rote.skills.overcooked import Kitchen, ahead, approach, parse, use
from tests.envs.test_overcooked import kitchen

# cramped_room:  XXPXX / O   O / X   X / XDXSX


def at(
    pos: tuple[int, int],
    facing: str,
    held: str | None = None,
    partner: tuple[int, int] = (3, 2),
    **changes: Any,
) -> Kitchen:
    observation = kitchen()
    observation["player"] = {"pos": list(pos), "facing": facing, "held": held}
    observation["partner"] = {"pos": list(partner), "facing": "up", "held": None}
    observation["counters"] = []
    observation.update(changes)
    return parse(observation)


def test_walk_then_turn_then_stay_then_interact() -> None:
    onions = [(0, 1), (4, 1)]
    assert approach(at((2, 2), "down"), onions) == "up"  # two steps from either: up first
    assert approach(at((1, 1), "up"), onions) == "left"  # beside it: the move only turns
    assert approach(at((1, 1), "left"), onions) == "stay"
    assert use(at((1, 1), "up"), onions) == "left"
    assert use(at((1, 1), "left"), onions) == "interact"
    assert use(at((1, 1), "left"), []) == "stay"


def test_the_partner_is_walked_round_or_waited_for() -> None:
    kitchen_ = at((1, 2), "up", partner=(2, 2))
    assert approach(kitchen_, [(3, 3)]) == "up"  # the serving counter, round the partner
    boxed = at((1, 1), "up", partner=(1, 2), layout=["XXXXX", "X   X", "X   X", "XDXXX"])
    assert approach(boxed, [(1, 3)]) == "down"  # the only way is through: head for it


def test_pots_counters_and_facing() -> None:
    pots = [{"pos": [2, 0], "ingredient": "onion", "count": 3, "cook_time": 25, "state": "ready"}]
    state = at((2, 1), "up", held="dish", pots=pots, counters=[{"pos": [0, 2], "item": "onion"}])
    assert state.pots_where("ready") == [(2, 0)]
    assert state.pots_where("room") == state.pots_where("cooking") == []
    assert state.counters("onion") == [(0, 2)]
    assert (0, 2) not in state.counters()
    assert state.faces("P") and not state.faces("X")
    assert use(state, state.pots_where("ready")) == "interact"
    cooking = [{**pots[0], "cook_time": 5, "state": "cooking"}]
    assert at((2, 1), "up", pots=cooking).pots_where("cooking") == [(2, 0)]
    empty = at((2, 1), "up", pots=[])  # a pot without an entry is empty
    assert empty.pots_where("empty") == empty.pots_where("room") == [(2, 0)]


def test_partner_adjacency() -> None:
    assert at((2, 2), "right", partner=(3, 2)).partner_adjacent()
    assert at((2, 2), "right", partner=(3, 2)).faces_partner()
    assert not at((1, 1), "right", partner=(3, 2)).partner_adjacent()


def test_keeping_ahead_presses_the_way_one_faces() -> None:
    assert ahead(at((1, 1), "left")) == "left"  # against the onion dispenser: changes nothing
    assert ahead(at((2, 2), "up")) == "up"  # on floor: walks on


def test_moved_reads_the_previous_observation() -> None:
    """A move that did something changes my cell (a step) or only the way I face (a turn); a
    stay, an interact or pressing into what I already face changes neither; without a
    previous observation, neither."""
    before = kitchen()
    before["player"] = {"pos": [2, 2], "facing": "up", "held": None}

    def after(pos: list[int], facing: str, held: str | None = None) -> Kitchen:
        observation = dict(before, player={"pos": pos, "facing": facing, "held": held})
        return parse(observation, before)

    assert after([2, 1], "up").moved and after([2, 1], "up").stepped
    assert after([2, 2], "left").moved and not after([2, 2], "left").stepped  # turned only
    assert not after([2, 2], "up").moved  # stayed, or pressed into what it faces
    assert not after([2, 2], "up", held="onion").moved  # interacted
    assert not parse(before).moved and not parse(before).stepped


def test_bumped_reads_the_key_pressed_at_the_tick_before() -> None:
    """A move key that changed nothing is a bump; a move that turned or stepped is not, nor is
    a stay or an interact, nor a key the observation does not tell."""
    before = kitchen()
    before["player"] = {"pos": [2, 2], "facing": "up", "held": None}

    def after(pos: list[int], facing: str, pressed: str | None) -> Kitchen:
        player = {"pos": pos, "facing": facing, "held": None, "last_action": pressed}
        return parse(dict(before, player=player), before)

    assert after([2, 2], "up", "up").bumped
    assert after([2, 2], "up", "up").me.last_action == "up"
    assert not after([2, 1], "up", "up").bumped  # stepped
    assert not after([2, 2], "left", "left").bumped  # turned
    assert not after([2, 2], "up", "stay").bumped
    assert not after([2, 2], "up", "interact").bumped
    assert not after([2, 2], "up", None).bumped
    assert not parse(before).bumped  # the observation does not say which key
    # a history may start mid-game: without the observation before, a key is no bump
    pressed = dict(before, player={**before["player"], "last_action": "up"})
    assert not parse(pressed).bumped and parse(pressed, before).bumped
    assert parse(dict(before, player={**before["player"], "last_action": "interact"})).interacted
    assert not parse(pressed).interacted
