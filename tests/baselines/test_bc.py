"""Behaviour cloning: the predictor contract, determinism, checkpoints, and that it learns."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rote import agent_names, make_agent, make_env, rollout
from rote.baselines.bc import (
    TORCH_MISSING,
    BCConfig,
    BCEnsemble,
    BCPredictor,
    split_by_trajectory,
    train_bc,
)
from rote.baselines.encoding import RECENT, FieldEncoder, GridEncoder, encoder_from_json
from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.observation import Observation
from rote.rollout import noise_seed
from rote.trajectory import Header, Step, Trajectory
from tests.predictor_checks import ENV, PredictorChecks, steps

EPISODES = 5
HELD_OUT_ACCURACY = 0.5
"""Chance is 1/6; the quick ensemble measured 0.62 on its 10 validation trajectories."""


def suite(families: list[str], episodes: int) -> list[Trajectory]:
    """Clean episodes as `rote generate --steps 50 --swap-at 30 --seed 0` records them."""
    return [
        rollout(
            ENV,
            make_agent(
                "construction",
                family,
                action_names=ENV.action_names,
                seed=noise_seed(0, family, episode),
            ),
            steps=50,
            seed=episode,
            swap_at=30,
            agent_label=family,
        )
        for family in families
        for episode in range(episodes)
    ]


@pytest.fixture(scope="module")
def data() -> list[Trajectory]:
    return suite(agent_names("construction"), EPISODES)


@pytest.fixture(scope="module")
def trained(
    data: list[Trajectory], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, BCEnsemble]:
    """The quick ensemble, as `train_bc` returns it, and where it saved it."""
    out = tmp_path_factory.mktemp("bc")
    return out, train_bc(ENV, data, out_dir=out, quick=True)


@pytest.fixture(scope="module")
def ensemble(trained: tuple[Path, BCEnsemble]) -> BCEnsemble:
    return trained[1]


def predictions(ensemble: BCEnsemble, trajectory: Trajectory) -> list[dict[str, float]]:
    """Predict each step from the ones before it, as the bench's online protocol does."""
    out = []
    with BCPredictor(ENV, ensemble) as predictor:
        for step in trajectory.steps:
            assert step.action is not None
            out.append(predictor.predict(step.observation))
            predictor.observe(step.observation, step.action)
    return out


def stepped_accuracy(ensemble: BCEnsemble, trajectories: list[Trajectory]) -> float:
    """Top-1 accuracy of the predictor stepping through each trajectory one observation at a
    time, to set beside `BCEnsemble.accuracy`, which reads them as training does."""
    hits = [
        max(distribution, key=distribution.__getitem__) == step.action
        for trajectory in trajectories
        for distribution, step in zip(
            predictions(ensemble, trajectory), trajectory.steps, strict=True
        )
    ]
    return float(np.mean(hits))


class TestBCPredictor(PredictorChecks):
    @pytest.fixture(autouse=True)
    def _ensemble(self, ensemble: BCEnsemble) -> None:
        self.ensemble = ensemble

    def make(self, env: EnvSpec) -> BCPredictor:
        return BCPredictor(env, self.ensemble)


def test_learns_clearly_above_chance_on_held_out_trajectories(
    ensemble: BCEnsemble, data: list[Trajectory]
) -> None:
    val = [data[i] for i in ensemble.split["val"]]
    assert {trajectory.header.agent for trajectory in val} == set(agent_names("construction"))
    accuracy = ensemble.accuracy(val)
    assert accuracy > HELD_OUT_ACCURACY
    # The predictor, stepping one observation at a time, reads trajectories as training did.
    assert stepped_accuracy(ensemble, val) == pytest.approx(accuracy, abs=1e-9)


def test_training_is_deterministic_under_the_seed(tmp_path: Path) -> None:
    data = suite(["snake", "colour-cycle"], 3)
    config = BCConfig(embed=16, hidden=16)
    first = train_bc(ENV, data, out_dir=tmp_path / "a", seeds=(3,), epochs=3, config=config)
    second = train_bc(ENV, data, out_dir=tmp_path / "b", seeds=(3,), epochs=3, config=config)
    assert first.members[0].curve == second.members[0].curve
    assert predictions(first, data[0]) == predictions(second, data[0])
    other = train_bc(ENV, data, out_dir=tmp_path / "c", seeds=(4,), epochs=3, config=config)
    assert predictions(other, data[0]) != predictions(first, data[0])


def test_class_balanced_training_gives_the_rare_actions_more_probability(tmp_path: Path) -> None:
    data = suite(["snake", "colour-cycle", "pink-to-corner"], 3)
    counts = Counter(step.action for trajectory in data for step in trajectory.steps)
    rare = min(counts, key=counts.__getitem__)
    mean_p = {}
    for weighted in (False, True):
        config = BCConfig(embed=16, hidden=16, class_weights=weighted)
        out = tmp_path / str(weighted)
        train_bc(ENV, data, out_dir=out, seeds=(0,), epochs=5, config=config)
        loaded = BCEnsemble.load(out)
        assert loaded.config.class_weights is weighted  # saved with the checkpoint
        found = [d[rare] for trajectory in data for d in predictions(loaded, trajectory)]
        mean_p[weighted] = float(np.mean(found))
    assert mean_p[True] > 1.2 * mean_p[False], (rare, counts, mean_p)  # the same if unweighted


@pytest.mark.parametrize(
    ("previous_action", "memory"), [(False, True), (True, False), (False, False)]
)
def test_a_bc_reads_only_what_its_config_lets_it(
    tmp_path: Path, previous_action: bool, memory: bool
) -> None:
    data = suite(["snake", "colour-cycle"], 3)
    config = BCConfig(embed=16, hidden=16, previous_action=previous_action, memory=memory)
    train_bc(ENV, data, out_dir=tmp_path, seeds=(0,), epochs=3, config=config)
    ensemble = BCEnsemble.load(tmp_path)
    assert ensemble.config == config
    # One observation read after two different histories: the history shows in the prediction
    # exactly when the model reads it, through the previous action or the LSTM's state.
    last = data[0].steps[20].observation
    after = []
    for history in (data[0].steps[:20], data[1].steps[10:12]):
        with BCPredictor(ENV, ensemble) as predictor:
            for step in history:
                assert step.action is not None
                predictor.observe(step.observation, step.action)
            after.append(predictor.predict(last))
    assert data[0].steps[19].action != data[1].steps[11].action
    reads_history = previous_action or memory
    assert (after[0] != after[1]) is reads_history
    # Training read the steps as the predictor does.
    val = [data[i] for i in ensemble.split["val"]]
    assert stepped_accuracy(ensemble, val) == pytest.approx(ensemble.accuracy(val), abs=1e-9)


def test_training_saves_what_loads_back(
    trained: tuple[Path, BCEnsemble], data: list[Trajectory]
) -> None:
    out, ensemble = trained
    assert sorted(path.name for path in out.iterdir()) == [
        "ensemble.json",
        "member-0.json",
        "member-0.pt",
        "member-1.json",
        "member-1.pt",
    ]
    assert BCEnsemble.exists(out)
    again = BCEnsemble.load(out)
    assert predictions(again, data[0]) == predictions(ensemble, data[0])
    member = again.members[0]
    assert again.epochs == 15 and 1 <= member.best_epoch <= len(member.curve) <= 15
    assert set(member.curve[0]) == {"epoch", "train_loss", "val_loss", "val_accuracy"}
    assert [m.curve for m in again.members] == [m.curve for m in ensemble.members]
    assert again.split == ensemble.split
    assert sorted(again.split["train"] + again.split["val"]) == list(range(len(data)))


def test_predict_leaves_the_state_and_update_false_still_reads_the_step(
    ensemble: BCEnsemble,
) -> None:
    history = steps("l-shape", 12)
    plain = []
    with BCPredictor(ENV, ensemble) as predictor:
        for step in history:
            assert step.action is not None
            plain.append(predictor.predict(step.observation))
            predictor.observe(step.observation, step.action)
    with BCPredictor(ENV, ensemble) as predictor:
        for i, step in enumerate(history):
            assert step.action is not None
            predictor.predict(history[-1].observation)  # a look elsewhere changes nothing
            assert predictor.predict(step.observation) == plain[i]
            predictor.observe(step.observation, step.action, update=i % 2 == 0)


def test_split_is_by_trajectory_per_family_and_seeded() -> None:
    labels = [f"f{i % 2}" for i in range(10)]
    train, val = split_by_trajectory(labels, 0.2, seed=1)
    assert sorted(train + val) == list(range(10))
    assert sorted(labels[i] for i in val) == ["f0", "f1"]
    assert split_by_trajectory(labels, 0.2, seed=1) == (train, val)
    assert len(split_by_trajectory(["a", "b", "c", "d", "e"], 0.2, seed=0)[1]) == 1
    with pytest.raises(RoteError, match="at least 2 trajectories"):
        split_by_trajectory(["a"], 0.2, seed=0)


def test_grid_encoding_pads_a_smaller_grid_with_wall() -> None:
    small = {
        "t": 0,
        "size": 5,
        "agent": [1, 2],
        "held": "blue",
        "walls": [[2, 2]],
        "blocks": [{"pos": [3, 3], "colour": "pink"}],
    }
    encoder = GridEncoder(7)
    vector = encoder.encode(small)
    assert vector.shape == (encoder.dim,) == (7 * 49 + 6,)
    grid = vector[: 7 * 49].reshape(7, 7, 7)
    assert grid[0].sum() == 49 - 8  # all wall but 3x3 interior cells, one of them wall itself
    assert grid[1, 2, 1] == 1 and grid[2 + 3, 3, 3] == 1  # agent; pink is the 4th colour
    assert list(vector[-6:]) == [0, 0, 1, 0, 0, 0]
    assert encoder_from_json(encoder.to_json()).dim == encoder.dim


TOY = make_env("repeated-game")
"""The generic encoder reads only the observations it is given; the spec names the env."""


def test_generic_encoding_of_other_envs() -> None:
    observations = [
        {"hp": 3, "alive": True, "mood": "calm", "name": f"id{i}", "pos": [i, 0]} for i in range(20)
    ]
    observations[0]["mood"] = None
    encoder = FieldEncoder.fit(TOY, observations)
    assert encoder.dim == 2 + 2  # hp and alive; mood's null and "calm"; not name, not pos
    assert list(encoder.encode({"hp": 3, "alive": True, "mood": "calm"})) == [0, 0, 0, 1]
    assert list(encoder.encode({"mood": "unseen"})) == [0, 0, 0, 0]
    rebuilt = encoder_from_json(encoder.to_json())
    assert list(rebuilt.encode(observations[0])) == list(encoder.encode(observations[0]))
    with pytest.raises(RoteError, match="cannot encode repeated-game observations"):
        FieldEncoder.fit(TOY, [{"pos": [0, 1]}])


def test_generic_encoding_keeps_the_recent_history() -> None:
    """A history field (moves so far) contributes its last RECENT entries, newest first."""
    observations = [{"moves": [], "cells": [[0, 1]]}, {"moves": ["C"], "cells": []}]
    encoder = FieldEncoder.fit(TOY, [*observations, {"moves": ["C", "D"], "cells": []}])
    assert encoder.dim == RECENT * 2
    assert list(encoder.encode({"moves": ["D", "D", "C", "D"]})) == [0, 1, 1, 0, 0, 1]
    assert list(encoder.encode({"moves": []})) == [0] * 6
    rebuilt = encoder_from_json(encoder.to_json())
    assert list(rebuilt.encode({"moves": ["C"]})) == [1, 0, 0, 0, 0, 0]


def test_one_line_errors(
    tmp_path: Path, trained: tuple[Path, BCEnsemble], data: list[Trajectory]
) -> None:
    assert not BCEnsemble.exists(tmp_path)
    with pytest.raises(RoteError, match="cannot read the BC checkpoint"):
        BCEnsemble.load(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(trained[0], broken)
    (broken / "member-0.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(RoteError, match=r"member-0\.pt: cannot load the checkpoint"):
        BCEnsemble.load(broken)
    meta = json.loads((broken / "member-1.json").read_text())
    del meta["curve"]
    (broken / "member-1.json").write_text(json.dumps(meta))
    with pytest.raises(RoteError, match=r"member-1\.json: incomplete BC checkpoint, missing curve"):
        BCEnsemble.load(broken)
    with pytest.raises(RoteError, match="distinct seeds"):
        train_bc(ENV, data, out_dir=tmp_path, seeds=(1, 1))
    other = Trajectory(Header("gridland"), data[0].steps)
    with pytest.raises(RoteError, match="got a trajectory of gridland"):
        train_bc(ENV, [data[0], other], out_dir=tmp_path)


def test_missing_torch_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # what `import torch` finds uninstalled
    spec = importlib.util.find_spec("rote.baselines.bc")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(RoteError) as error:
        spec.loader.exec_module(module)
    assert str(error.value) == TORCH_MISSING


def test_importing_rote_does_not_import_torch() -> None:
    code = "import sys, rote, rote.baselines; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


class Lights(EnvSpec):
    """A toy replay-only env: go on green, wait on red. No grid, so BC encodes it generically."""

    id = "lights"

    def __init__(self) -> None:
        super().__init__(
            action_names=("wait", "go"),
            rules="Go on green, wait on red.",
            observation_schema={"type": "object"},
            kwargs={},
        )

    def render_text(self, observation: Observation) -> str:
        return str(observation)


def lights(episode: int) -> Trajectory:
    colours = ["green" if (episode * 7 + t * 3) % 5 < 2 else "red" for t in range(20)]
    return Trajectory(
        Header("lights", agent="driver"),
        [
            Step({"t": t, "light": c}, "go" if c == "green" else "wait")
            for t, c in enumerate(colours)
        ],
    )


def test_other_envs_train_on_the_generic_encoding(tmp_path: Path, ensemble: BCEnsemble) -> None:
    env = Lights()
    data = [lights(episode) for episode in range(10)]
    trained = train_bc(env, data, out_dir=tmp_path, seeds=(0,), epochs=30)
    assert trained.encoder.to_json()["kind"] == "fields"
    assert trained.accuracy([data[i] for i in trained.split["val"]]) == 1.0
    with pytest.raises(RoteError, match="trained on construction"):
        BCPredictor(env, ensemble)
