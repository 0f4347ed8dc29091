"""The bench's records against files the code before them wrote: results.jsonl reads and writes
back byte for byte, a directory of it resumes with nothing to run, and the report written from
it is the report of those results. `old-results/` holds 30 cells of `rote bench --suite
construction --quick` (colour-cycle and snake), written before the no-stay scores, and the
tables made of them (rewritten only when a table changes on purpose: summary.md and scores.csv
when every metric was added, summary.csv's `nll` when it became `cross_entropy`,
confusions.csv when it gained the family and the top when acting)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import fields, replace
from pathlib import Path

import pytest

from rote.errors import RoteError
from rote.evaluation.bench import cells, load, results_path, run_bench
from rote.evaluation.methods import METHODS, Context, bench_methods, method
from rote.evaluation.records import CellResult, ScoredPrediction
from rote.evaluation.suites import suite
from rote.evaluation.summary import write_outputs

OLD = Path(__file__).with_name("old-results")
QUICK = suite("construction", quick=True)
OLD_SUITE = replace(QUICK, families=("colour-cycle", "snake"))
OLD_METHODS = ["rote", "bc", "bip", "uniform", "frequency", "repeat-last", "ngram", "rote@1"]
TABLES = ["summary.md", "summary.csv", "scores.csv", "families.csv", "confusions.csv"]
PLOTS = ["accuracy.png", "cost.png", "particles.png"]


def test_old_lines_read_and_write_back_byte_for_byte() -> None:
    lines = (OLD / "results.jsonl").read_bytes().splitlines(keepends=True)
    assert len(lines) == 30
    for line in lines:
        result = CellResult.from_json(json.loads(line))
        assert json.dumps(result.to_json()).encode() + b"\n" == line


def test_an_old_results_directory_resumes_with_nothing_to_run(tmp_path: Path) -> None:
    shutil.copy(OLD / "results.jsonl", tmp_path / "results.jsonl")
    before = results_path(tmp_path).read_bytes()
    ran: list[str] = []
    context = Context(OLD_SUITE, tmp_path)
    results = run_bench(context, OLD_METHODS, jobs=1, on_cell=lambda cell: ran.append(cell.name))
    assert ran == []
    assert [r.cell for r in results] == cells(OLD_SUITE, OLD_METHODS)
    assert results_path(tmp_path).read_bytes() == before


def test_the_report_of_old_results_is_the_old_report(tmp_path: Path) -> None:
    done = load(OLD / "results.jsonl")
    results = [done[cell.name] for cell in cells(OLD_SUITE, OLD_METHODS)]
    written = write_outputs(tmp_path, OLD_SUITE, results)
    assert written == [tmp_path / name for name in [*TABLES, *PLOTS]]
    for name in TABLES:
        assert (tmp_path / name).read_bytes() == (OLD / name).read_bytes(), name
    for name in PLOTS:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG"), name


def schema_section() -> str:
    text = (Path(__file__).parents[2] / "docs" / "bench.md").read_text()
    found = re.search(r"^## The results\.jsonl schema\n(.*?)(?=^## )", text, re.M | re.S)
    assert found is not None, "docs/bench.md has no results.jsonl schema section"
    return found.group(1)


def test_docs_give_every_field_of_results_jsonl() -> None:
    documented = re.findall(r"^\| `([a-z_]+)` \|", schema_section(), re.M)
    line = (OLD / "results.jsonl").read_bytes().splitlines()[0]
    keys = list(CellResult.from_json(json.loads(line)).to_json())
    assert documented == [*keys, *ScoredPrediction._fields]
    assert len(fields(CellResult)) == len(keys)


def test_bench_methods_add_the_particle_sweep_to_rote() -> None:
    assert bench_methods(QUICK) == [*QUICK.methods, "rote@1"]
    assert bench_methods(QUICK, ["uniform", "rote", "uniform"]) == ["uniform", "rote", "rote@1"]
    assert bench_methods(QUICK, ["ngram"]) == ["ngram"]
    with pytest.raises(RoteError, match="telepathy"):
        bench_methods(QUICK, ["telepathy"])


def test_methods_declare_their_llm_and_their_particles() -> None:
    assert {name for name, found in METHODS.items() if found.needs_llm} == {"nllm", "rote-hybrid"}
    rote, sweep = method("rote"), method("rote@3")
    assert rote.particles is not None and rote.particles(QUICK) == QUICK.particles
    assert sweep.particles is not None and sweep.particles(QUICK) == 3 and sweep.sweep
    assert all(found.particles is None for name, found in METHODS.items() if name != "rote")
