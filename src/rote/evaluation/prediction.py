"""What `rote predict` computes, as a library call: ROTE on one trajectory, the predictions it
makes after the observed window, their accuracy, the programs of the posterior with the steps
each fits, and the cost. `PredictionReport.to_json` is the `rote predict --json` object, whose
JSON Schema is docs/predict.schema.json.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rote.envs import make_env
from rote.errors import RoteError
from rote.evaluation.metrics import cross_entropy, tie_split_hit, top_action, without_idle
from rote.evaluation.protocols import Prediction, Updating, accuracy, predict_trajectory
from rote.files import atomic_write, make_directory
from rote.model import ROTE, ProgramSummary
from rote.proposers import Proposer
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Trajectory
from rote.version import __version__

SCHEMA = "rote.prediction/2"
"""The `schema` of the JSON object; a change to its fields changes the number. 2 added the
cross-entropy, the no-stay scores and the idle action."""
READABLE = (SCHEMA, "rote.prediction/1")
"""The versions `PredictionReport.from_json` reads: 1 lacks only fields derived from the
predictions and the env."""


class PredictionSettings(NamedTuple):
    """What a run was asked to do: enough to run it again."""

    trajectory: str | None
    """The trajectory file, or None for a trajectory given in memory."""
    env: str
    observe: int
    mode: Updating
    particles: int
    seed: int
    proposer: str
    horizon: int | None
    """How many steps after the observed ones were predicted; None for all of them."""


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

    settings: PredictionSettings
    predictions: tuple[PredictedStep, ...]
    accuracy: float
    """Mean tie-split hit over the predictions whose action is known."""
    swap_at: int | None
    """The step at which the trajectory's layout was swapped (its header says), if it was."""
    programs: tuple[ProgramSummary, ...]
    """The programs of the posterior at the end, highest weight first."""
    usage: dict[str, float]
    """The proposer's `Usage`, plus `wall_seconds`: the whole run, from building the model."""
    per_call: tuple[dict[str, float], ...]
    """What each proposer call cost (`Proposer.per_call`)."""
    llm: dict[str, Any] | None
    """The LLM settings (`LLMConfig.describe`, no key), or None without an LLM."""
    idle_action: str | None = None
    """The env's action that does nothing (`EnvSpec.idle_action`), by which the no-stay scores
    are taken; None where it has none."""

    @property
    def cross_entropy(self) -> float:
        """Mean -ln p(action taken) over the predictions whose action is known, in nats, p
        floored at 1e-3 (`rote.evaluation.metrics.cross_entropy`)."""
        known = [p.distribution[p.actual] for p in self.predictions if p.actual is not None]
        return statistics.fmean(cross_entropy(p) for p in known)

    @property
    def no_stay(self) -> tuple[float, float, int] | None:
        """Accuracy and cross-entropy on the steps where the agent acted, the idle action
        removed and the rest renormalised (`without_idle`), and how many those are; None
        without an idle action or a step where the agent acted."""
        scored = [
            found
            for p in self.predictions
            if p.actual is not None
            and (found := without_idle(p.distribution, p.actual, self.idle_action)) is not None
        ]
        if not scored:
            return None
        hits = statistics.fmean(found.hit for found in scored)
        return hits, statistics.fmean(cross_entropy(found.p) for found in scored), len(scored)

    @property
    def scored(self) -> int:
        """The predictions whose action is known (a last step may have none)."""
        return sum(p.actual is not None for p in self.predictions)

    def accuracy_from(self, t: int) -> tuple[float, int] | None:
        """Accuracy on the predictions from step `t` on (e.g. a layout swap's) and how many
        those are; None if that is none of them or all of them (then it is `accuracy`)."""
        after = [p for p in self.predictions if p.t >= t and p.actual is not None]
        if not after or len(after) == self.scored:
            return None
        return accuracy([Prediction(*p) for p in after]), len(after)

    @property
    def after_swap(self) -> tuple[float, int] | None:
        """`accuracy_from` the layout swap, if the predictions straddle one."""
        return None if self.swap_at is None else self.accuracy_from(self.swap_at)

    def observed_fit(self, program: ProgramSummary) -> int:
        """On how many of the observed steps the program named the action taken."""
        return sum(program.agrees[: self.settings.observe])

    def to_json(self, top: int | None = None) -> dict[str, Any]:
        """The `rote predict --json` object, with the `top` programs (all of them by default;
        `from_json` restores the report only from all)."""
        after = self.after_swap
        no_stay = self.no_stay
        return {
            "schema": SCHEMA,
            "rote": __version__,
            "settings": self.settings._asdict(),
            "accuracy": self.accuracy,
            "cross_entropy": self.cross_entropy,
            "no_stay": None
            if no_stay is None
            else dict(zip(("accuracy", "cross_entropy", "scored_steps"), no_stay, strict=True)),
            "idle_action": self.idle_action,
            "scored_steps": self.scored,
            "swap_at": self.swap_at,
            "after_swap": None
            if after is None
            else {"accuracy": after[0], "scored_steps": after[1]},
            "predictions": [
                {"t": p.t, "dist": p.distribution, "top": p.top, "actual": p.actual, "hit": p.hit}
                for p in self.predictions
            ],
            "programs": [
                {
                    "rank": rank,
                    "weight": program.weight,
                    "origin": program.origin,
                    "description": program.description,
                    "observed_fit": self.observed_fit(program),
                    "steps_seen": len(program.agrees),
                    "missed": [t for t, agreed in enumerate(program.agrees) if not agreed],
                    "acting_rates": program.acting_rates,
                    "source": program.source,
                }
                for rank, program in enumerate(self.programs[:top], start=1)
            ],
            "usage": {**self.usage, "per_call": list(self.per_call)},
            "llm": self.llm,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> PredictionReport:
        """A report from its `to_json()` object (e.g. a saved `rote predict --json`); the
        fields that `to_json` derives (each step's top and hit, the fits, the scores) are not
        read. A version-1 object has no idle action: its report has none."""
        usage = dict(value["usage"])
        per_call = usage.pop("per_call")
        return cls(
            settings=PredictionSettings(**value["settings"]),
            predictions=tuple(
                PredictedStep(p["t"], p["dist"], p["actual"]) for p in value["predictions"]
            ),
            accuracy=value["accuracy"],
            swap_at=value["swap_at"],
            programs=tuple(
                ProgramSummary(
                    p["weight"],
                    p["source"],
                    p["origin"],
                    p["description"],
                    tuple(t not in set(p["missed"]) for t in range(p["steps_seen"])),
                    p.get("acting_rates"),
                )
                for p in value["programs"]
            ),
            usage=usage,
            per_call=tuple(per_call),
            llm=value["llm"],
            idle_action=value.get("idle_action"),
        )


def prediction_report(
    trajectory: Trajectory,
    proposer: Proposer,
    *,
    observe: int,
    updating: Updating = "frozen",
    particles: int = 30,
    seed: int = 0,
    horizon: int | None = None,
    llm: LLMConfig | None = None,
    path: str | None = None,
    on_prediction: Callable[[int, int], None] | None = None,
    on_model: Callable[[ROTE], None] | None = None,
) -> PredictionReport:
    """ROTE with `proposer` and `particles` particles infers from the first `observe` steps of
    the trajectory, then predicts the later steps (the next `horizon` of them, or all);
    `updating` says whether the revealed steps update it. `llm` is the proposer's LLM settings
    and `path` the trajectory's file, to record with the results; `on_prediction` hears of
    each step predicted: how many are done, of how many; `on_model` may read the model at the
    end, before it closes (`rote explain` reads its belief and step records). The proposer
    stays the caller's."""
    start = time.perf_counter()
    header = trajectory.header
    stop = None if horizon is None else observe + horizon
    with ROTE(
        make_env(header.env, **header.env_kwargs), proposer, n_particles=particles, seed=seed
    ) as model:
        run = predict_trajectory(
            model, trajectory.steps, observe, updating, stop=stop, on_prediction=on_prediction
        )
        programs = model.programs(k=None)
        if on_model is not None:
            on_model(model)
    swap_at = header.meta.get("swap_at")
    return PredictionReport(
        settings=PredictionSettings(
            path, header.env, observe, updating, particles, seed, proposer.name, horizon
        ),
        predictions=tuple(PredictedStep(p.t, p.distribution, p.actual) for p in run.predictions),
        accuracy=accuracy(run.predictions),
        swap_at=swap_at if isinstance(swap_at, int) else None,
        programs=tuple(programs),
        usage={
            **proposer.usage.as_dict(),
            "wall_seconds": round(time.perf_counter() - start, 3),
        },
        per_call=tuple(proposer.per_call),
        llm=None if llm is None else llm.describe(),
        idle_action=model.env.idle_action,
    )


INDEX = "programs.json"
"""Beside the saved program files: each one's rank, weight, origin, description and fit, and
the run's settings."""


def check_program_directory(directory: Path) -> None:
    """Refuse a directory that already holds programs: `--proposer list --programs DIR` loads
    every .py file in it, so an earlier run's would join the new ones unseen. Checked before a
    run as well as when saving, so a long run does not end in this error."""
    if directory.is_dir() and any(directory.glob("*.py")):
        raise RoteError(f"{directory}: already holds programs; save them to an empty directory")


def save_programs(report: PredictionReport, directory: Path) -> list[Path]:
    """Write each program of the posterior as a file `--proposer list` loads back, named by
    rank, each source exactly as it ran (so it keeps its id), and an index (`INDEX`)."""
    check_program_directory(directory)
    make_directory(directory)
    digits = len(str(len(report.programs)))
    paths = []
    index = []
    for rank, program in enumerate(report.programs, start=1):
        path = directory / f"program-{rank:0{digits}d}.py"
        with atomic_write(path) as tmp:
            tmp.write_text(program.source, encoding="utf-8")
        paths.append(path)
        index.append(
            {
                "file": path.name,
                "weight": program.weight,
                "origin": program.origin,
                "description": program.description,
                "observed_fit": report.observed_fit(program),
            }
        )
    with atomic_write(directory / INDEX) as tmp:
        value = {"settings": report.settings._asdict(), "programs": index}
        tmp.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    return paths
