"""`rote explain` in a terminal: the programs that explain a trajectory, with their source, the
belief in each over the steps as a one-line chart, the steps where each disagrees with the
agent, and what SMC did when."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.syntax import Syntax

from rote.report.explanation import Explanation

BARS = " ▁▂▃▄▅▆▇█"
CHART_COLUMNS = 60
"""A chart wider than this wraps in a terminal; longer runs are averaged into this many."""


def sparkline(values: Sequence[float]) -> str:
    """Values in [0, 1] as block characters, averaged into at most `CHART_COLUMNS`."""
    if not values:
        return ""
    columns = min(len(values), CHART_COLUMNS)
    line = []
    for c in range(columns):
        chunk = values[c * len(values) // columns : (c + 1) * len(values) // columns]
        mean = sum(chunk) / len(chunk)
        line.append(BARS[min(len(BARS) - 1, round(mean * (len(BARS) - 1)))])
    return "".join(line)


def step_ranges(steps: Sequence[int]) -> str:
    """Sorted steps as ranges: 3, 7-9, 12."""
    parts: list[str] = []
    start = previous = None
    for t in [*steps, None]:
        if t is not None and previous is not None and t == previous + 1:
            previous = t
            continue
        if start is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = t
    return ", ".join(parts)


def tempo(acting_rates: dict[str, float] | None) -> str | None:
    """How often the agent acts under a program, by idle ticks since it last acted, in words;
    None where the env has no idle action."""
    if acting_rates is None:
        return None
    if min(acting_rates.values()) >= 0.995:
        return "acts at every tick"
    rates = ", ".join(
        f"{rate:.0%}" + (" right after acting" if name == "0" else f" after {name} idle ticks")
        for name, rate in acting_rates.items()
    )
    return f"acts on a share of ticks: {rates}"


def print_explanation(explanation: Explanation, out: Console) -> None:
    report = explanation.report
    settings = report.settings
    observe, seen = settings.observe, len(explanation.belief)
    out.print(
        f"What explains {settings.trajectory or 'the trajectory'}: the posterior after observing "
        f"steps 0-{observe - 1}, predicting to step {observe + len(report.predictions) - 1} "
        f"({settings.mode}, {settings.proposer} proposer, {settings.particles} particles)"
    )
    held = len(report.programs)
    out.print(
        f"{held} distinct {'program' if held == 1 else 'programs'} held at the end; the belief "
        "in each over the steps is among those"
    )
    after = report.after_swap
    out.print(
        f"accuracy {report.accuracy:.3f} over {report.scored} predicted steps"
        + ("" if after is None else f"; {after[0]:.3f} on the {after[1]} from the layout swap")
    )
    marks = [" "] * min(seen, CHART_COLUMNS)
    for t, mark in ((observe, "|"), (report.swap_at, "s")):
        if t is not None and 0 <= t < seen:
            marks[t * len(marks) // seen] = mark
    for rank, program in enumerate(report.programs[: len(explanation.belief[0])], start=1):
        observed_misses = [t for t, ok in enumerate(program.agrees[:observe]) if not ok]
        later_misses = [t for t, ok in enumerate(program.agrees) if not ok and t >= observe]
        out.print(
            f"\n{rank}. weight {program.weight:.3f}, fits {report.observed_fit(program)} of "
            f"{observe} observed steps, from {program.origin}"
        )
        if program.description:
            out.print(f"   {program.description}")
        if (said := tempo(program.acting_rates)) is not None:
            out.print(f"   {said}")
        belief = [row[rank - 1] for row in explanation.belief]
        prefix = f"   belief over steps 0-{seen - 1}: ["
        out.print(f"{prefix}{sparkline(belief)}]")
        out.print(" " * len(prefix) + "".join(marks))
        out.print(
            "   disagrees with the agent at "
            + (
                f"observed steps {step_ranges(observed_misses)}"
                if observed_misses
                else "no observed step"
            )
            + (f"; later steps {step_ranges(later_misses)}" if later_misses else "; no later step")
        )
        out.print(Syntax(program.source.rstrip(), "python", theme="ansi_dark", line_numbers=False))
    swap = ", s the layout swap" if any(e.kind == "swap" for e in explanation.events) else ""
    out.print(f"\n| marks the end of the observed steps{swap}. Events:")
    for event in explanation.events:
        out.print(f"  step {event.t}: {event.kind}: {event.detail}")
