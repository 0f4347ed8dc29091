"""scores.csv's metrics: each at the steps it scores, averaged per trajectory and pooled over
steps, over all trajectories and per family."""

from __future__ import annotations

import math
from dataclasses import replace

from rote.evaluation.metrics import cross_entropy
from rote.evaluation.records import CellResult, ScoredPrediction
from rote.evaluation.suites import suite
from rote.evaluation.summary import scores

SUITE = replace(suite("construction", quick=True), families=("snake", "colour-cycle"))
START = SUITE.observe


def step(t: int, *, hit: float, p: float, acted: tuple[float, float] | None) -> ScoredPrediction:
    no_stay_hit, no_stay_p = acted if acted is not None else (None, None)
    return ScoredPrediction(
        t=t,
        actual="up" if acted else "stay",
        top="up",
        hit=hit,
        p=p,
        brier=0.0,
        seconds=0.0,
        no_stay_hit=no_stay_hit,
        no_stay_p=no_stay_p,
    )


def cell(family: str, predictions: list[ScoredPrediction]) -> CellResult:
    return CellResult(SUITE.name, "m", family, 0, "online", 0.0, 0.0, {}, tuple(predictions))


def value(found: list, metric: str, averaging: str, family: str = "all") -> float:
    (score,) = [
        s
        for s in found
        if (s.protocol, s.family, s.metric, s.averaging) == ("online", family, metric, averaging)
    ]
    return float(score.value)


def test_per_trajectory_and_pooled_means_and_the_no_stay_steps() -> None:
    # snake: 3 steps, all acted, all hit; colour-cycle: 1 step, idled, missed
    snake = cell("snake", [step(START + i, hit=1.0, p=0.5, acted=(1.0, 0.8)) for i in range(3)])
    cycle = cell("colour-cycle", [step(START, hit=0.0, p=0.0, acted=None)])
    found = scores(SUITE, [snake, cycle])
    assert value(found, "accuracy", "trajectory") == 0.5  # (1 + 0) / 2
    assert value(found, "accuracy", "pooled") == 0.75  # 3 of 4 steps
    floor = cross_entropy(0.0)
    assert math.isclose(value(found, "cross-entropy", "trajectory"), (math.log(2) + floor) / 2)
    assert math.isclose(value(found, "cross-entropy", "pooled"), (3 * math.log(2) + floor) / 4)
    # no-stay: only snake acted, so both averagings are its mean, over its 3 steps
    for averaging in ("trajectory", "pooled"):
        assert value(found, "no-stay accuracy", averaging) == 1.0
        assert math.isclose(value(found, "no-stay cross-entropy", averaging), -math.log(0.8))
    (no_stay,) = [
        s
        for s in found
        if (s.protocol, s.family, s.metric, s.averaging)
        == ("online", "all", "no-stay accuracy", "pooled")
    ]
    assert (no_stay.trajectories, no_stay.steps) == (1, 3)
    assert value(found, "accuracy", "pooled", family="colour-cycle") == 0.0
    # a family whose agent never acted has no no-stay line
    assert not [s for s in found if s.family == "colour-cycle" and s.metric.startswith("no-stay")]


def test_the_intervals_contain_the_values_and_results_without_no_stay_scores_have_none() -> None:
    # lines written before the no-stay scores (or of an env without an idle action)
    old = [
        cell(family, [step(START + i, hit=float(i % 2), p=0.4, acted=None) for i in range(4)])
        for family in SUITE.families
    ]
    found = scores(SUITE, old)
    assert {s.metric for s in found} == {"accuracy", "cross-entropy"}
    assert all(s.ci_low <= s.value <= s.ci_high for s in found)
