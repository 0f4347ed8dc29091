"""The three escapes a probe found in the Python layer, through every way a program reaches rote.

Each escape reached the worker's real `os` (or an exec with real builtins) and then wrote a
file, connected to a local listener, signalled a process and read the host's environment. Now
each one is refused by the Python layer (an error for that program), and the OS layer would
refuse what follows anyway. They arrive through `rote predict --proposer list`, through an LLM
server's answer and through a poisoned row of the replay cache under `--cache-only`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from rote import make_agent, make_env, rollout, write_trajectory
from rote.agents.construction import source
from rote.cli import main
from rote.programs import Sandbox

from ..proposers.llm.fake_server import FakeLLMServer

SPEC = make_env("construction")
CANARY = "canary-escape-51b2"
ESCAPES = (
    "enum._convert_",
    "typing.get_origin to type, then dataclass",
    "the Enum functional API, then dataclass",
    "a renamed Field, then a dataclass subclass",
)


REAL_OS = (
    "harm([c for c in ().__class__.__base__.__subclasses__() if c.__name__ == '_wrap_close']"
    "[0].__init__.__globals__['sys'].modules['os'])"
)
"""Python that reaches the real os from any frame, for code no AST check sees."""


class Evidence(NamedTuple):
    marker: Path
    listener: socket.socket
    bystander: subprocess.Popen[bytes]

    def nothing_happened(self) -> None:
        assert not self.marker.exists(), "a program wrote a file"
        with pytest.raises((BlockingIOError, TimeoutError)):
            self.listener.accept()
        assert self.bystander.poll() is None, "a program killed a process"


def payload(evidence: Evidence) -> str:
    """What an escaped program does with the real os (a function of `os`)."""
    port = evidence.listener.getsockname()[1]
    return (
        "def harm(os):\n"
        f"    os.system('echo pwned > {evidence.marker}')\n"
        f"    fd = os.open({str(evidence.marker)!r}, os.O_CREAT | os.O_WRONLY)\n"
        f"    os.write(fd, os.environ.get('OPENAI_API_KEY', '').encode())\n"
        f"    os.kill({evidence.bystander.pid}, 9)\n"
        f"    connect = \"import socket; socket.create_connection(('127.0.0.1', {port}))\"\n"
        "    os.system(f'/usr/bin/python3 -c \"{connect}\"')\n"
    )


def escapes(evidence: Evidence) -> dict[str, str]:
    harm = payload(evidence)
    injected = f"x=__import__('os').system('echo pwned > {evidence.marker}')"
    agent = "class Agent:\n    def act(self, observation):\n        return 'stay'\n"
    return {
        "enum._convert_": (
            f"import enum\n{harm}"
            "found = enum.Enum._convert_('Xm', '__main__', lambda n: n == 'contextlib')\n"
            f"harm(found.contextlib.value.os)\n{agent}"
        ),
        "typing.get_origin to type, then dataclass": (
            "import typing, dataclasses\n"
            "real_type = typing.get_origin(typing.Type)\n"
            f"C = real_type('C', (), {{'__annotations__': {{{injected!r}: int}},"
            " '__module__': 'typing'})\n"
            f"dataclasses.dataclass(C)\n{agent}"
        ),
        "the Enum functional API, then dataclass": (
            "import enum, dataclasses\n"
            f"E = enum.Enum('E', [('__annotations__', {{{injected!r}: int}}),"
            " ('__module__', 'typing')])\n"
            f"dataclasses.dataclass(E)\n{agent}"
        ),
        # dataclass writes the names of a base's fields into the source it execs for a
        # subclass: a program that renames a Field could run unchecked code there.
        "a renamed Field, then a dataclass subclass": (
            f"import dataclasses\n{harm}"
            "@dataclasses.dataclass\nclass Base:\n    x: int = 0\n"
            f"dataclasses.fields(Base)[0].name = {'x,' + REAL_OS!r}\n"
            "@dataclasses.dataclass(init=False, repr=False)\nclass Sub(Base):\n    pass\n"
            f"Sub() == Sub()\n{agent}"
        ),
    }


@pytest.fixture
def evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Evidence]:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    bystander = subprocess.Popen(["sleep", "600"])
    try:
        yield Evidence(tmp_path / "pwned", listener, bystander)
    finally:
        bystander.kill()
        bystander.wait()
        listener.close()


@pytest.fixture
def trajectory(tmp_path: Path) -> Path:
    path = tmp_path / "left-right.jsonl"
    agent = make_agent("construction", "left-right")
    write_trajectory(path, rollout(SPEC, agent, steps=12, seed=0))
    return path


def test_each_escape_is_an_error_for_its_program(evidence: Evidence) -> None:
    with Sandbox(workers=1) as box:
        results = box.replay(list(escapes(evidence).values()), [{}], SPEC.action_names)
    assert [result.error for result in results] == [
        "forbidden: line 9: name '_convert_' is not allowed",
        "init: AttributeError: module 'typing (sandboxed)' has no attribute 'get_origin'",
        "init: TypeError: the Enum functional API is not available to programs",
        None,  # the Field renamed is a copy: the subclass is built as if nothing happened
    ]
    evidence.nothing_happened()


def test_escapes_given_as_program_files_are_contained(
    evidence: Evidence, trajectory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    programs = tmp_path / "programs"
    programs.mkdir()
    for index, text in enumerate(escapes(evidence).values()):
        (programs / f"escape_{index}.py").write_text(text)
    (programs / "left_right.py").write_text(source("left-right"))
    args = ["predict", f"--trajectory={trajectory}", "--observe=6", "--proposer=list"]
    assert main([*args, f"--programs={programs}", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["programs"][0]["source"] == source("left-right")
    assert all(program["weight"] < 1e-6 for program in report["programs"][1:])
    evidence.nothing_happened()


@pytest.mark.parametrize("name", ESCAPES)
def test_escapes_an_llm_writes_or_a_cache_replays_are_contained(
    evidence: Evidence,
    trajectory: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    answer = f"```python\n{escapes(evidence)[name]}```"
    cache = tmp_path / "poisoned.sqlite"
    args = ["predict", f"--trajectory={trajectory}", "--observe=6", "--particles=3"]
    args += ["--proposer=llm", f"--cache={cache}", "--llm-model=fake", "--llm-repairs=1"]
    with FakeLLMServer(default_text=answer) as server:
        assert main([*args, f"--llm-base-url={server.base_url}"]) == 0
    capsys.readouterr()
    evidence.nothing_happened()
    # The cache now holds the escape as the model's answer: replay it without any server.
    offline = [*args, "--llm-base-url=http://127.0.0.1:9/v1", "--cache-only", "--json"]
    assert main(offline) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["usage"]["cache_hits"] > 0  # --cache-only: a miss would have failed
    evidence.nothing_happened()
    assert os.environ["OPENAI_API_KEY"] == CANARY
