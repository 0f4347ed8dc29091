"""docs/bring-your-own-env.md says what is true: its vocabulary class and its draw are the
example's, and the commands it shows find the program it says they find (issue 18, item 15)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from rote import make_env
from rote.cli import main
from rote.envs.scene import scene_errors
from rote.plugins import load_plugin
from rote.proposers.synthesizer import vocabulary_for

ROOT = Path(__file__).parents[1]
DOC = (ROOT / "docs" / "bring-your-own-env.md").read_text(encoding="utf-8")
PLUGIN = str(ROOT / "docs" / "examples" / "conveyor.py")
EXAMPLE = Path(PLUGIN).read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC, re.S)


def test_the_vocabulary_shown_whole_runs_as_written_and_is_the_examples() -> None:
    (shown,) = [block for block in python_blocks() if "class ConveyorVocabulary" in block]
    assert shown[shown.index("class ConveyorVocabulary") :].rstrip() in EXAMPLE
    namespace: dict[str, Any] = {}
    exec(compile(shown, "bring-your-own-env.md", "exec"), namespace)  # our own doc's code
    load_plugin(PLUGIN)
    spec = make_env("conveyor")
    from_doc, from_example = namespace["ConveyorVocabulary"](spec), vocabulary_for(spec)
    assert from_doc.guards() == from_example.guards()
    assert from_doc.skills() == from_example.skills()


def test_the_commands_shown_find_the_program_the_doc_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (commands,) = [
        block
        for block in re.findall(r"```sh\n(rote --plugin .*?)```", DOC, re.S)
        if "docs/examples/conveyor.py generate" in block
    ]
    monkeypatch.chdir(tmp_path)
    lines = commands.replace("\\\n", " ").splitlines()
    generate = next(line for line in lines if " generate " in line)
    predict = next(line for line in lines if " predict " in line)
    for line in (generate, predict):
        argv = line.split()[1:]
        argv[argv.index("docs/examples/conveyor.py")] = PLUGIN
        capsys.readouterr()
        assert main(argv) == 0
    printed = capsys.readouterr().out
    top = printed[printed.index("# program 1") : printed.index("# program 2")]
    (claimed,) = [b for b in python_blocks() if b.startswith('if state["weight"]')]
    assert textwrap.indent(claimed.rstrip(), " " * 8) in top


def test_the_draw_shown_is_the_examples_and_draws_a_well_formed_scene() -> None:
    (shown,) = [block for block in python_blocks() if "def draw" in block]
    bins = shown[shown.index("BINS") : shown.index("\n\n\nclass ConveyorSpec")]
    method = shown[shown.index("    def draw") :].rstrip()
    assert bins in EXAMPLE and method in EXAMPLE
    load_plugin(PLUGIN)
    spec = make_env("conveyor")
    observation = {"t": 3, "colour": "blue", "weight": 7, "left": 2, "right": 0}
    scene = spec.draw(observation)
    assert scene is not None and scene_errors(scene) == []
    assert scene["kind"] == "grid"
    assert scene["items"] == [
        {"x": 1, "y": 0, "shape": "rect", "fill": "blue", "size": 0.7, "label": "7"}
    ]
    assert scene["caption"] == spec.render_text(observation)
