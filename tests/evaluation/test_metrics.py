"""The paper's tie-splitting accuracy and the log loss."""

from __future__ import annotations

import math

from rote.evaluation.metrics import log_loss, tie_split_hit


def test_tie_split_hit() -> None:
    assert tie_split_hit({"up": 0.7, "down": 0.3}, "up") == 1.0
    assert tie_split_hit({"up": 0.7, "down": 0.3}, "down") == 0.0
    assert tie_split_hit({"up": 0.4, "down": 0.4, "left": 0.2}, "down") == 0.5
    assert tie_split_hit({"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}, "c") == 0.25


def test_log_loss() -> None:
    assert math.isclose(log_loss({"up": 0.5, "down": 0.5}, "up"), math.log(2))
    assert log_loss({"up": 1.0}, "down") == math.inf
