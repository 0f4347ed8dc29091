"""`rote report`'s pages without a browser: the data embedded safely and read back whole, a
page per env family that needs nothing from the network, the bench page made of the bench's
own tables and plots, and bad input as one line and exit code 2."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from rote import write_trajectory
from rote.cli import main
from rote.errors import RoteError
from rote.evaluation.bench import results_path
from rote.evaluation.summary import summarize
from rote.report.html import bench_page, finished_cells, script_json, trajectory_page

from .conftest import OLD_SUITE
from .pages import FAMILIES, OBSERVE, report_data, trajectory_of


def embedded(page: str) -> object:
    """The report's data as the page's script reads it."""
    found = re.search(r'<script type="application/json" id="rote-data">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_script_json_cannot_end_its_script_element() -> None:
    value = {"source": "</script><script>alert(1)</script> & <!-- \u2028\u2029 \ud800 é"}
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert text.isascii()  # U+2028/2029 and the lone surrogate too
    assert json.loads(text) == value


def test_script_json_refuses_what_json_parse_cannot_read() -> None:
    with pytest.raises(ValueError, match="Out of range"):
        script_json({"weight": float("nan")})


@pytest.mark.parametrize("family", FAMILIES)
def test_a_trajectory_page_embeds_its_data_and_needs_no_network(
    family: str, tmp_path: Path
) -> None:
    data = report_data(family, tmp_path, steps=OBSERVE + 4)
    page = trajectory_page(data)
    assert embedded(page) == json.loads(json.dumps(data))
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "fetch(" not in page
    scene_kinds = {step["scene"]["kind"] for step in data["steps"]}
    assert scene_kinds == {"table" if family == "repeated-game" else "grid"}


def test_a_grid_scene_stores_its_base_once(tmp_path: Path) -> None:
    data = report_data("construction", tmp_path, steps=OBSERVE + 4)
    assert len(data["bases"]) == 2  # the walls before and after the layout swap
    swap = OBSERVE + 2
    assert [step["scene"]["base"] for step in data["steps"]] == [0] * swap + [1] * 2


def test_the_bench_page_shows_the_bench_tables_plots_and_cells(bench_dir: Path) -> None:
    page = bench_page(bench_dir)
    for row in summarize(OLD_SUITE, finished_cells(results_path(bench_dir))):
        interval = f"{row.accuracy:.3f} [{row.ci_low:.2f}, {row.ci_high:.2f}]"
        assert interval in page
    assert page.count('src="data:image/png;base64,') == 3
    assert 'id="cell-rote-snake-0-frozen"' in page and 'href="#cell-rote-snake-0-frozen"' in page
    assert 'id="family-colour-cycle"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_reading_a_bench_leaves_its_results_as_they_are(bench_dir: Path, tmp_path: Path) -> None:
    """A running bench may be appending a line: the report must not cut it (bench.load would)."""
    shutil.copytree(bench_dir, tmp_path / "bench")
    log = results_path(tmp_path / "bench")
    with log.open("a") as handle:
        handle.write('{"suite": "construction-quick", "meth')
    before = log.read_bytes()
    bench_page(tmp_path / "bench")
    assert log.read_bytes() == before


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({}, "is not a rote bench output"),
        ({"suite.json": "{", "results.jsonl": ""}, "is damaged"),
        (
            {"suite.json": '{"name": "nope", "kind": "ScriptedSuite"}', "results.jsonl": ""},
            "no finished cell",
        ),
    ],
)
def test_a_directory_that_is_not_a_bench_is_one_line(
    files: dict[str, str], fragment: str, tmp_path: Path
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(RoteError, match=fragment):
        bench_page(tmp_path)


def test_an_unknown_suite_is_one_line(bench_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(bench_dir, tmp_path / "bench")
    config = json.loads((tmp_path / "bench" / "suite.json").read_text())
    (tmp_path / "bench" / "suite.json").write_text(json.dumps({**config, "name": "nope"}))
    with pytest.raises(RoteError, match="no loaded env provides"):
        bench_page(tmp_path / "bench")


def test_rote_report_writes_a_trajectory_page_and_a_bench_page(
    bench_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trajectory, _ = trajectory_of("construction", steps=OBSERVE + 4)
    path = tmp_path / "snake.jsonl"
    write_trajectory(path, trajectory)
    out = tmp_path / "report.html"
    argv = ["report", "--trajectory", str(path), "--observe", str(OBSERVE), "--budget", "300"]
    assert main([*argv, "--out", str(out)]) == 0
    data = embedded(out.read_text())
    assert isinstance(data, dict) and data["settings"]["observe"] == OBSERVE
    assert len(data["steps"]) == OBSERVE + 4 and data["title"] == "snake.jsonl"
    assert main(["report", "--bench", str(bench_dir), "--out", str(tmp_path / "bench.html")]) == 0
    assert "rote bench: construction-quick" in (tmp_path / "bench.html").read_text()
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--bench", "{tmp}"], "is not a rote bench output"),
        (["--trajectory", "{tmp}/nope.jsonl"], "give --trajectory FILE --observe N"),
        (["--trajectory", "{tmp}/unknown.jsonl", "--observe", "2"], "nope"),
        (["--bench", "{tmp}", "--trajectory", "x", "--observe", "2"], "not both"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], fragment: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "unknown.jsonl").write_text(
        json.dumps({"format": "rote.trajectory/1", "env": "nope", "env_kwargs": {}}) + "\n"
    )
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    assert main(["report", *args, "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and fragment in err, err
    assert not (tmp_path / "r.html").exists()


def test_out_is_checked_before_the_run(
    bench_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--bench", str(bench_dir), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "is a directory" in err, err
    out = tmp_path / "new" / "bench.html"  # a directory not there yet is made
    assert main(["report", "--bench", str(bench_dir), "--out", str(out)]) == 0
    assert out.is_file()
