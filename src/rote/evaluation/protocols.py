"""The paper's prediction protocols on one trajectory, for any predictor: the one loop that
`rote predict`, `rote bench` and the benchmarks run.

Observe the first N steps, let the predictor infer from them, then predict every later step
from its true observation, `frozen` or `online` (see `Updating`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

from rote.errors import RoteError
from rote.evaluation.metrics import tie_split_hit
from rote.predictor import Predictor
from rote.trajectory import Step

Updating = Literal["frozen", "online"]
"""Whether the steps revealed after the observed ones update the predictor. `frozen`: they are
revealed without learning (weights fixed, no proposals; the paper's single-step, multi-step and
after-swap protocols). `online`: each revealed action updates it, with rejuvenation allowed
(the online protocol). The bench runs one pass of each; `rote predict --mode` picks one."""
UPDATING: tuple[Updating, ...] = ("frozen", "online")


class Prediction(NamedTuple):
    t: int
    distribution: dict[str, float]
    actual: str | None
    seconds: float = 0.0
    """Predicting this step and then observing it."""


class ProtocolRun(NamedTuple):
    predictions: list[Prediction]
    infer_seconds: float
    """Observing the first steps and inferring from them: the one-time cost."""


def predict_trajectory(
    predictor: Predictor,
    steps: Sequence[Step],
    n_observe: int,
    updating: Updating,
    *,
    stop: int | None = None,
    on_prediction: Callable[[int, int], None] | None = None,
) -> ProtocolRun:
    """Predictions for steps n_observe..stop of a trajectory after observing the steps before;
    `on_prediction(done, total)` after each (a long game takes minutes)."""
    if updating not in UPDATING:
        raise RoteError(f"updating must be one of {', '.join(UPDATING)}, not {updating!r}")
    if not 1 <= n_observe < len(steps):
        raise RoteError(
            f"--observe must be between 1 and {len(steps) - 1} for a {len(steps)}-step trajectory"
        )
    start = time.perf_counter()
    for t, step in enumerate(steps[:n_observe]):
        if step.action is None:
            raise RoteError(f"step {t} has no action, so it cannot be observed")
        predictor.observe(step.observation, step.action)
    predictor.infer()
    infer_seconds = time.perf_counter() - start
    predictions = []
    end = len(steps) if stop is None else min(stop, len(steps))
    for t in range(n_observe, end):
        step = steps[t]
        began = time.perf_counter()
        distribution = predictor.predict(step.observation)
        if step.action is not None:
            predictor.observe(step.observation, step.action, update=updating == "online")
        predictions.append(Prediction(t, distribution, step.action, time.perf_counter() - began))
        if on_prediction is not None:
            on_prediction(len(predictions), end - n_observe)
    return ProtocolRun(predictions, infer_seconds)


def accuracy(predictions: Sequence[Prediction]) -> float:
    """Mean tie-split hit over the predictions whose actual action is known."""
    scored = [tie_split_hit(p.distribution, p.actual) for p in predictions if p.actual is not None]
    if not scored:
        raise RoteError("no step after the observed ones has an action to score")
    return sum(scored) / len(scored)
