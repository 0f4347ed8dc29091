"""Learning a program library: candidates per trajectory, merged and counted; and its CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from rote.agents import agent_source, make_agent
from rote.envs import make_env
from rote.errors import RoteError
from rote.evaluation.executors import LocalPool
from rote.evaluation.library import (
    Candidate,
    CandidateSettings,
    Replays,
    build_library,
    fit_library,
    fit_noise,
    propose_candidates,
    replay_candidates,
)
from rote.inference.likelihood import NoiseModel
from rote.library import load_library
from rote.observation import Observation
from rote.programs import Sandbox
from rote.rollout import rollout
from rote.trajectory import Trajectory
from tests.conftest import assert_one_line_exit_2, run_rote

ENV = make_env("construction")
LEFT = agent_source("construction", "left-right")
UP = agent_source("construction", "up-down")
STAY = "class Agent:\n    def act(self, observation):\n        return 'stay'\n"
LEFT_AGAIN = "# the same behaviour, another source\n" + LEFT


def trajectories(
    *families: str, episodes: int = 1, steps: int = 16
) -> list[tuple[str, Trajectory]]:
    found = []
    for family in families:
        for episode in range(episodes):
            agent = make_agent("construction", family, action_names=ENV.action_names)
            trajectory = rollout(ENV, agent, steps=steps, seed=10 + episode, agent_label=family)
            found.append((f"{family}-{episode}", trajectory))
    return found


def test_programs_that_act_alike_merge_and_the_counts_share_out_the_agents(
    sandbox: Sandbox,
) -> None:
    data = trajectories("left-right", "up-down", episodes=2)
    data += [("left-right-extra", trajectories("left-right", steps=20)[0][1])]
    found = {
        "left-right-0": [Candidate(LEFT, 12.0), Candidate(STAY, 1.0)],
        "left-right-1": [Candidate(LEFT_AGAIN, 9.0)],
        "up-down-0": [Candidate(UP, 11.0)],
    }
    replays = replay_candidates(ENV, data, found, sandbox=sandbox)
    programs = fit_library(replays)
    assert [p.source for p in programs] == [LEFT_AGAIN, UP]  # the shorter copy; stay explains none
    assert [p.count for p in programs] == pytest.approx([3.0, 2.0], abs=1e-6)
    assert [name for name, _ in programs[1].agents] == ["up-down-0", "up-down-1"]
    assert programs[0].cost == 9.0
    # a library of a subset: its agents, and only the candidates proposed for them
    fewer = fit_library(replays, ["left-right-1", "up-down-0", "up-down-1"])
    assert [(p.source, p.count) for p in fewer] == [(UP, 2.0), (LEFT_AGAIN, 1.0)]
    alone = fit_library(replays, ["left-right-0", "left-right-1"])
    assert [p.source for p in alone] == [LEFT_AGAIN]  # up-down's candidate is not among them


def _replays(loglik: list[list[float]], costs: list[float]) -> Replays:
    names = tuple(f"agent-{j}" for j in range(len(loglik[0])))
    return Replays(
        tuple(Candidate(f"# program {i}\n" + STAY, cost) for i, cost in enumerate(costs)),
        tuple(frozenset(names) for _ in costs),
        names,
        np.array(loglik),
        np.arange(len(costs) * len(names)).reshape(len(costs), len(names)),  # all act apart
    )


class Pausing:
    """An agent of ours that idles on about half the ticks, as people do."""

    def __init__(self, family: str, seed: int) -> None:
        self.agent = make_agent("construction", family, action_names=ENV.action_names)
        self.rng = random.Random(seed)

    def act(self, observation: Observation) -> str:
        return "stay" if self.rng.random() < 0.5 else str(self.agent.act(observation))


def test_the_library_learns_how_its_agents_pause(sandbox: Sandbox) -> None:
    scripted = trajectories("left-right", "up-down", episodes=2, steps=30)
    pausing = [
        (f"{family}-{seed}", rollout(ENV, Pausing(family, seed), steps=30, seed=10 + seed))
        for family in ("left-right", "up-down")
        for seed in range(2)
    ]
    found = {name: [Candidate(LEFT if "left" in name else UP, 10.0)] for name, _ in scripted}
    programs = fit_library(replay_candidates(ENV, scripted, found, sandbox=sandbox))
    for data in (scripted, pausing):
        noise = fit_noise(ENV, data, programs, sandbox=sandbox)
        assert noise is not None
        learned = np.asarray(noise.learned).reshape(-1, len(noise.model.grid))  # tempo-major
        assert learned.sum() == pytest.approx(1.0)
        steady = learned[0].sum()  # acting at every tick: half the default prior
        assert steady > 0.99 if data is scripted else steady < 0.01
        if data is scripted:  # and it never erred: the smallest eps
            assert learned[0].argmax() == 0
    assert fit_noise(ENV, [], programs, sandbox=sandbox) is None
    # a grid where no program can miss: an agent none explains says nothing of the population
    exact, left = NoiseModel(grid=(0.0,)), [p for p in programs if p.source == LEFT]
    mixed = [scripted[0], scripted[2]]  # a left-right agent, and an up-down one
    alone = fit_noise(ENV, mixed[:1], left, sandbox=sandbox, noise=exact)
    assert alone is not None and fit_noise(ENV, mixed, left, sandbox=sandbox, noise=exact) == alone
    assert fit_noise(ENV, mixed[1:], left, sandbox=sandbox, noise=exact) is None


def test_a_program_that_fits_one_agent_s_noise_does_not_pay_for_its_length() -> None:
    # program 0 explains all four agents with one miss each (about 4 nats); program 1 also
    # fits agent-3's miss exactly, for 10 nats more description: the library keeps 0 alone
    replays = _replays([[-4.0, -4.0, -4.0, -4.0], [-9.0, -9.0, -9.0, 0.0]], [10.0, 20.0])
    assert [(p.source, p.count) for p in fit_library(replays)] == [
        (replays.candidates[0].source, pytest.approx(4.0))
    ]
    # nor when every agent has such a program of its own, which the likelihood alone prefers
    own = [[0.0 if j == i else -8.0 for j in range(4)] for i in range(4)]
    replays = _replays([[-4.0, -4.0, -4.0, -4.0], *own], [3.0, 13.0, 13.0, 13.0, 13.0])
    assert [(p.source, p.count) for p in fit_library(replays)] == [
        (replays.candidates[0].source, pytest.approx(4.0))
    ]
    # when it saves more than it costs (a second kind of agent), it stays
    replays = _replays([[0.0, 0.0, -30.0, -30.0], [-30.0, -30.0, 0.0, 0.0]], [10.0, 20.0])
    assert [p.count for p in fit_library(replays)] == pytest.approx([2.0, 2.0])


def test_a_program_taken_first_does_not_keep_out_a_better_one() -> None:
    # program 0 fits agents 0-1 exactly and 2-3 with misses, so it is the best one alone; then
    # 1 joins for agents 2-3. Program 2 fits 0-1 as well as 0 does, more cheaply, and nothing
    # else: it only pays in place of 0, which dropping 0 alone (or adding 2) never reaches
    replays = _replays(
        [[0.0, 0.0, -6.0, -6.0], [-30.0, -30.0, 0.0, 0.0], [0.0, 0.0, -30.0, -30.0]],
        [5.0, 5.0, 3.0],
    )
    kept = {p.source: p.count for p in fit_library(replays)}
    assert kept == {
        replays.candidates[1].source: pytest.approx(2.0),
        replays.candidates[2].source: pytest.approx(2.0),
    }


def test_programs_given_without_data_count_one_agent_each(sandbox: Sandbox) -> None:
    given = [Candidate(LEFT, 0.0), Candidate(UP, 0.0)]
    programs = fit_library(replay_candidates(ENV, [], {}, sandbox=sandbox, seeds=given))
    assert [(p.source, p.count) for p in programs] == [(LEFT, 1.0), (UP, 1.0)]


def test_a_build_resumes_from_the_candidates_already_proposed(tmp_path: Path) -> None:
    data = trajectories("left-right", "up-down")
    line = {"trajectory": "left-right-0", "programs": [{"source": LEFT, "cost": 5.0}]}
    (tmp_path / "candidates.jsonl").write_text(json.dumps(line) + "\n")
    settings = CandidateSettings(budget=300, keep=2)
    library = build_library(
        ENV, data, tmp_path, settings=settings, executor=LocalPool(1), data=["here"]
    )
    lines = (tmp_path / "candidates.jsonl").read_text().splitlines()
    assert [json.loads(x)["trajectory"] for x in lines] == ["left-right-0", "up-down-0"]
    assert LEFT in [p.source for p in library.programs]  # the line kept, not proposed again
    assert library.total == pytest.approx(2.0)
    assert library.built["data"] == ["here"] and library.built["budget"] == 300
    assert load_library(tmp_path) == library


def test_a_damaged_candidates_line_is_proposed_again(tmp_path: Path) -> None:
    path = tmp_path / "candidates.jsonl"
    path.write_text('{"trajectory": "left-right-0", "programs": [{"cost": 1}]}\n')
    found = propose_candidates(
        trajectories("left-right"), CandidateSettings(budget=300, keep=1), path
    )
    assert len(found["left-right-0"]) == 1
    assert "Synthesized" in found["left-right-0"][0].source


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    for agent in ("left-right", "up-down"):
        flags = ["--agent", agent, "--episodes", "2", "--steps", "16", "--out", str(root / "c")]
        assert run_rote("generate", *flags).returncode == 0
    game = ["--env", "repeated-game", "--agent", "tit-for-tat", "--steps", "8"]
    assert run_rote("generate", *game, "--out", str(root / "g")).returncode == 0
    return root


def test_the_cli_builds_shows_and_predicts_with_a_library(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    built = run_rote(
        "library", "build", "--trajectories", str(generated / "c"), "--out", str(out),
        "--budget", "300", "--jobs", "1",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "Program library: construction" in built.stdout
    assert "erred and paused: acting at every tick 1.00" in built.stdout  # scripted agents
    shown = run_rote("library", "show", str(out), "--source")
    assert shown.returncode == 0 and "class Agent" in shown.stdout
    predicted = run_rote(
        "predict", "--trajectory", str(generated / "c" / "up-down-001.jsonl"),
        "--observe", "8", "--library", str(out), "--json",
    )  # fmt: skip
    assert predicted.returncode == 0, predicted.stderr
    report = json.loads(predicted.stdout)
    assert report["settings"]["proposer"] == "library"
    assert report["accuracy"] == 1.0
    assert report["programs"][0]["origin"].startswith("library:")


def test_cli_mistakes_are_one_line(generated: Path, tmp_path: Path) -> None:
    trajectory = str(generated / "c" / "up-down-001.jsonl")
    game = str(generated / "g" / "tit-for-tat-000.jsonl")
    good = tmp_path / "lib"
    seeded = run_rote(
        "library", "build", "--programs", str(generated), "--env", "construction",
        "--out", str(good), "--jobs", "1",
    )  # fmt: skip
    assert_one_line_exit_2(seeded, "no .py program files")
    program = tmp_path / "p" / "up.py"
    program.parent.mkdir()
    program.write_text(UP)
    seeded = run_rote(
        "library", "build", "--programs", str(program), "--env", "construction",
        "--out", str(good),
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    cases = [
        (("predict", "--trajectory", trajectory, "--observe", "4", "--concentration", "2"),
         "--concentration is for --library"),
        (("predict", "--trajectory", game, "--observe", "4", "--library", str(good)),
         "the library is of env construction"),
        (("predict", "--trajectory", trajectory, "--observe", "4", "--library", str(tmp_path)),
         "not a program library"),
        (("library", "build", "--out", str(tmp_path / "x")), "give --trajectories"),
        (("library", "build", "--trajectories", str(generated / "c"), str(generated / "g"),
          "--out", str(tmp_path / "x")), "of 2 envs"),
        (("library", "build", "--trajectories", str(generated / "g"), "--env", "construction",
          "--out", str(tmp_path / "x")), "--env construction, but"),
        (("library", "show", str(tmp_path / "nope")), "not a program library"),
    ]  # fmt: skip
    for argv, fragment in cases:
        assert_one_line_exit_2(run_rote(*argv), fragment)


def test_fitting_without_candidates_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RoteError, match="needs trajectories or program files"):
        build_library(ENV, [], tmp_path)
