"""The suites of agents with other conventions: the settings, layouts and seeds of the suites of
our families, so each variant's results pair with its family's, and none of our suites changes."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from rote.agents import NoisyAgent, agent_names, build_agent
from rote.agents.conventions import CONSTRUCTION, FAMILY, MINIGRID
from rote.cli import main
from rote.evaluation.suites import MINIGRID_LEVELS, ScriptedSuite, settings, suite

PAIRS = [("conventions", "construction"), ("minigrid-conventions", "minigrid")]


@pytest.mark.parametrize(("name", "ours"), PAIRS)
def test_a_conventions_suite_has_the_settings_of_ours(name: str, ours: str) -> None:
    variants, originals = suite(name), suite(ours)
    assert isinstance(variants, ScriptedSuite) and isinstance(originals, ScriptedSuite)
    differing = {
        key
        for key, value in asdict(variants).items()
        if key != "family_envs" and asdict(originals)[key] != value
    }
    assert differing == {"name", "families", "agents"}
    assert originals.agents is None
    assert json.loads(json.dumps(settings(variants)))["agents"] == variants.agents


def test_the_suites_of_our_families_are_unchanged() -> None:
    assert suite("construction").families == tuple(agent_names("construction"))
    assert suite("conventions").families == tuple(CONSTRUCTION)
    assert suite("minigrid").families == tuple(MINIGRID_LEVELS)
    assert suite("minigrid-conventions").families == tuple(MINIGRID)
    assert not set(CONSTRUCTION) & set(agent_names("construction"))


@pytest.mark.parametrize(("name", "ours"), PAIRS)
def test_a_variant_plays_on_its_familys_layouts(name: str, ours: str) -> None:
    variants, originals = suite(name, quick=True), suite(ours, quick=True)
    for variant in variants.families:
        family = FAMILY[variant]
        assert variants.env_key(variant) == originals.env_key(family)
        mine = variants.test_trajectory(variant, 0)
        theirs = originals.test_trajectory(family, 0)
        assert mine[0].observation == theirs[0].observation
        if variants.swap_at is not None:  # the layout the swap brings is the same too
            swapped = variants.swap_at
            assert mine[swapped].observation["walls"] == theirs[swapped].observation["walls"]


def test_build_agent_seeds_and_wraps_an_unregistered_agent_as_make_agent_does() -> None:
    factory = CONSTRUCTION["colour-cycle-shuffled"]
    assert isinstance(build_agent(factory), factory)
    noisy = build_agent(factory, noise=0.5, action_names=("stay", "up"), seed=3)
    assert isinstance(noisy, NoisyAgent) and isinstance(noisy.inner, factory)


def test_bench_runs_the_conventions_suite(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    argv = ["bench", "--suite", "conventions", "--quick", "--methods", "rote,frequency"]
    assert main([*argv, "--out", str(out), "--jobs", "2"]) == 0
    families = (out / "families.csv").read_text()
    assert all(variant in families for variant in CONSTRUCTION)
    assert (
        main(
            [
                "bench",
                "--suite",
                "minigrid-conventions",
                "--quick",
                "--methods",
                "frequency",
                "--out",
                str(tmp_path / "minigrid"),
                "--jobs",
                "1",
            ]
        )
        == 0
    )
