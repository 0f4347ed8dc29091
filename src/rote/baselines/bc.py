"""Behaviour cloning (BC): the paper's learned baseline, a recurrent policy fitted to a population.

Each member reads, per step, the observation and the previous action: an encoder MLP, an LSTM
(hidden 128) and a linear layer over the env's actions. The paper encodes rendered frames with a
small ResNet; here observations are encoded symbolically (`rote.baselines.encoding`), the same
information without a renderer. Training pools scripted trajectories, splits them 80/20 by
trajectory, and trains every seed on the same 80% with the best epoch on the 20% kept. The
ensemble predicts the mean of its members' softmax. `BCConfig` can take away the previous action
and the memory from step to step, to see what a BC's accuracy owes them
(benchmarks/people_bc.py).

BC never learns at test time: `BCPredictor` only carries each member's LSTM state through the
revealed steps, with or without `update`, so it stands for "what does this population usually
do here", against which inferring one agent's program is measured.

torch is the optional `bench` extra. Importing this module without it raises a one-line
RoteError; nothing imported by `import rote` imports this module.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np

from rote.baselines.encoding import ObservationEncoder, encoder_from_json, make_encoder
from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.files import atomic_write
from rote.observation import Observation
from rote.predictor import Predictor
from rote.trajectory import Step, Trajectory

TORCH_MISSING = "behaviour cloning needs torch: pip install 'minds-as-code[bench]'"
try:
    import torch
    from torch import nn
except ModuleNotFoundError as error:
    if error.name != "torch":
        raise
    raise RoteError(TORCH_MISSING) from None

FORMAT = "rote.bc/1"
INDEX = "ensemble.json"
SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)
"""The paper's ensemble of six."""
EPOCHS = 60
QUICK_SEEDS, QUICK_EPOCHS = 2, 15
SHARED = ("env", "actions", "encoder", "config", "epochs", "split")
"""Checkpoint metadata every member of an ensemble has in common."""
IGNORE = -100
"""Target of a padding step: cross-entropy skips it."""

State = tuple[torch.Tensor, torch.Tensor]
Episode = Trajectory | Sequence[Step]
"""Training data: a trajectory, or its bare steps (no agent label to split by, no env to check)."""


@dataclass(frozen=True)
class BCConfig:
    """The model and optimizer settings, saved with every checkpoint. The budget (seeds and
    epochs) is `train_bc`'s to set."""

    patience: int = 10
    """Stop after this many epochs without a better validation loss."""
    embed: int = 128
    hidden: int = 128
    learning_rate: float = 3e-3
    weight_decay: float = 1e-3
    batch_size: int = 4
    """Trajectories per gradient step."""
    val_fraction: float = 0.2
    split_seed: int = 0
    class_weights: bool = False
    """Weigh each action's steps by n / (k * its count) in the training split (k: the actions
    it has), as Carroll et al.'s later BC can (`use_class_weights`): on people, who stay on
    most ticks, unweighted BC learns to say stay, and what they do when they act is learned
    from a few percent of the loss."""
    previous_action: bool = True
    """Read the previous action with each observation. Carroll et al.'s BC reads neither it nor
    earlier steps (`memory`); with both off this is a feed-forward policy of the current
    observation, as theirs is."""
    memory: bool = True
    """Carry the LSTM's state from step to step. Without, every step is read alone, from a zero
    state: a policy of the current input only."""


class BCModel(nn.Module):
    """Encoder MLP -> LSTM -> logits over the actions, one output per input step."""

    def __init__(
        self, input_dim: int, n_actions: int, embed: int, hidden: int, memory: bool = True
    ) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(input_dim, embed), nn.ReLU())
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_actions)
        self.memory = memory

    def forward(
        self, inputs: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State | None]:
        """Logits (batch, steps, actions) for inputs (batch, steps, input_dim), and the state
        (None without memory: there is none to carry)."""
        embedded = self.encoder(inputs)
        if self.memory:
            hidden, new_state = self.lstm(embedded, state)
            return self.head(hidden), new_state
        batch, steps, width = embedded.shape
        alone, _ = self.lstm(embedded.reshape(batch * steps, 1, width))
        return self.head(alone.reshape(batch, steps, -1)), None


@dataclass
class BCMember:
    """One trained seed: its model at the best validation epoch, and how training went."""

    seed: int
    model: BCModel
    best_epoch: int
    curve: list[dict[str, float]]
    """Per epoch: epoch, train_loss, val_loss, val_accuracy."""


class StepTensors(NamedTuple):
    """One trajectory as tensors: inputs (steps, input_dim) and target action indices (steps)."""

    inputs: torch.Tensor
    targets: torch.Tensor


class BCEnsemble:
    """Members trained on one split of one env's trajectories, with the encoding they share."""

    def __init__(
        self,
        *,
        env_id: str,
        actions: Sequence[str],
        encoder: ObservationEncoder,
        config: BCConfig,
        epochs: int,
        split: dict[str, list[int]],
        members: Sequence[BCMember],
    ) -> None:
        self.env_id = env_id
        self.actions = tuple(actions)
        self.encoder = encoder
        self.config = config
        self.epochs = epochs
        """The most epochs a member trained for (early stopping may end it sooner)."""
        self.split = split
        """Indices into the training call's trajectories: "train" and "val"."""
        self.members = list(members)
        self.input_dim = encoder.dim + (len(self.actions) + 1 if config.previous_action else 0)

    def model(self) -> BCModel:
        """A fresh, untrained model of this ensemble's shape."""
        config = self.config
        return BCModel(
            self.input_dim, len(self.actions), config.embed, config.hidden, config.memory
        )

    def step_input(self, observation: Observation, previous: str | None) -> torch.Tensor:
        """The input of one step: the encoded observation, then (if the config reads it) the
        previous action one-hot (slot 0: no previous action, at the start of a trajectory)."""
        encoded = self.encoder.encode(observation)
        if not self.config.previous_action:
            return torch.from_numpy(encoded)
        before = np.zeros(len(self.actions) + 1, dtype=np.float32)
        before[0 if previous is None else 1 + self.actions.index(previous)] = 1.0
        return torch.from_numpy(np.concatenate([encoded, before]))

    def tensors(self, episode: Episode) -> StepTensors:
        """An episode's steps as training inputs; a final step without an action is dropped."""
        inputs, targets, previous = [], [], None
        for step in _steps(episode):
            if step.action is None:
                break
            if step.action not in self.actions:
                raise RoteError(
                    f"behaviour cloning: action {step.action!r} is not one of "
                    f"{self.env_id}'s actions"
                )
            inputs.append(self.step_input(step.observation, previous))
            targets.append(self.actions.index(step.action))
            previous = step.action
        if not inputs:
            raise RoteError("behaviour cloning: a trajectory has no step with an action")
        return StepTensors(torch.stack(inputs), torch.tensor(targets))

    def accuracy(self, episodes: Sequence[Episode]) -> float:
        """Top-1 accuracy of the mean softmax over every step of `episodes`, each read from its
        first step as the predictor reads it."""
        batch = _pad([self.tensors(episode) for episode in episodes])
        with torch.inference_mode(), _one_thread():
            probabilities = torch.stack(
                [torch.softmax(member.model(batch.inputs)[0], dim=-1) for member in self.members]
            ).mean(dim=0)
        return _top1(probabilities, batch.targets)

    def save(self, directory: str | os.PathLike[str]) -> None:
        """Per member a state_dict (member-SEED.pt) and its metadata (member-SEED.json); the
        index (ensemble.json) names the members, so stale files of another run are ignored.
        The index is removed first and written last: while it is there, the ensemble is whole."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        (out / INDEX).unlink(missing_ok=True)
        for member in self.members:
            with atomic_write(out / f"member-{member.seed}.pt") as tmp:
                torch.save(member.model.state_dict(), tmp)
            meta = {
                "format": FORMAT,
                "env": self.env_id,
                "actions": list(self.actions),
                "encoder": self.encoder.to_json(),
                "config": asdict(self.config),
                "epochs": self.epochs,
                "split": self.split,
                "seed": member.seed,
                "best_epoch": member.best_epoch,
                "curve": member.curve,
            }
            _write_json(out / f"member-{member.seed}.json", meta)
        _write_json(
            out / INDEX, {"format": FORMAT, "members": [member.seed for member in self.members]}
        )

    @staticmethod
    def exists(directory: str | os.PathLike[str]) -> bool:
        """Whether `save` finished writing an ensemble to `directory`."""
        return (Path(directory) / INDEX).is_file()

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> BCEnsemble:
        """The ensemble `save` wrote to `directory`."""
        where = Path(directory)
        index = _read_json(where / INDEX, ("members",))
        metas = [
            _read_json(where / f"member-{seed}.json", (*SHARED, "seed", "best_epoch", "curve"))
            for seed in index["members"]
        ]
        if not metas:
            raise RoteError(f"{where / INDEX}: the ensemble has no members")
        first = metas[0]
        if any(meta[key] != first[key] for meta in metas for key in SHARED):
            raise RoteError(f"{where}: the members were trained on different data or settings")
        try:
            config = BCConfig(**first["config"])
        except TypeError as error:
            raise RoteError(f"{where}: bad BC config in the checkpoint: {error}") from None
        ensemble = cls(
            env_id=first["env"],
            actions=first["actions"],
            encoder=encoder_from_json(first["encoder"]),
            config=config,
            epochs=first["epochs"],
            split=first["split"],
            members=[],
        )
        for meta in metas:
            model = ensemble.model()
            path = where / f"member-{meta['seed']}.pt"
            try:
                model.load_state_dict(torch.load(path, weights_only=True))
            except OSError as error:
                raise RoteError(f"{path}: cannot load the checkpoint: {error.strerror}") from None
            except (pickle.UnpicklingError, RuntimeError):  # not weights, or another shape
                raise RoteError(
                    f"{path}: cannot load the checkpoint: damaged, or not this model's weights"
                ) from None
            model.eval()
            ensemble.members.append(
                BCMember(meta["seed"], model, meta["best_epoch"], meta["curve"])
            )
        return ensemble


def train_bc(
    env: EnvSpec,
    trajectories: Sequence[Episode],
    *,
    out_dir: str | os.PathLike[str],
    seeds: Sequence[int] = SEEDS,
    epochs: int = EPOCHS,
    config: BCConfig | None = None,
    quick: bool = False,
) -> BCEnsemble:
    """Train one member per seed on the same 80/20 split, save the ensemble to `out_dir`.

    Deterministic under the seeds and `config.split_seed`. `quick` keeps the first two seeds
    and at most 15 epochs: a smoke-test model, not a baseline to report.
    """
    config = config or BCConfig()
    if quick:
        seeds, epochs = seeds[:QUICK_SEEDS], min(epochs, QUICK_EPOCHS)
    if not seeds or len(set(seeds)) != len(seeds):
        raise RoteError(f"behaviour cloning needs distinct seeds, not {list(seeds)}")
    if epochs < 1:
        raise RoteError(f"behaviour cloning needs at least 1 epoch, not {epochs}")
    labels = []
    for episode in trajectories:
        if isinstance(episode, Trajectory) and episode.header.env != env.id:
            raise RoteError(
                f"behaviour cloning on {env.id}: got a trajectory of {episode.header.env}"
            )
        labels.append(episode.header.agent if isinstance(episode, Trajectory) else "")
    train, val = split_by_trajectory(labels, config.val_fraction, config.split_seed)
    observations = [step.observation for i in train for step in _steps(trajectories[i])]
    ensemble = BCEnsemble(
        env_id=env.id,
        actions=env.action_names,
        encoder=make_encoder(env, observations),
        config=config,
        epochs=epochs,
        split={"train": train, "val": val},
        members=[],
    )
    train_data = [ensemble.tensors(trajectories[i]) for i in train]
    val_batch = _pad([ensemble.tensors(trajectories[i]) for i in val])
    weights = _balanced(train_data, len(env.action_names)) if config.class_weights else None
    with _one_thread():
        for seed in seeds:
            member = _train_member(seed, ensemble, train_data, val_batch, weights)
            ensemble.members.append(member)
    ensemble.save(out_dir)
    return ensemble


def split_by_trajectory(
    labels: Sequence[str], val_fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Train and validation indices of trajectories with these agent labels, split within each
    label, so every family is trained on and, given two trajectories or more, validated on."""
    if not 0 < val_fraction < 1:
        raise RoteError(f"behaviour cloning: val_fraction must be in (0, 1), not {val_fraction}")
    if len(labels) < 2:
        raise RoteError("behaviour cloning needs at least 2 trajectories (train and validation)")
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    rng = random.Random(seed)
    train, val = [], []
    for label in sorted(groups):
        members = groups[label]
        rng.shuffle(members)
        held = min(round(len(members) * val_fraction), len(members) - 1)
        val += members[:held]
        train += members[held:]
    if not val:  # too few trajectories per label: split the pool instead
        rng.shuffle(train)
        held = max(1, round(len(train) * val_fraction))
        val, train = train[:held], train[held:]
    return sorted(train), sorted(val)


class BCPredictor(Predictor):
    """Predicts the ensemble's mean softmax after reading the revealed steps."""

    name: ClassVar[str] = "bc"

    def __init__(self, env: EnvSpec, ensemble: BCEnsemble) -> None:
        super().__init__(env)
        if ensemble.env_id != env.id or ensemble.actions != self.actions:
            raise RoteError(
                f"bc: the ensemble was trained on {ensemble.env_id} with actions "
                f"{list(ensemble.actions)}, not {env.id} with {list(self.actions)}"
            )
        self.ensemble = ensemble
        self._states: list[State | None] = [None] * len(ensemble.members)
        self._previous: str | None = None

    def _step(self, observation: Observation) -> tuple[torch.Tensor, list[State | None]]:
        """Every member's softmax for `observation` from the current state, and the states
        after reading it; nothing is committed."""
        inputs = self.ensemble.step_input(observation, self._previous).view(1, 1, -1)
        probabilities, states = [], []
        with torch.inference_mode(), _one_thread():
            for member, state in zip(self.ensemble.members, self._states, strict=True):
                logits, new_state = member.model(inputs, state)
                probabilities.append(torch.softmax(logits[0, 0].double(), dim=-1))
                states.append(new_state)
        return torch.stack(probabilities).mean(dim=0), states

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        # Nothing is learned either way; the LSTM reads the step so later predictions see it.
        _, self._states = self._step(observation)
        self._previous = action

    def _predict(self, observation: Observation) -> dict[str, float]:
        probabilities, _ = self._step(observation)
        return dict(zip(self.actions, probabilities.tolist(), strict=True))


def _balanced(train: Sequence[StepTensors], n_actions: int) -> torch.Tensor:
    """Class-balanced weights: n / (k * count) per action of the training steps, k the
    actions that occur (an action that never occurs is never a target; its weight is moot)."""
    targets = torch.cat([t.targets for t in train])
    counts = torch.bincount(targets[targets != IGNORE], minlength=n_actions).double()
    present = int((counts > 0).sum())
    return (counts.sum() / (present * counts.clamp(min=1))).float()


def _train_member(
    seed: int,
    ensemble: BCEnsemble,
    train: list[StepTensors],
    val: StepTensors,
    weights: torch.Tensor | None,
) -> BCMember:
    """Adam on the (weighted) cross-entropy of every step, keeping the epoch of lowest
    validation loss (weighted alike)."""
    config = ensemble.config
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ensemble.model()
    order = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    best_loss, best_epoch = math.inf, 0
    best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    curve: list[dict[str, float]] = []
    for epoch in range(1, ensemble.epochs + 1):
        total, steps = 0.0, 0
        permutation = torch.randperm(len(train), generator=order).tolist()
        for start in range(0, len(train), config.batch_size):
            batch = _pad([train[i] for i in permutation[start : start + config.batch_size]])
            loss, count, _ = _loss(model, batch, weights)
            optimizer.zero_grad()
            torch.autograd.backward(loss / count)
            optimizer.step()
            total, steps = total + loss.item(), steps + count
        with torch.inference_mode():
            val_sum, val_count, val_logits = _loss(model, val, weights)
        val_loss = val_sum.item() / val_count
        curve.append(
            {
                "epoch": epoch,
                "train_loss": round(total / steps, 6),
                "val_loss": round(val_loss, 6),
                "val_accuracy": round(_top1(val_logits, val.targets), 6),
            }
        )
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
            best_state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
        elif epoch - best_epoch >= config.patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    return BCMember(seed, model, best_epoch, curve)


def _loss(
    model: BCModel, batch: StepTensors, weights: torch.Tensor | None
) -> tuple[torch.Tensor, int, torch.Tensor]:
    """Summed (weighted) cross-entropy over the batch's real steps, how many there are, and
    the logits."""
    logits, _ = model(batch.inputs)
    loss = nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]),
        batch.targets.reshape(-1),
        weight=weights,
        ignore_index=IGNORE,
        reduction="sum",
    )
    return loss, int((batch.targets != IGNORE).sum()), logits


def _top1(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """The fraction of real (not padding) steps whose most probable action is the target."""
    hits = (logits.argmax(dim=-1) == targets)[targets != IGNORE]
    return float(hits.double().mean())


def _steps(episode: Episode) -> Sequence[Step]:
    return episode.steps if isinstance(episode, Trajectory) else episode


def _pad(sequences: Sequence[StepTensors]) -> StepTensors:
    """Sequences of different lengths as one batch; padding steps come last, with IGNORE
    targets, so they change neither the loss nor the real steps' LSTM states."""
    return StepTensors(
        nn.utils.rnn.pad_sequence([s.inputs for s in sequences], batch_first=True),
        nn.utils.rnn.pad_sequence(
            [s.targets for s in sequences], batch_first=True, padding_value=IGNORE
        ),
    )


@contextmanager
def _one_thread() -> Iterator[None]:
    """One intra-op thread: the same float reductions on any machine, so a seed gives the same
    model; and on models this small, threads cost more than they save (one step of the
    ensemble took 34 ms on two threads, 1 ms on one)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_write(path) as tmp:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _read_json(path: Path, keys: Sequence[str]) -> dict[str, Any]:
    """A checkpoint JSON file of this format with these keys, or a one-line RoteError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RoteError(f"{path}: cannot read the BC checkpoint: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise RoteError(f"{path}: invalid JSON: {error.msg}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RoteError(f"{path}: not a {FORMAT} file")
    missing = [key for key in keys if key not in data]
    if missing:
        raise RoteError(f"{path}: incomplete BC checkpoint, missing {', '.join(missing)}")
    return data
