"""`rote bench` killed with SIGKILL at random moments and in the middle of repairing
results.jsonl, then resumed: no finished cell lost or doubled, and no process left behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .kills import KillReport, kill_and_resume

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def test_killed_benches_resume_losing_and_doubling_nothing(tmp_path: Path) -> None:
    report = kill_and_resume("construction", ["frequency", "ngram"], tmp_path, kills=4, seed=15)
    assert report._replace(processes=0) == KillReport(5, 0, 0, 0, 0, 0, 0, resumed=True)
    assert report.processes > 0
