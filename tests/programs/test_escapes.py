"""The escapes a probe found in the Python layer, through every way a program reaches rote.

Each escape reached the worker's real `os` (or an exec with real builtins) and then wrote a
file, connected to a local listener, signalled a process and read the host's environment. Now
each one ends as its case in `hostile.py` says (an error for that program, or a trick that
changes nothing), and the OS layer would refuse what follows anyway. They arrive through
`rote predict --proposer list`, through an LLM server's answer and through a poisoned row of the
replay cache under `--cache-only`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rote import make_agent, make_env, rollout, write_trajectory
from rote.agents import agent_source
from rote.cli import main
from rote.programs import Sandbox

from ..proposers.llm.fake_server import FakeLLMServer
from .attacks import CANARY, Targets, planted
from .hostile import ESCAPE_NAMES, ESCAPES, verdict

SPEC = make_env("construction")


@pytest.fixture
def targets() -> Iterator[Targets]:
    with planted() as planted_targets:
        yield planted_targets


@pytest.fixture
def trajectory(tmp_path: Path) -> Path:
    path = tmp_path / "left-right.jsonl"
    agent = make_agent("construction", "left-right")
    write_trajectory(path, rollout(SPEC, agent, steps=12, seed=0))
    return path


def test_each_escape_ends_as_its_case_says(targets: Targets) -> None:
    with Sandbox(workers=1) as box:
        programs = [case.program(targets) for case in ESCAPES]
        results = box.replay(programs, [{}], SPEC.action_names)
    assert [verdict(case, result) for case, result in zip(ESCAPES, results, strict=True)] == [
        None
    ] * len(ESCAPES)
    assert targets.harmed() is None


def test_escapes_given_as_program_files_are_contained(
    targets: Targets, trajectory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    programs = tmp_path / "programs"
    programs.mkdir()
    for index, case in enumerate(ESCAPES):
        (programs / f"escape_{index}.py").write_text(case.program(targets))
    (programs / "left_right.py").write_text(agent_source("construction", "left-right"))
    args = ["predict", f"--trajectory={trajectory}", "--observe=6", "--proposer=list"]
    assert main([*args, f"--programs={programs}", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["programs"][0]["source"] == agent_source("construction", "left-right")
    assert all(program["weight"] < 1e-6 for program in report["programs"][1:])
    assert targets.harmed() is None


@pytest.mark.parametrize("name", ESCAPE_NAMES)
def test_escapes_an_llm_writes_or_a_cache_replays_are_contained(
    targets: Targets,
    trajectory: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    (case,) = [case for case in ESCAPES if case.name == name]
    answer = f"```python\n{case.program(targets)}```"
    cache = tmp_path / "poisoned.sqlite"
    args = ["predict", f"--trajectory={trajectory}", "--observe=6", "--particles=3"]
    args += ["--proposer=llm", f"--cache={cache}", "--llm-model=fake", "--llm-repairs=1"]
    with FakeLLMServer(default_text=answer) as server:
        assert main([*args, f"--llm-base-url={server.base_url}"]) == 0
    capsys.readouterr()
    assert targets.harmed() is None
    # The cache now holds the escape as the model's answer: replay it without any server.
    offline = [*args, "--llm-base-url=http://127.0.0.1:9/v1", "--cache-only", "--json"]
    assert main(offline) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["usage"]["cache_hits"] > 0  # --cache-only: a miss would have failed
    assert targets.harmed() is None
    assert os.environ["OPENAI_API_KEY"] == CANARY
