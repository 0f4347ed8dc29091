"""Issue 3's acceptance: with the true program among 29 decoys, `rote predict` identifies it.

For every Construction family, the true program sits in a list of 30 with the nine other
families and 20 near misses (the same programs with another colour, corner or start). After 10
observed steps the true program always has the highest weight, and wherever those steps single it
out (it holds all the weight), every later prediction is right. Where a decoy
behaves identically on the observed steps (e.g. the same walk serves two corners), the
prediction rightly splits between them until the two come apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rote import make_env, write_trajectory
from rote.agents import make_agent
from rote.agents.construction import AGENTS
from rote.rollout import rollout
from tests.programs_corpus import library_with_decoys
from tests.test_cli import run


@pytest.mark.parametrize("family", list(AGENTS))
@pytest.mark.parametrize("seed", [0, 1])
def test_predict_finds_the_true_program_among_29_decoys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, family: str, seed: int
) -> None:
    programs = tmp_path / "programs"
    programs.mkdir()
    for index, source in enumerate(library_with_decoys(family)):
        (programs / f"program-{index:02d}.py").write_text(source, encoding="utf-8")
    trajectory = rollout(
        make_env("construction"), make_agent("construction", family), steps=40, seed=seed
    )
    path = tmp_path / "trajectory.jsonl"
    write_trajectory(path, trajectory)

    code, out, err = run(
        capsys, "predict", "--trajectory", str(path), "--observe", "10", "--mode", "frozen",
        "--proposer", "list", "--programs", str(programs), "--top", "30", "--json",
    )  # fmt: skip

    assert code == 0, err
    report = json.loads(out)
    weights = {p["source"]: p["weight"] for p in report["programs"]}
    true_weight = weights[library_with_decoys(family)[0]]
    assert true_weight == pytest.approx(max(weights.values()))
    if true_weight > 0.99:
        assert report["accuracy"] == 1.0
