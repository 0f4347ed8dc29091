"""What `rote predict` computes, as a library call: ROTE on one trajectory, the predictions it
makes after the observed window, their accuracy, the most probable programs and the cost.
`PredictionReport.to_json` is the `rote predict --json` object.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, NamedTuple

from rote.envs import make_env
from rote.evaluation.metrics import tie_split_hit, top_action
from rote.evaluation.protocols import Prediction, Updating, accuracy, predict_trajectory
from rote.model import ROTE, ProgramSummary
from rote.proposers import Proposer
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Trajectory


class PredictedStep(NamedTuple):
    """One prediction: the distribution over actions at step `t`, and what the agent did
    there (None where the trajectory does not say)."""

    t: int
    distribution: dict[str, float]
    actual: str | None

    @property
    def top(self) -> str:
        """The most probable action (the first of an exact tie)."""
        return top_action(self.distribution)

    @property
    def hit(self) -> float | None:
        """1/k if the action taken is among the k most probable, else 0; None if unknown."""
        return None if self.actual is None else tie_split_hit(self.distribution, self.actual)


@dataclass(frozen=True)
class PredictionReport:
    """The predictions for every step after the observed ones, and what they tell."""

    predictions: tuple[PredictedStep, ...]
    accuracy: float
    """Mean tie-split hit over the predictions whose action is known."""
    programs: tuple[ProgramSummary, ...]
    """The most probable programs at the end, highest weight first."""
    usage: dict[str, float]
    """The proposer's `Usage`, plus `wall_seconds`: the whole run, from building the model."""
    per_call: tuple[dict[str, float], ...]
    """What each proposer call cost (`Proposer.per_call`)."""
    llm: dict[str, Any] | None
    """The LLM settings (`LLMConfig.describe`, no key), or None without an LLM."""

    def accuracy_from(self, t: int) -> tuple[float, int] | None:
        """Accuracy on the predictions from step `t` on (e.g. a layout swap's) and how many
        those are; None if that is none of them or all of them (then it is `accuracy`)."""
        after = [p for p in self.predictions if p.t >= t]
        if not after or len(after) == len(self.predictions):
            return None
        return accuracy([Prediction(*p) for p in after]), len(after)

    def to_json(self) -> dict[str, Any]:
        """The `rote predict --json` object; `per_call` goes inside `usage`."""
        return {
            "predictions": [
                {"t": p.t, "dist": p.distribution, "actual": p.actual} for p in self.predictions
            ],
            "accuracy": self.accuracy,
            "programs": [p._asdict() for p in self.programs],
            "usage": {**self.usage, "per_call": list(self.per_call)},
            "llm": self.llm,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PredictionReport:
        """A report from its `to_json` object (e.g. a saved `rote predict --json`)."""
        usage = dict(value["usage"])
        per_call = usage.pop("per_call")
        return cls(
            predictions=tuple(
                PredictedStep(p["t"], p["dist"], p["actual"]) for p in value["predictions"]
            ),
            accuracy=value["accuracy"],
            programs=tuple(ProgramSummary(**p) for p in value["programs"]),
            usage=usage,
            per_call=tuple(per_call),
            llm=value["llm"],
        )


def prediction_report(
    trajectory: Trajectory,
    proposer: Proposer,
    *,
    observe: int,
    updating: Updating = "frozen",
    particles: int = 30,
    seed: int = 0,
    top: int = 3,
    llm: LLMConfig | None = None,
) -> PredictionReport:
    """ROTE with `proposer` and `particles` particles infers from the first `observe` steps of
    the trajectory, then predicts every later step (`updating` says whether the revealed steps
    update it); the report keeps the `top` programs. `llm` is the proposer's LLM settings, to
    record with the results. The proposer stays the caller's to close."""
    start = time.perf_counter()
    with ROTE(
        make_env(trajectory.header.env, **trajectory.header.env_kwargs),
        proposer,
        n_particles=particles,
        seed=seed,
    ) as model:
        run = predict_trajectory(model, trajectory.steps, observe, updating)
        programs = model.programs(k=top)
    return PredictionReport(
        predictions=tuple(PredictedStep(p.t, p.distribution, p.actual) for p in run.predictions),
        accuracy=accuracy(run.predictions),
        programs=tuple(programs),
        usage={
            **proposer.usage.as_dict(),
            "wall_seconds": round(time.perf_counter() - start, 3),
        },
        per_call=tuple(proposer.per_call),
        llm=None if llm is None else llm.describe(),
    )
