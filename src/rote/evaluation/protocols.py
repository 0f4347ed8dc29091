"""The paper's prediction protocols on one trajectory.

Observe the first N steps, infer programs from them, then predict every later step from its
true observation. `frozen`: the later steps are revealed without learning (weights fixed, no
proposals; the paper's multi-step and after-swap protocols). `online`: each revealed action
updates the posterior, with rejuvenation allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from rote.errors import RoteError
from rote.evaluation.metrics import tie_split_hit
from rote.model import ROTE
from rote.trajectory import Step

Mode = Literal["frozen", "online"]
MODES: tuple[Mode, ...] = ("frozen", "online")


class Prediction(NamedTuple):
    t: int
    distribution: dict[str, float]
    actual: str | None


def predict_trajectory(
    model: ROTE, steps: Sequence[Step], n_observe: int, mode: Mode
) -> list[Prediction]:
    """Predictions for steps n_observe.. of a trajectory after observing the steps before."""
    if mode not in MODES:
        raise RoteError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if not 1 <= n_observe < len(steps):
        raise RoteError(
            f"--observe must be between 1 and {len(steps) - 1} for a {len(steps)}-step trajectory"
        )
    for t, step in enumerate(steps[:n_observe]):
        if step.action is None:
            raise RoteError(f"step {t} has no action, so it cannot be observed")
        model.observe(step.observation, step.action)
    model.infer()
    predictions = []
    for t in range(n_observe, len(steps)):
        step = steps[t]
        predictions.append(Prediction(t, model.predict(step.observation), step.action))
        if step.action is not None:
            model.observe(step.observation, step.action, update=mode == "online")
    return predictions


def accuracy(predictions: Sequence[Prediction]) -> float:
    """Mean tie-split hit over the predictions whose actual action is known."""
    scored = [tie_split_hit(p.distribution, p.actual) for p in predictions if p.actual is not None]
    if not scored:
        raise RoteError("no step after the observed ones has an action to score")
    return sum(scored) / len(scored)
