"""The repeated game: rounds and histories, payoffs, the opponents, mirroring, the drawn table and
bad kwargs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rote.agents import agent_names, make_agent
from rote.envs import EnvSpec, make_env
from rote.envs.repeated_game import TABLE_ROUNDS
from rote.errors import EnvError
from rote.rollout import generate, rollout
from rote.skills.repeated_game import ACTIONS, GAMES, PAYOFFS, mirror, parse, payoff
from rote.trajectory import read_trajectory


def play(spec: EnvSpec, moves: str, seed: int = 0) -> tuple[list[dict[str, Any]], list[float]]:
    """Play the row moves given as one character each; the observations and rewards."""
    env = spec.make_gym()
    env.reset(seed=seed)
    observations, rewards = [], []
    for move in moves:
        observations.append(spec.encode(env))
        _, reward, _, _, _ = env.step(spec.action_names.index(move))
        rewards.append(float(reward))
    observations.append(spec.encode(env))
    return observations, rewards


def test_rounds_build_both_histories_and_truncate_without_stopping() -> None:
    spec = make_env("repeated-game", rounds=3, opponent="always-defect")
    env = spec.make_gym()
    env.reset(seed=0)
    truncations = []
    for _ in range(5):  # past `rounds`: a recording may be longer than the episode
        _, _, terminated, truncated, _ = env.step(0)
        assert not terminated
        truncations.append(truncated)
    assert truncations == [False, False, True, True, True]
    assert spec.encode(env) == {
        "game": "prisoners_dilemma",
        "player": "row",
        "round": 5,
        "own_history": ["C"] * 5,
        "opponent_history": ["D"] * 5,
    }


@pytest.mark.parametrize("game", GAMES)
def test_actions_and_rewards_follow_the_game_table(game: str) -> None:
    spec = make_env("repeated-game", game=game, opponent="tit-for-tat")
    assert spec.action_names == ACTIONS[game]
    moves = "".join(ACTIONS[game]) * 2
    observations, rewards = play(spec, moves)
    opponent = observations[-1]["opponent_history"]
    assert opponent == [ACTIONS[game][0], *moves[:-1]]  # tit-for-tat copies the row player
    assert rewards == [
        PAYOFFS[game][(own, opp)][0] for own, opp in zip(moves, opponent, strict=True)
    ]


def test_prisoners_dilemma_payoffs() -> None:
    _, rewards = play(make_env("repeated-game", opponent="alternate"), "CCDD")
    assert rewards == [3, 0, 5, 1]  # against C, D, C, D


def test_payoffs_of_the_column_player_are_read_from_its_side() -> None:
    assert payoff("matching_pennies", "row", "0", "0") == 1
    assert payoff("matching_pennies", "column", "0", "0") == -1
    assert payoff("battle_of_the_sexes", "row", "O", "O") == 2
    assert payoff("battle_of_the_sexes", "column", "O", "O") == 1
    assert payoff("battle_of_the_sexes", "column", "F", "F") == 2


def test_random_opponent_is_uniform_and_seeded() -> None:
    spec = make_env("repeated-game", game="rock_paper_scissors")
    first = play(spec, "R" * 300, seed=5)[0][-1]["opponent_history"]
    assert first == play(spec, "R" * 300, seed=5)[0][-1]["opponent_history"]
    assert first != play(spec, "R" * 300, seed=6)[0][-1]["opponent_history"]
    assert all(80 <= first.count(action) <= 120 for action in "RPS")


def test_a_stochastic_opponent_is_seeded_by_the_env() -> None:
    spec = make_env("repeated-game", opponent="random-50")
    runs = [play(spec, "C" * 40, seed=seed)[0][-1]["opponent_history"] for seed in (1, 1, 2)]
    assert runs[0] == runs[1] != runs[2]
    assert 8 <= runs[0].count("C") <= 32


def test_the_opponent_sees_the_mirrored_game() -> None:
    # Column win-stay-lose-shift in matching pennies wins on a mismatch (the row player wins on a
    # match): it opens with 0, loses to the row's 0 and switches to 1, then wins and stays.
    spec = make_env("repeated-game", game="matching_pennies", opponent="win-stay-lose-shift")
    observations, _ = play(spec, "0000")
    assert observations[-1]["opponent_history"] == ["0", "1", "1", "1"]
    # Suspicious tit-for-tat opens with D, then copies the row player's (its opponent's) moves.
    spec = make_env("repeated-game", opponent="suspicious-tit-for-tat")
    observations, _ = play(spec, "CCDC")
    assert observations[-1]["opponent_history"] == ["D", "C", "C", "D"]


@pytest.mark.parametrize("name", agent_names("repeated-game"))
def test_every_strategy_can_be_an_opponent(name: str) -> None:
    spec = make_env("repeated-game", opponent=name)
    trajectory = rollout(spec, make_agent(spec.id, "tit-for-tat"), steps=10, seed=0)
    last = trajectory.steps[-1].observation
    assert len(last["opponent_history"]) == 9 and set(last["opponent_history"]) <= {"C", "D"}
    assert last["own_history"] == ["C", *last["opponent_history"][:-1]]


def test_observation_parses_and_renders() -> None:
    spec = make_env("repeated-game", opponent="always-defect")
    observations, _ = play(spec, "CD")
    state = parse(observations[-1])
    assert (state.round, state.own, state.opp, state.player) == (2, ("C", "D"), ("D", "D"), "row")
    text = spec.render_text(observations[-1])
    assert "round 2" in text and "last round: you D, opponent D" in text
    assert "first round" in spec.render_text(observations[0])
    assert spec.observation_errors({**observations[-1], "own_history": ["X"]})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"game": "chess"}, r"env_kwargs\.game: 'chess' is not one of \['prisoners_dilemma'"),
        ({"rounds": 0}, r"env_kwargs\.rounds: 0 is less than the minimum of 1"),
        ({"rounds": True}, r"env_kwargs\.rounds: True is not of type 'integer'"),
        ({"rounds": 10**9}, r"env_kwargs\.rounds: 1000000000 is greater than the maximum"),
        ({"opponent": "sneaky"}, r"env_kwargs\.opponent: must be 'random' or a strategy"),
        ({"players": 3}, r"'players' was unexpected\) \(allowed: game, rounds, opponent\)"),
    ],
)
def test_bad_kwargs_are_one_line_env_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EnvError, match=message) as error:
        make_env("repeated-game", **kwargs)
    assert "\n" not in str(error.value)


def test_generate_plays_strategies_against_each_other(tmp_path: Path) -> None:
    report = generate(
        "repeated-game",
        ["tit-for-tat", "random-80"],
        episodes=2,
        steps=45,
        seed=0,
        out_dir=tmp_path,
        env_kwargs={"opponent": "grim-trigger"},
    )
    assert len(report.written) == 4
    tft = read_trajectory(tmp_path / "tit-for-tat-000.jsonl")
    assert tft.header.env_kwargs == {
        "game": "prisoners_dilemma",
        "rounds": 40,
        "opponent": "grim-trigger",
    }
    assert [step.action for step in tft.steps] == ["C"] * 45  # two nice strategies never defect
    noisy = [read_trajectory(tmp_path / f"random-80-00{e}.jsonl") for e in range(2)]
    assert noisy[0].steps != noisy[1].steps  # each episode its own policy stream
    json.dumps(noisy[0].steps[-1].observation)  # plain JSON


def test_draw_lists_every_past_round_with_both_payoffs() -> None:
    spec = make_env("repeated-game", game="stag_hunt", opponent="tit-for-tat")
    observations, rewards = play(spec, "SHHSSH")
    for observation in observations:
        scene = spec.draw(observation)
        assert scene is not None and scene["kind"] == "table"
        own, opp = observation["own_history"], observation["opponent_history"]
        assert scene["rows"] == [
            [i, own[i], opp[i], *PAYOFFS["stag_hunt"][(own[i], opp[i])]]
            for i in range(observation["round"])
        ]
        assert f"round {observation['round']} " in scene["caption"]
    assert f"total: you {sum(rewards):g}" in scene["caption"]
    mirrored = spec.draw(mirror(observations[-1]))  # the column player's view of the same game
    assert mirrored is not None and mirrored["kind"] == "table"
    assert [row[1:] for row in mirrored["rows"]] == [
        [row[2], row[1], row[4], row[3]] for row in scene["rows"]
    ]


def test_draw_lists_the_last_rounds_of_a_long_game() -> None:
    spec = make_env("repeated-game")
    own = ["C", "D"] * 60
    observation = {
        "game": "prisoners_dilemma",
        "player": "row",
        "round": 120,
        "own_history": own,
        "opponent_history": ["C"] * 120,
    }
    scene = spec.draw(observation)
    assert scene is not None and scene["kind"] == "table"
    assert [row[0] for row in scene["rows"]] == list(range(120 - TABLE_ROUNDS, 120))
    assert f"rounds 0-{119 - TABLE_ROUNDS} not listed" in scene["caption"]
    assert "total: you 480, opponent 180" in scene["caption"]
