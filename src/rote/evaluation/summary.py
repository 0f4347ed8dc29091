"""The bench's report, from its cells' results: summary.md, summary.csv, scores.csv,
families.csv, confusions.csv and the plots. It reads results and never runs a cell, so it
works the same on a finished bench, a partial one, or a results.jsonl read back with
`bench.load`.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

from rote.evaluation.metrics import bootstrap_interval, cross_entropy
from rote.evaluation.protocols import Updating
from rote.evaluation.records import CellResult, Row, ScoredPrediction
from rote.evaluation.suites import PROTOCOLS, Suite
from rote.files import atomic_write


def protocol_scores(suite: Suite, result: CellResult, protocol: str) -> dict[str, float]:
    """A trajectory's accuracy, cross-entropy and Brier score on one protocol, from its pass's
    result."""
    scored = _on_protocol(suite, result, protocol)
    return {
        "accuracy": statistics.fmean(p.hit for p in scored),
        "cross_entropy": statistics.fmean(cross_entropy(p.p) for p in scored),
        "brier": statistics.fmean(p.brier for p in scored),
    }


def _on_protocol(suite: Suite, result: CellResult, protocol: str) -> list[ScoredPrediction]:
    wanted = suite.protocol_steps(protocol)
    return [p for p in result.predictions if p.t in wanted]


METRICS: dict[str, Callable[[ScoredPrediction], float | None]] = {
    "accuracy": lambda p: p.hit,
    "cross-entropy": lambda p: cross_entropy(p.p),
    "no-stay accuracy": lambda p: p.no_stay_hit,
    "no-stay cross-entropy": lambda p: None if p.no_stay_p is None else cross_entropy(p.no_stay_p),
}
"""Each metric's value at one step, None at a step it does not score: the no-stay pair scores
only the steps where the agent acted (`ScoredPrediction.no_stay_hit`)."""

Averaging = Literal["trajectory", "pooled"]
AVERAGINGS: tuple[Averaging, ...] = ("trajectory", "pooled")
"""Per trajectory: the mean of each trajectory's mean, every trajectory counting once (Carroll
et al.'s way); pooled: the mean over all scored steps, a long trajectory counting more."""


class Score(NamedTuple):
    """One line of scores.csv: one metric of a method on a protocol, over a family's
    trajectories (or all of them), averaged one way."""

    method: str
    protocol: str
    family: str
    """A family's name, or "all"."""
    metric: str
    """A key of `METRICS`."""
    averaging: Averaging
    value: float
    ci_low: float
    ci_high: float
    """The 95% bootstrap interval of `value`, resampling trajectories."""
    trajectories: int
    """Those with at least one step the metric scores."""
    steps: int


def scores(suite: Suite, results: Sequence[CellResult]) -> list[Score]:
    """Every metric, both averagings, for each method and protocol, over all trajectories and
    per family; a metric that scores no step of a group (no-stay where no action is idle) has
    no line."""
    found = []
    for name in dict.fromkeys(r.method for r in results):
        for protocol in suite.protocols:
            # each trajectory's steps on the protocol, picked out once for every group and metric
            scored = [
                (r.family, _on_protocol(suite, r, protocol))
                for r in results
                if (r.method, r.updating) == (name, scored_in(protocol))
            ]
            for family in ("all", *suite.families):
                group = [steps for owner, steps in scored if family in ("all", owner)]
                for metric, value in METRICS.items():
                    where = (name, protocol, family, metric)
                    found += _averaged(where, group, value)
    return found


def _averaged(
    where: tuple[str, str, str, str],
    trajectories: Sequence[Sequence[ScoredPrediction]],
    value: Callable[[ScoredPrediction], float | None],
) -> list[Score]:
    """Both averagings of one metric over the trajectories' scored steps; `where` is the
    line's method, protocol, family and metric."""
    means, counts = [], []
    for steps in trajectories:
        values = [v for p in steps if (v := value(p)) is not None]
        if values:
            means.append(statistics.fmean(values))
            counts.append(len(values))
    if not means:
        return []
    found = []
    for averaging in AVERAGINGS:
        weights = counts if averaging == "pooled" else [1] * len(counts)
        mean = sum(m * w for m, w in zip(means, weights, strict=True)) / sum(weights)
        low, high = bootstrap_interval(means, weights)
        found.append(Score(*where, averaging, mean, low, high, len(means), sum(counts)))
    return found


def scored_in(protocol: str) -> Updating:
    """The pass a protocol is scored on: online's own, the frozen pass for the others."""
    return "online" if protocol == "online" else "frozen"


def summarize(suite: Suite, results: Sequence[CellResult]) -> list[Row]:
    """One row per method and protocol, methods in the order they first appear."""
    rows = []
    for name in dict.fromkeys(r.method for r in results):
        mine = [r for r in results if r.method == name]
        for protocol in suite.protocols:
            runs = [r for r in mine if r.updating == scored_in(protocol)]
            if not runs:
                continue
            per_trajectory = [protocol_scores(suite, r, protocol) for r in runs]
            accuracy = [s["accuracy"] for s in per_trajectory]
            low, high = bootstrap_interval(accuracy)
            predictions = [p for r in runs for p in r.predictions]
            rows.append(
                Row(
                    suite=suite.name,
                    method=name,
                    protocol=protocol,
                    accuracy=statistics.fmean(accuracy),
                    ci_low=low,
                    ci_high=high,
                    cross_entropy=statistics.fmean(s["cross_entropy"] for s in per_trajectory),
                    brier=statistics.fmean(s["brier"] for s in per_trajectory),
                    n=len(runs),
                    seconds_per_prediction=statistics.fmean(p.seconds for p in predictions),
                    seconds_total=sum(r.seconds for r in runs),
                    prompt_tokens=sum(r.usage.get("prompt_tokens", 0) for r in runs),
                    completion_tokens=sum(r.usage.get("completion_tokens", 0) for r in runs),
                )
            )
    return rows


def by_family(suite: Suite, results: Sequence[CellResult]) -> list[dict[str, Any]]:
    """Accuracy per method, protocol and family: where each method wins and loses."""
    rows = []
    for name in dict.fromkeys(r.method for r in results):
        for protocol in suite.protocols:
            for family in suite.families:
                runs = [
                    r
                    for r in results
                    if (r.method, r.family, r.updating) == (name, family, scored_in(protocol))
                ]
                if runs:
                    accuracy = [protocol_scores(suite, r, protocol)["accuracy"] for r in runs]
                    rows.append(
                        {
                            "method": name,
                            "protocol": protocol,
                            "family": family,
                            "accuracy": statistics.fmean(accuracy),
                            "n": len(runs),
                        }
                    )
    return rows


def confusions(results: Sequence[CellResult]) -> list[dict[str, Any]]:
    """How often each method predicted one action (its top) when another was taken, per pass
    and family: what it gets wrong, e.g. moves predicted where people paused. Where the agent
    acted in an env with an idle action, `predicted_acting` is the top once idling is set aside
    (`no_stay_top`): what the method says the agent does if it acts, e.g. which way a person
    walks when rote says they wait. The pass's column is "pass", as in the confusions.csv of
    older results directories."""
    counts: dict[tuple[str, str, str, str, str, str], int] = {}
    for result in results:
        for p in result.predictions:
            acting = p.no_stay_top or ""
            key = (result.method, result.updating, result.family, p.top, acting, p.actual)
            counts[key] = counts.get(key, 0) + 1
    return [
        {
            "method": m,
            "pass": updating,
            "family": family,
            "predicted": top,
            "predicted_acting": acting,
            "actual": actual,
            "count": n,
        }
        for (m, updating, family, top, acting, actual), n in counts.items()
    ]


def markdown(rows: Sequence[Row], found: Sequence[Score]) -> str:
    """The summary as markdown: accuracy [95% interval] with protocols as columns, then per
    protocol every metric of `scores` over all trajectories, per trajectory and pooled."""
    methods = list(dict.fromkeys(row.method for row in rows))
    protocols = [p for p in PROTOCOLS if any(row.protocol == p for row in rows)]
    cell = {(row.method, row.protocol): row for row in rows}
    lines = [
        "| method | " + " | ".join(protocols) + " | s / prediction |",
        "|---|" + "---|" * (len(protocols) + 1),
    ]
    for name in methods:
        mine = {p: cell[(name, p)] for p in protocols if (name, p) in cell}
        values = [
            f"{r.accuracy:.3f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" if (r := mine.get(p)) else ""
            for p in protocols
        ]
        speed = statistics.fmean(r.seconds_per_prediction for r in mine.values())
        lines.append(f"| {name} | " + " | ".join(values) + f" | {speed:.3g} |")
    overall = {(s.method, s.protocol, s.metric, s.averaging): s for s in found if s.family == "all"}
    for protocol in protocols:
        columns = [
            (metric, averaging)
            for metric in METRICS
            for averaging in AVERAGINGS
            if any(key[1:] == (protocol, metric, averaging) for key in overall)
        ]
        lines += [
            "",
            f"{protocol}: per trajectory and pooled over steps [95% interval]; cross-entropy in"
            " nats, probabilities floored at 1e-3; no-stay: steps the agent acted, the idle"
            " action removed",
            "",
            "| method | " + " | ".join(f"{m} ({a})" for m, a in columns) + " |",
            "|---|" + "---|" * len(columns),
        ]
        for name in methods:
            values = [
                f"{s.value:.3f} [{s.ci_low:.2f}, {s.ci_high:.2f}]"
                if (s := overall.get((name, protocol, metric, averaging)))
                else ""
                for metric, averaging in columns
            ]
            lines.append(f"| {name} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def write_outputs(out: Path, suite: Suite, results: Sequence[CellResult]) -> list[Path]:
    """summary.md, summary.csv, scores.csv, families.csv, confusions.csv and the plots
    (accuracy.png, cost.png, particles.png) in `out`, from the results: the paths written, in
    that order."""
    # Lazy for start-up time: matplotlib takes about half a second to import, and only a bench
    # that writes its report needs it (every command of the CLI imports this module).
    from rote.evaluation import plots

    written: list[Path] = []

    def path(name: str) -> Path:
        written.append(out / name)
        return written[-1]

    rows = summarize(suite, results)
    found = scores(suite, results)
    with atomic_write(path("summary.md")) as tmp:
        tmp.write_text(markdown(rows, found))
    _write_csv(path("summary.csv"), [row._asdict() for row in rows])
    _write_csv(path("scores.csv"), [score._asdict() for score in found])
    _write_csv(path("families.csv"), by_family(suite, results))
    _write_csv(path("confusions.csv"), confusions(results))
    plots.accuracy(rows, path("accuracy.png"))
    plots.cost(suite, results, path("cost.png"))
    plots.particles(suite, rows, path("particles.png"))
    return written


def _write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with atomic_write(path) as tmp, tmp.open("w", newline="") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
