"""Program libraries on disk and their mixture prior."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from rote.agents import agent_source
from rote.errors import RoteError
from rote.programs.library import (
    FORMAT,
    Library,
    LibraryProgram,
    library_table,
    load_library,
    save_library,
)

LEFT = agent_source("construction", "left-right")
UP = agent_source("construction", "up-down")


def two_programs(concentration: float = 1.0) -> Library:
    return Library(
        "construction",
        (
            LibraryProgram(LEFT, 3.0, 10.5, (("left-right-0", 1.0), ("left-right-1", 0.98))),
            LibraryProgram(UP, 1.0, 8.0, (("up-down-0", 1.0),)),
        ),
        concentration=concentration,
        built={"trajectories": 4},
    )


def test_the_prior_is_a_mixture_of_the_programs_and_the_rest() -> None:
    library = two_programs(concentration=0.5)
    masses = [math.exp(library.log_prior(p)) for p in library.programs]
    assert masses == pytest.approx([3 / 4.5, 1 / 4.5])
    assert math.exp(library.log_novel) == pytest.approx(0.5 / 4.5)
    assert sum(masses) + math.exp(library.log_novel) == pytest.approx(1.0)
    assert library.with_concentration(None) is library
    assert library.with_concentration(2.0).log_novel == pytest.approx(math.log(2 / 6))


def test_a_saved_library_loads_as_it_was(tmp_path: Path) -> None:
    saved = save_library(two_programs(), tmp_path / "lib")
    loaded = load_library(tmp_path / "lib")
    assert loaded == saved
    assert load_library(tmp_path / "lib", 2.5) == replace(saved, concentration=2.5)
    assert [p.source for p in loaded.programs] == [LEFT, UP]
    assert all((tmp_path / "lib" / p.file).read_text() == p.source for p in loaded.programs)
    index = json.loads((tmp_path / "lib" / "index.json").read_text())
    assert index["format"] == FORMAT
    assert index["programs"][0]["description"] == loaded.programs[0].description != ""
    readme = (tmp_path / "lib" / "README.md").read_text()
    assert readme == library_table(loaded)
    assert loaded.programs[0].description in readme and "75.0%" in readme


def test_saving_again_removes_the_files_of_programs_gone(tmp_path: Path) -> None:
    save_library(two_programs(), tmp_path)
    fewer = Library("construction", two_programs().programs[1:])
    save_library(fewer, tmp_path)
    assert len(list((tmp_path / "programs").glob("*.py"))) == 1
    assert [p.source for p in load_library(tmp_path).programs] == [UP]


@pytest.mark.parametrize(
    ("damage", "fragment"),
    [
        (lambda root, index: (root / "index.json").unlink(), "no index.json"),
        (lambda root, index: (root / "index.json").write_text("{nope"), "not JSON"),
        (lambda root, index: index.update(format="other/1"), "format"),
        (lambda root, index: index.pop("programs"), "programs: missing"),
        (lambda root, index: index.update(programs=[1]), "programs[0]: not an object"),
        (lambda root, index: index["programs"][0].update(count=0), "programs[0].count"),
        (lambda root, index: index["programs"][1].update(count="2"), "programs[1].count"),
        (lambda root, index: index["programs"][0].update(file="../x.py"), "outside the library"),
        (lambda root, index: index["programs"][0].update(file="programs/no.py"), "cannot read"),
        (lambda root, index: index["programs"][0].update(agents=[1]), "agents"),
        (lambda root, index: index.update(concentration=-1), "concentration"),
        (lambda root, index: index.update(programs=[]), "at least one program"),
    ],
)
def test_a_damaged_library_is_one_error_naming_what(
    tmp_path: Path, damage: object, fragment: str
) -> None:
    save_library(two_programs(), tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    assert callable(damage)
    damage(tmp_path, index)
    if fragment not in ("no index.json", "not JSON"):  # the others damage the index's content
        (tmp_path / "index.json").write_text(json.dumps(index))
    with pytest.raises(RoteError) as raised:
        load_library(tmp_path)
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_library_has_programs_and_a_positive_concentration() -> None:
    with pytest.raises(RoteError, match="at least one program"):
        Library("construction", ())
    with pytest.raises(RoteError, match="concentration"):
        two_programs(concentration=0.0)
