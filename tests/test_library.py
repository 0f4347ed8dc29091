"""Program libraries on disk and their mixture prior."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rote.agents import agent_source
from rote.envs import make_env
from rote.errors import RoteError
from rote.inference.likelihood import NoiseModel
from rote.library import (
    FORMAT,
    Library,
    LibraryProgram,
    PopulationNoise,
    library_table,
    load_library,
    save_library,
)

LEFT = agent_source("construction", "left-right")
UP = agent_source("construction", "up-down")


GRID = NoiseModel(idle="stay")


def steady_at(eps: float) -> PopulationNoise:
    """A population that acts at every tick and errs at `eps`: all the prior on that pair."""
    learned = np.zeros(GRID.size)
    learned[GRID.grid.index(eps)] = 1.0  # the steady tempo's pairs come first
    return PopulationNoise(GRID, tuple(learned))


STEADY = steady_at(0.1)


def two_programs(concentration: float = 1.0, noise: PopulationNoise | None = STEADY) -> Library:
    return Library(
        "construction",
        (
            LibraryProgram(LEFT, 3.0, 10.5, (("left-right-0", 1.0), ("left-right-1", 0.98))),
            LibraryProgram(UP, 1.0, 8.0, (("up-down-0", 1.0),)),
        ),
        concentration=concentration,
        built={"trajectories": 4},
        noise=noise,
    )


def test_the_prior_is_a_mixture_of_the_programs_and_the_rest() -> None:
    library = two_programs(concentration=0.5)
    masses = [math.exp(library.log_prior(p)) for p in library.programs]
    assert masses == pytest.approx([3 / 4.5, 1 / 4.5])
    assert math.exp(library.log_novel) == pytest.approx(0.5 / 4.5)
    assert sum(masses) + math.exp(library.log_novel) == pytest.approx(1.0)
    assert library.with_concentration(None) is library
    assert library.with_concentration(2.0).log_novel == pytest.approx(math.log(2 / 6))


def test_a_new_agent_s_noise_prior_is_the_population_s_as_n_agents_and_the_default_as_alpha() -> (
    None
):
    library = two_programs(concentration=1.0)  # N = 4 agents
    model = library.noise_model()
    assert model is not None and model.grid == GRID.grid and model.idle == "stay"
    prior = np.exp(model.log_prior)
    default = np.exp(GRID.log_prior)
    point = GRID.grid.index(0.1)
    assert prior[point] == pytest.approx(4 / 5 + default[point] / 5)
    others = np.arange(GRID.size) != point
    assert prior[others] == pytest.approx(default[others] / 5)
    # more weight for the unseen moves it back toward the default
    assert np.exp(library.with_concentration(1e6).noise_model().log_prior) == pytest.approx(
        default, abs=1e-5
    )
    assert two_programs(noise=None).noise_model() is None
    assert "acting at every tick 1.00 (default prior 0.50); eps 0.02: 0.00, 0.1: 1.00" in (
        library_table(library)
    )


def test_a_library_names_the_env_it_was_learned_in() -> None:
    env = make_env("construction")
    replace(two_programs(), env_kwargs=dict(env.kwargs)).check_env(env)
    with pytest.raises(RoteError, match="the library is of env construction"):
        two_programs().check_env(env)


def test_a_saved_library_loads_as_it_was(tmp_path: Path) -> None:
    saved = save_library(two_programs(), tmp_path / "lib")
    loaded = load_library(tmp_path / "lib")
    assert loaded == saved
    assert load_library(tmp_path / "lib", 2.5) == replace(saved, concentration=2.5)
    assert [p.source for p in loaded.programs] == [LEFT, UP]
    assert all((tmp_path / "lib" / p.file).read_text() == p.source for p in loaded.programs)
    index = json.loads((tmp_path / "lib" / "index.json").read_text())
    assert index["format"] == FORMAT
    # the learned prior as the pairs it holds, readable: acting at every tick, erring at 0.1
    assert index["noise"]["learned"] == [{"eps": 0.1, "rates": [1.0, 1.0, 1.0], "weight": 1.0}]
    assert index["programs"][0]["description"] == loaded.programs[0].description != ""
    readme = (tmp_path / "lib" / "README.md").read_text()
    assert readme == library_table(loaded)
    assert loaded.programs[0].description in readme and "75.0%" in readme


def test_a_library_saved_before_it_learned_noise_loads_without_it(tmp_path: Path) -> None:
    save_library(two_programs(), tmp_path)
    index = json.loads((tmp_path / "index.json").read_text())
    del index["noise"]
    (tmp_path / "index.json").write_text(json.dumps(index))
    loaded = load_library(tmp_path)
    assert loaded.noise is None and loaded.noise_model() is None


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
        (lambda root, index: index.update(noise=[]), "noise: not an object"),
        (lambda root, index: index["noise"].pop("rates"), "noise.rates: missing"),
        (lambda root, index: index["noise"].update(grid=["a"]), "noise.grid: not a list of"),
        (lambda root, index: index["noise"].update(idle=3), "noise.idle"),
        (lambda root, index: index["noise"].update(prior=[1, 2]), "noise: eps prior must match"),
        (lambda root, index: index["noise"].update(learned=[]), "not all zero"),
        (lambda root, index: index["noise"]["learned"][0].update(weight=math.nan), "finite"),
        (lambda root, index: index["noise"]["learned"][0].update(eps=0.5), "not a pair of the"),
        (lambda root, index: index["noise"]["learned"][0].pop("rates"), "learned[0]: not an eps"),
        (lambda root, index: index["noise"].pop("steady"), "noise.steady: missing"),
        (lambda root, index: index["noise"].update(buckets=[1.5, 4]), "whole numbers"),
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
