"""The bench's report, from its cells' results: summary.md, summary.csv, families.csv,
confusions.csv and the plots. It reads results and never runs a cell, so it works the same on
a finished bench, a partial one, or a results.jsonl read back with `bench.load`.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rote.evaluation.metrics import bootstrap_interval
from rote.evaluation.protocols import Updating
from rote.evaluation.records import CellResult, Row
from rote.evaluation.suites import PROTOCOLS, Suite
from rote.files import atomic_write


def protocol_scores(suite: Suite, result: CellResult, protocol: str) -> dict[str, float]:
    """A trajectory's accuracy, NLL and Brier score on one protocol, from its pass's result."""
    wanted = suite.protocol_steps(protocol)
    scored = [p for p in result.predictions if p.t in wanted]
    return {
        "accuracy": statistics.fmean(p.hit for p in scored),
        "nll": statistics.fmean(-math.log(max(p.p, 1e-12)) for p in scored),
        "brier": statistics.fmean(p.brier for p in scored),
    }


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
            scores = [protocol_scores(suite, r, protocol) for r in runs]
            accuracy = [s["accuracy"] for s in scores]
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
                    nll=statistics.fmean(s["nll"] for s in scores),
                    brier=statistics.fmean(s["brier"] for s in scores),
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
    """How often each method predicted one action (its top) when another was taken, per pass:
    what it gets wrong, e.g. moves predicted where people paused. The pass's column is "pass",
    as in the confusions.csv of older results directories."""
    counts: dict[tuple[str, str, str, str], int] = {}
    for result in results:
        for p in result.predictions:
            key = (result.method, result.updating, p.top, p.actual)
            counts[key] = counts.get(key, 0) + 1
    return [
        {"method": m, "pass": updating, "predicted": top, "actual": actual, "count": n}
        for (m, updating, top, actual), n in counts.items()
    ]


def markdown(rows: Sequence[Row]) -> str:
    """The summary as a markdown table, protocols as columns: accuracy [95% interval]."""
    methods = list(dict.fromkeys(row.method for row in rows))
    protocols = [p for p in PROTOCOLS if any(row.protocol == p for row in rows)]
    cell = {(row.method, row.protocol): row for row in rows}
    lines = [
        "| method | " + " | ".join(protocols) + " | s / prediction |",
        "|---|" + "---|" * (len(protocols) + 1),
    ]
    for name in methods:
        found = {p: cell[(name, p)] for p in protocols if (name, p) in cell}
        values = [
            f"{r.accuracy:.3f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" if (r := found.get(p)) else ""
            for p in protocols
        ]
        speed = statistics.fmean(r.seconds_per_prediction for r in found.values())
        lines.append(f"| {name} | " + " | ".join(values) + f" | {speed:.3g} |")
    return "\n".join(lines) + "\n"


def write_outputs(out: Path, suite: Suite, results: Sequence[CellResult]) -> list[Path]:
    """summary.md, summary.csv, families.csv, confusions.csv and the plots (accuracy.png,
    cost.png, particles.png) in `out`, from the results: the paths written, in that order."""
    # Lazy for start-up time: matplotlib takes about half a second to import, and only a bench
    # that writes its report needs it (every command of the CLI imports this module).
    from rote.evaluation import plots

    written: list[Path] = []

    def path(name: str) -> Path:
        written.append(out / name)
        return written[-1]

    rows = summarize(suite, results)
    with atomic_write(path("summary.md")) as tmp:
        tmp.write_text(markdown(rows))
    _write_csv(path("summary.csv"), [row._asdict() for row in rows])
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
