"""`rote bench`: cells, resuming, summaries, and the quick suite end to end."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from rote.cli import main
from rote.errors import RoteError
from rote.evaluation.bench import cells, load, run_bench
from rote.evaluation.methods import Context
from rote.evaluation.metrics import brier
from rote.evaluation.records import CellResult, ScoredPrediction
from rote.evaluation.suites import PROTOCOLS, suite
from rote.evaluation.summary import confusions, markdown, scores, summarize, write_outputs

QUICK = suite("construction", quick=True)
TWO = replace(QUICK, families=QUICK.families[:2])
"""Two families, one episode each: cheap enough for the tests that are not end to end."""


def untimed(results: list[CellResult]) -> list[list[ScoredPrediction]]:
    """Each result's predictions without their timings, which vary from run to run."""
    return [[p._replace(seconds=0.0) for p in r.predictions] for r in results]


def test_brier() -> None:
    assert brier({"up": 1.0, "down": 0.0}, "up") == 0.0
    assert math.isclose(brier({"up": 0.5, "down": 0.5}, "up"), 0.5)


def test_cells_cover_both_passes_and_sweeps_run_frozen_only() -> None:
    found = cells(TWO, ["uniform", "rote@1"])
    assert {c.updating for c in found if c.method == "uniform"} == {"frozen", "online"}
    assert {c.updating for c in found if c.method == "rote@1"} == {"frozen"}
    assert found[0].updating == "frozen"
    assert len({c.name for c in found}) == len(found) == 2 * 2 + 2


def test_a_killed_run_resumes_with_only_the_missing_cells(tmp_path: Path) -> None:
    context = Context(TWO, tmp_path)
    ran: list[str] = []
    first = run_bench(context, ["uniform", "ngram"], jobs=1, on_cell=lambda c: ran.append(c.name))
    assert len(first) == len(ran) == 8
    log = tmp_path / "results.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:5]) + lines[5][:40])  # killed while writing the sixth
    ran.clear()
    again = run_bench(context, ["uniform", "ngram"], jobs=1, on_cell=lambda c: ran.append(c.name))
    assert len(ran) == 3
    assert len(load(log)) == 8
    assert untimed(again) == untimed(first)


def test_damaged_lines_are_reported_set_aside_and_their_cells_redone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench"
    argv = ["bench", "--suite", "construction", "--quick", "--methods", "frequency"]
    argv += ["--out", str(out), "--jobs", "1"]
    assert main(argv) == 0
    log = out / "results.jsonl"
    first = log.read_bytes().splitlines(keepends=True)
    lines = list(first)
    lines[3] = b'{"suite": "constr\xff\n'  # bytes a disk or an editor damaged
    record = json.loads(lines[5])
    del record["predictions"][2]["p"]
    lines[5] = json.dumps(record).encode() + b"\n"  # JSON, but not a record to summarize
    lines.append(lines[7])  # one cell twice, as two racing runs leave it
    log.write_bytes(b"".join(lines))
    capsys.readouterr()

    assert main(argv) == 0
    corrupt = out / "results.jsonl.corrupt"
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"warning: {log}:4: not JSON; moved to {corrupt}, its cell reruns",
        f'warning: {log}:6: not a bench record: prediction 2: "p" is missing or of the wrong'
        f" type; moved to {corrupt}, its cell reruns",
    ]
    assert corrupt.read_bytes() == b"4:" + lines[3] + b"6:" + lines[5]
    final = log.read_bytes().splitlines(keepends=True)
    assert len(final) == len(first)  # every cell once
    assert final[:-2] == first[:3] + first[4:5] + first[6:]  # the rest kept as it was
    redone = [CellResult.from_json(json.loads(line)) for line in final[-2:]]
    wanted = [CellResult.from_json(json.loads(line)) for line in (first[3], first[5])]
    assert untimed(redone) == untimed(wanted)
    assert main(argv) == 0
    assert capsys.readouterr().err == ""  # repaired for good
    assert log.read_bytes() == b"".join(final)


def test_a_directory_of_other_suite_settings_is_refused(tmp_path: Path) -> None:
    run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    with pytest.raises(RoteError, match=r"other suite settings .*: observe 20, not 10\)"):
        run_bench(Context(replace(TWO, observe=10), tmp_path), ["uniform"], jobs=1)
    (tmp_path / "suite.json").write_text("")  # as a kill in a non-atomic write left it
    with pytest.raises(RoteError, match=r"suite\.json is damaged"):
        run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)


def test_a_directory_written_before_a_setting_was_added_resumes_at_what_rote_did_then(
    tmp_path: Path,
) -> None:
    run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    path = tmp_path / "suite.json"
    written = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in written.items() if k != "rejuvenation_budget"}))
    run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)  # as an older rote wrote it
    with pytest.raises(RoteError, match="rejuvenation_budget null, not 7"):
        run_bench(Context(replace(TWO, rejuvenation_budget=7), tmp_path), ["uniform"], jobs=1)


def test_library_settings_bind_a_directory_once_a_library_is_learnt_there(
    tmp_path: Path,
) -> None:
    run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    fewer = replace(TWO, library_episodes=1)
    run_bench(Context(fewer, tmp_path), ["rote-library"], jobs=1)  # no library yet: recorded
    path = tmp_path / "suite.json"
    assert json.loads(path.read_text())["library_episodes"] == 1
    with pytest.raises(RoteError, match="library_episodes 1, not 2"):
        run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    # BC's settings bind a directory only where a BC was trained, as the library's do
    run_bench(Context(replace(fewer, bc_epochs=3), tmp_path), ["uniform"], jobs=1)
    # Libraries learnt from a test trajectory's length before `library_steps` was a setting.
    written = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in written.items() if k != "library_steps"}))
    steps = replace(fewer, bc_epochs=3, library_steps=TWO.steps)
    run_bench(Context(steps, tmp_path), ["uniform"], jobs=1)
    with pytest.raises(RoteError, match=f"library_steps {TWO.steps}, not null"):
        run_bench(Context(replace(steps, library_steps=None), tmp_path), ["uniform"], jobs=1)


def test_a_directory_another_bench_is_using_is_refused_until_that_bench_dies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    before = (tmp_path / "results.jsonl").read_bytes()
    holder = subprocess.Popen(  # holds the lock as a running bench does, until killed
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
            str(tmp_path / ".lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        argv = ["bench", "--suite", "construction", "--quick", "--methods", "uniform,ngram"]
        assert main([*argv, "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "in use by another rote bench" in err
        assert (tmp_path / "results.jsonl").read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    assert len(run_bench(Context(TWO, tmp_path), ["uniform", "ngram"], jobs=1)) == 2 * len(
        cells(TWO, ["uniform"])
    )


def test_parallel_runs_give_the_same_records(tmp_path: Path) -> None:
    serial = run_bench(Context(TWO, tmp_path / "a"), ["ngram"], jobs=1)
    parallel = run_bench(Context(TWO, tmp_path / "b"), ["ngram"], jobs=2)
    assert untimed(serial) == untimed(parallel)


def test_summary_scores_each_protocol_on_its_own_steps(tmp_path: Path) -> None:
    records = run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    rows = {row.protocol: row for row in summarize(TWO, records)}
    assert set(rows) == set(PROTOCOLS)
    for row in rows.values():  # uniform over 6 actions: exactly chance, whatever happened
        assert math.isclose(row.accuracy, 1 / 6)
        assert math.isclose(row.cross_entropy, math.log(6))
        assert row.n == 2
    text = markdown(list(rows.values()), scores(TWO, records))
    assert "| uniform | 0.167 [0.17, 0.17]" in text


def test_outputs_of_frozen_runs_only_are_written_without_warnings(tmp_path: Path) -> None:
    # rote@N runs frozen only: the cost plot has no curve, so no legend to draw (matplotlib's
    # warning about it was two lines on the stderr of `rote bench --methods rote@3`)
    records = run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    frozen = [result for result in records if result.updating == "frozen"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_outputs(tmp_path, TWO, frozen)
    assert (tmp_path / "cost.png").read_bytes().startswith(b"\x89PNG")


def test_quick_suite_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's `--quick`: every default method, every output written."""
    out = tmp_path / "bench"
    assert main(["bench", "--suite", "construction", "--quick", "--out", str(out)]) == 0
    names = ("results.jsonl", "summary.md", "summary.csv", "scores.csv", "families.csv")
    for name in (*names, "confusions.csv"):
        assert (out / name).stat().st_size > 0, name
    for name in ("accuracy.png", "cost.png", "particles.png"):
        assert (out / name).read_bytes().startswith(b"\x89PNG"), name
    with (out / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    columns = {"suite", "method", "protocol", "accuracy", "ci_low", "ci_high", "cross_entropy", "n"}
    assert columns <= set(rows[0])
    accuracy = {(r["method"], r["protocol"]): float(r["accuracy"]) for r in rows}
    for protocol in PROTOCOLS:
        assert accuracy[("rote", protocol)] > accuracy[("uniform", protocol)] + 0.3
    assert (out / "bc").is_dir()  # the trained ensemble, with its training curve
    printed = capsys.readouterr().out
    assert "| rote |" in printed
    listed = printed.rstrip().splitlines()[-1].partition(f"cells in {out}/: ")[2].split(", ")
    assert listed[:2] == ["results.jsonl", "summary.md"] and len(listed) == 9
    assert all((out / name).stat().st_size > 0 for name in listed)
    before = (out / "results.jsonl").read_text()
    assert main(["bench", "--suite", "construction", "--quick", "--out", str(out)]) == 0
    assert (out / "results.jsonl").read_text() == before  # nothing left to compute


def test_unknown_method_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--methods", "rote,telepathy", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "telepathy" in err


def test_suites_without_a_swap_score_no_after_swap(tmp_path: Path) -> None:
    games = suite("repeated-game", quick=True)
    assert games.protocols == ("single-step", "multi-step", "online")
    assert games.frozen_end == games.observe + games.horizon
    two = replace(games, families=games.families[:2])
    rows = summarize(two, run_bench(Context(two, tmp_path), ["frequency"], jobs=1))
    assert {row.protocol for row in rows} == set(games.protocols)


def test_each_family_plays_in_its_own_env() -> None:
    levels = suite("minigrid", quick=True)
    ids = {levels.env(family).id for family in levels.families}
    assert len(ids) == len(levels.families) and all(i.startswith("minigrid:") for i in ids)
    assert len({levels.env_key(family) for family in levels.families}) == len(ids)


def test_overcooked_suite_reads_players_of_test_games(tmp_path: Path) -> None:
    people = suite("overcooked-human", quick=True, observe=200)
    assert (people.observe, people.steps) == (200, 250)
    one = replace(people, families=("cramped_room",))
    records = run_bench(Context(one, tmp_path), ["frequency"], jobs=1)
    assert len(records) == 2 * one.episodes_of("cramped_room") == 4
    assert all(len(r.predictions) == 50 for r in records)
    train = one.train_trajectories(("cramped_room",))
    assert train and all(t.header.meta["split"] == "train" for t in train)


def test_people_are_scored_on_what_they_did_when_they_acted(tmp_path: Path) -> None:
    people = replace(suite("overcooked-human", quick=True), families=("cramped_room",))
    records = run_bench(Context(people, tmp_path), ["always-stay", "uniform"], jobs=1)
    for result in records:
        for p in result.predictions:  # scored exactly on the steps the person acted
            assert (p.no_stay_hit is None) == (p.actual == "stay") == (p.no_stay_p is None)
            if result.method == "uniform" and p.no_stay_p is not None:  # 1 of the 5 others
                assert math.isclose(p.no_stay_p, 1 / 5) and math.isclose(p.no_stay_hit or 0, 0.2)
            if result.method == "always-stay":
                assert p.hit == (p.actual == "stay")
    found = {
        (s.method, s.protocol, s.metric, s.averaging): s.value
        for s in scores(people, records)
        if s.family == "all"
    }
    uniform = found[("uniform", "online", "no-stay cross-entropy", "pooled")]
    assert math.isclose(uniform, math.log(5))
    assert math.isclose(found[("always-stay", "online", "no-stay accuracy", "pooled")], 0.2)
    reloaded = load(tmp_path / "results.jsonl")
    assert sorted(reloaded.values(), key=lambda r: r.cell) == sorted(records, key=lambda r: r.cell)


def test_always_stay_is_refused_where_the_env_has_no_idle_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "--suite", "repeated-game", "--quick", "--methods", "always-stay"]
    assert main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "always-stay" in err and "repeated-game has none" in err
    assert not (tmp_path / "results.jsonl").exists()
    assert "always-stay" not in suite("repeated-game").methods
    assert "always-stay" in suite("construction").methods


def test_a_directory_takes_methods_its_suite_did_not_list(tmp_path: Path) -> None:
    run_bench(Context(TWO, tmp_path), ["uniform"], jobs=1)
    other = replace(TWO, methods=("uniform", "frequency"))
    assert len(run_bench(Context(other, tmp_path), ["frequency"], jobs=1)) == 2 * 2


def test_confusions_count_each_prediction_once(tmp_path: Path) -> None:
    records = run_bench(Context(TWO, tmp_path), ["repeat-last"], jobs=1)
    found = confusions(records)
    assert sum(row["count"] for row in found) == sum(len(r.predictions) for r in records)
    hits = sum(row["count"] for row in found if row["predicted"] == row["actual"])
    assert hits == sum(p.top == p.actual for r in records for p in r.predictions)
    assert {row["family"] for row in found} == set(TWO.families)
    for row in found:  # the top once idling is set aside, where the agent acted
        assert (row["predicted_acting"] == "") == (row["actual"] == "stay")
        assert row["predicted_acting"] != "stay"


def test_fewer_episodes_on_request() -> None:
    assert suite("overcooked-human", episodes=3).episodes_of("random0") == 3
    assert suite("repeated-game", episodes=2).episodes_of("tit-for-tat") == 2


def test_a_library_learns_from_as_many_training_agents_as_asked() -> None:
    games = suite("repeated-game", library_episodes=2)
    learned = games.library_trajectories(("tit-for-tat", "alternate"))
    assert [name for name, _ in learned] == [
        "tit-for-tat-0", "tit-for-tat-1", "alternate-0", "alternate-1"
    ]  # fmt: skip
    everyone = suite("repeated-game", library_episodes=1000).library_trajectories(("alternate",))
    assert len(everyone) == len(games.train_trajectories(("alternate",)))  # all BC trains on
    assert suite("repeated-game", quick=True, library_episodes=3).library_episodes == 3


def test_a_library_of_people_learns_from_what_bc_trains_on_unless_told() -> None:
    people = suite("overcooked-human")
    learnt = [t for _, t in people.library_trajectories(("random0",))]
    assert learnt == people.train_trajectories(("random0",))  # every player, whole games
    assert suite("overcooked-human", quick=True).library_episodes == 2  # quick stays quick


def test_a_library_learns_from_as_many_steps_of_each_trajectory_as_asked() -> None:
    people = suite("overcooked-human", library_episodes=2)
    whole = people.train_trajectories(("cramped_room",))[:2]
    assert [t for _, t in people.library_trajectories(("cramped_room",))] == whole
    assert all(len(t.steps) > people.steps for t in whole)  # not a test trajectory's length
    games = suite("repeated-game", library_episodes=1)
    # a scripted suite's training trajectories are a test trajectory's length, as before
    assert {len(t.steps) for _, t in games.library_trajectories(("alternate",))} == {games.steps}
    shorter = suite("repeated-game", library_episodes=1, library_steps=games.steps - 10)
    assert {len(t.steps) for _, t in shorter.library_trajectories(("alternate",))} == {
        games.steps - 10
    }


def test_an_observed_window_past_the_steps_is_refused() -> None:
    with pytest.raises(RoteError, match="observe"):
        suite("repeated-game", observe=40)


def test_rote_library_learns_from_training_agents_only_and_predicts_them(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    results = run_bench(Context(TWO, out), ["rote-library"], jobs=1)
    libraries = list((out / "library").glob("*/index.json"))
    assert len(libraries) == 1  # one env
    index = json.loads(libraries[0].read_text())
    trained = {name for program in index["programs"] for name, _ in program["agents"]}
    assert trained == {f"{f}-{k}" for f in TWO.families for k in range(TWO.library_episodes)}
    assert index["built"]["data"] == [
        "suite construction-quick: 4 training episodes, the first 2 of each family at most, "
        "every step of each"
    ]
    frozen = [r for r in results if r.updating == "frozen"]
    assert len(frozen) == 2 and all(r.usage["calls"] == 1 for r in frozen)
    assert all(math.isclose(min(p.hit for p in r.predictions), 1.0) for r in frozen)
    again = run_bench(Context(TWO, out), ["rote-library"], jobs=1)
    assert untimed(again) == untimed(results)  # the library and the cells are reused
