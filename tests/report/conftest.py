"""A bench directory for the bench report's tests, made of the 30 old cells in
tests/evaluation/old-results (see test_records.py) as `rote bench` lays them out."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rote.evaluation.bench import results_path
from rote.evaluation.suites import settings, suite
from rote.evaluation.summary import write_outputs
from rote.report.html import finished_cells

OLD = Path(__file__).parents[1] / "evaluation" / "old-results"
OLD_SUITE = replace(suite("construction", quick=True), families=("colour-cycle", "snake"))
"""The suite of the old cells."""


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bench directory of the old results, with the suite settings and plots a bench writes."""
    out = tmp_path_factory.mktemp("bench")
    shutil.copy(OLD / "results.jsonl", results_path(out))
    (out / "suite.json").write_text(json.dumps(settings(OLD_SUITE), indent=2))
    write_outputs(out, OLD_SUITE, finished_cells(results_path(out)))
    return out
