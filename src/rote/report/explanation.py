"""`rote explain`'s run: the prediction report, plus what the model's belief was over the steps
(`ROTE.belief`) and what SMC did when (`ROTE.records`): the inference, resampling, rejuvenation,
programs failing, and the layout swap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from rote.evaluation.prediction import PredictionReport, prediction_report
from rote.evaluation.protocols import Updating
from rote.inference.smc import StepRecord
from rote.model import ROTE
from rote.proposers import Proposer
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Trajectory

EventKind = Literal["inferred", "resampled", "rejuvenated", "failed", "swap"]


class Event(NamedTuple):
    """Something that changed what the model believes (or what it sees), at step `t`."""

    t: int
    kind: EventKind
    detail: str


@dataclass(frozen=True)
class Explanation:
    """A prediction run and how its belief came about."""

    report: PredictionReport
    trajectory: Trajectory
    belief: tuple[tuple[float, ...], ...]
    """Per step the model saw, the posterior mass of each of the report's first `len(row)`
    programs after that step (`ROTE.belief`)."""
    events: tuple[Event, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            **self.report.to_json(top=len(self.belief[0]) if self.belief else 0),
            "belief": [list(row) for row in self.belief],
            "events": [event._asdict() for event in self.events],
        }


def events(report: PredictionReport, records: list[StepRecord]) -> list[Event]:
    """The run's events in step order: the inference after the observed steps, each step
    record's resampling, rejuvenation and failures, and the layout swap if the model saw it."""
    observe = report.settings.observe
    proposed = int(report.per_call[0]["programs"]) if report.per_call else 0
    found = [Event(observe, "inferred", f"{proposed} programs proposed from steps 0-{observe - 1}")]
    for record in records:
        if record.ancestors is not None:
            found.append(Event(record.t, "resampled", "the weights had concentrated: resampled"))
        if record.rejuvenated:
            detail = f"no program explained the last steps: {record.proposals} new programs"
            found.append(Event(record.t, "rejuvenated", detail))
        if record.failures:
            found.append(Event(record.t, "failed", f"{len(record.failures)} programs failed"))
    seen = observe + len(report.predictions)  # --horizon may stop before the swap
    if report.swap_at is not None and report.swap_at < seen:
        found.append(Event(report.swap_at, "swap", "the layout was re-sampled"))
    return sorted(found, key=lambda event: event.t)


def explain(
    trajectory: Trajectory,
    proposer: Proposer,
    *,
    observe: int,
    updating: Updating = "frozen",
    particles: int = 30,
    seed: int = 0,
    horizon: int | None = None,
    top: int = 3,
    llm: LLMConfig | None = None,
    path: str | None = None,
    on_prediction: Callable[[int, int], None] | None = None,
) -> Explanation:
    """`prediction_report` (the same arguments), with the belief in its `top` programs over
    the steps and the events."""
    seen: dict[str, Any] = {}

    def read(model: ROTE) -> None:
        seen["belief"] = model.belief(top)
        seen["records"] = list(model.records)

    report = prediction_report(
        trajectory,
        proposer,
        observe=observe,
        updating=updating,
        particles=particles,
        seed=seed,
        horizon=horizon,
        llm=llm,
        path=path,
        on_prediction=on_prediction,
        on_model=read,
    )
    belief = tuple(tuple(round(float(w), 6) for w in row) for row in seen["belief"])
    return Explanation(report, trajectory, belief, tuple(events(report, seen["records"])))
