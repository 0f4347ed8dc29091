"""The paper's tie-splitting accuracy, the floored cross-entropy, the no-stay scores and the
bootstrap interval of a (weighted) mean."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rote.evaluation.metrics import (
    PROBABILITY_FLOOR,
    bootstrap_interval,
    cross_entropy,
    tie_split_hit,
    without_idle,
)


def test_tie_split_hit() -> None:
    assert tie_split_hit({"up": 0.7, "down": 0.3}, "up") == 1.0
    assert tie_split_hit({"up": 0.7, "down": 0.3}, "down") == 0.0
    assert tie_split_hit({"up": 0.4, "down": 0.4, "left": 0.2}, "down") == 0.5
    assert tie_split_hit({"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}, "c") == 0.25


def test_cross_entropy_is_floored_as_carroll_et_al_score_people() -> None:
    assert math.isclose(cross_entropy(0.5), math.log(2))
    assert cross_entropy(0.0) == cross_entropy(1e-9) == -math.log(PROBABILITY_FLOOR)
    assert cross_entropy(1.0) == 0.0


def test_without_idle_scores_what_the_agent_did_when_it_acted() -> None:
    distribution = {"stay": 0.7, "up": 0.2, "down": 0.1}
    hit, p, top = without_idle(distribution, "up", "stay") or (None, None, None)
    assert hit == 1.0 and p is not None and math.isclose(p, 2 / 3) and top == "up"
    hit, p, top = without_idle(distribution, "down", "stay") or (None, None, None)
    assert hit == 0.0 and p is not None and math.isclose(p, 1 / 3) and top == "up"
    # the idle step is not scored; nor is any step of an env without an idle action
    assert without_idle(distribution, "stay", "stay") is None
    assert without_idle(distribution, "up", None) is None


def test_without_idle_ties_the_actions_when_only_idling_had_probability() -> None:
    assert without_idle({"stay": 1.0, "up": 0.0, "down": 0.0}, "down", "stay") == (0.5, 0.5, "up")


def test_bootstrap_interval_of_a_mean() -> None:
    assert bootstrap_interval([0.5] * 10) == (0.5, 0.5)
    low, high = bootstrap_interval([0.0, 1.0] * 20)
    assert 0.3 < low < 0.5 < high < 0.7
    assert bootstrap_interval([0.0, 1.0] * 20) == (low, high)  # seeded


def test_bootstrap_interval_of_a_pooled_mean_weighs_units_by_their_steps() -> None:
    # one long trajectory at 1.0 and nine short ones at 0.0: pooled over steps, the mean is
    # 0.5, and every resample that draws the long one is pulled towards it
    values, weights = [1.0] + [0.0] * 9, [9.0] + [1.0] * 9
    low, high = bootstrap_interval(values, weights)
    unweighted = bootstrap_interval(values)
    assert low <= 0.5 <= high and high > unweighted[1]
    with pytest.raises(ValueError, match="positive"):
        bootstrap_interval(values, [0.0] * 10)
    with pytest.raises(ValueError, match="one per value"):
        bootstrap_interval(values, [1.0])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.integers(1, 5))
def test_equal_weights_give_the_unweighted_interval(values: list[float], weight: int) -> None:
    assert bootstrap_interval(values, [float(weight)] * len(values)) == pytest.approx(
        bootstrap_interval(values)
    )
