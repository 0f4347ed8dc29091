"""`rote data overcooked`: one file per player per game, resumable, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rote.trajectory import read_trajectory
from tests.data.test_overcooked import CRAFTED, _crafted, _frame, _state
from tests.test_cli import assert_one_line_error, run


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    frame = _frame(
        [_state([2, 1], [1, 2]), _state([1, 1], [3, 1])],
        ["[[-1, 0], 'INTERACT']", "[[0, 0], [0, 1]]"],
    )
    directory = tmp_path / "data"
    directory.mkdir()
    frame.to_pickle(directory / "clean_train_trials.pickle")
    return directory


def test_export_writes_each_player_and_a_rerun_keeps_them(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    argv = ["data", "overcooked", "--split", "train", "--path", str(data_dir), "--out", str(out)]
    code, stdout, _ = run(capsys, *argv)
    assert code == 0
    assert "wrote 2 trajectories" in stdout and "kept 0" in stdout
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "train-7-cramped_room-p0.jsonl",
        "train-7-cramped_room-p1.jsonl",
    ]
    first = read_trajectory(files[0])
    assert first.header.env_kwargs == {"layout": "cramped_room"}
    assert first.actions == ["left", "stay"]
    stamp = files[0].stat().st_mtime_ns
    code, stdout, _ = run(capsys, *argv)
    assert code == 0 and "wrote 0 trajectories" in stdout and "kept 2" in stdout
    assert files[0].stat().st_mtime_ns == stamp
    files[1].write_text("truncated\n")
    code, stdout, _ = run(capsys, *argv)
    assert "wrote 1 trajectory" in stdout and "kept 1" in stdout
    assert read_trajectory(files[1]).actions == ["interact", "down"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--split", "dev", "--out", "x"], "invalid choice: 'dev'"),
        (["--split", "test"], "--out"),
        (["--split", "test", "--layout", "kitchen", "--out", "x"], "invalid choice: 'kitchen'"),
        (["--split", "test", "--path", "/no/such/dir", "--out", "x"], "no such data file"),
    ],
)
def test_bad_flags_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code, _, err = run(capsys, "data", "overcooked", *argv)
    assert_one_line_error(code, err, fragment)


def test_a_dataset_must_be_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "data")
    assert_one_line_error(code, err, "dataset")


@pytest.mark.parametrize("case", [case for case, _ in CRAFTED])
def test_crafted_pickles_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    (tmp_path / "clean_test_trials.pickle").write_bytes(_crafted(case))
    argv = ["--split", "test", "--path", str(tmp_path), "--out", str(tmp_path / "out")]
    code, _, err = run(capsys, "data", "overcooked", *argv)
    assert_one_line_error(code, err, f"{tmp_path / 'clean_test_trials.pickle'}")
    assert not (tmp_path / "out").exists()
