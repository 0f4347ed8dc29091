"""Plugins load a user's env into rote, and the bring-your-own-env example works end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rote import ROTE, EnvSpec, make_env, rollout
from rote.agents import make_agent
from rote.cli import main
from rote.envs import check_env_kwargs
from rote.errors import EnvError, RoteError
from rote.evaluation.protocols import accuracy, predict_trajectory
from rote.plugins import load_plugin
from rote.proposers import SynthProposer
from rote.proposers.synthesizer import vocabulary_for
from tests.conftest import assert_one_line_exit_2, run_rote

EXAMPLE = str(Path(__file__).parents[1] / "docs" / "examples" / "conveyor.py")


def test_the_example_registers_its_env_vocabulary_and_agent() -> None:
    load_plugin(EXAMPLE)
    load_plugin(EXAMPLE)  # a second load is a no-op, not a double registration
    spec = make_env("conveyor")
    assert type(vocabulary_for(spec)).__name__ == "ConveyorVocabulary"
    assert (
        make_agent("conveyor", "heavy-left").act(
            {"t": 0, "colour": "red", "weight": 9, "left": 0, "right": 0}
        )
        == "left"
    )


def test_rote_learns_the_example_sorter() -> None:
    load_plugin(EXAMPLE)
    spec = make_env("conveyor")
    steps = rollout(spec, make_agent("conveyor", "heavy-left"), steps=60, seed=4).steps
    with ROTE(spec, SynthProposer(), n_particles=10, seed=0) as model:
        predictions = predict_trajectory(model, steps, 30, "frozen").predictions
    assert accuracy(predictions) >= 0.95


def test_the_plugins_one_registration_gives_it_a_bench_with_behaviour_cloning(
    tmp_path: Path,
) -> None:
    """`rote --plugin FILE bench --suite conveyor`: the suite comes from the registration, its
    cells run in worker processes that load the plugin too, and BC trains on the plugin env with
    the generic encoder."""
    out = tmp_path / "bench"
    argv = ["--plugin", EXAMPLE, "bench", "--suite", "conveyor", "--quick", "--jobs", "2"]
    assert main([*argv, "--methods", "rote,bc,frequency", "--out", str(out)]) == 0
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    methods = {record["method"] for record in records}
    assert {"rote", "bc", "frequency"} <= methods
    assert all(record["family"] == "heavy-left" for record in records)
    bc = json.loads((out / "bc" / "conveyor-max_weight=9" / "member-0.json").read_text())
    assert bc["encoder"]["kind"] == "fields"


def test_a_plugin_bounds_its_env_kwargs_in_its_spec() -> None:
    load_plugin(EXAMPLE)
    assert make_env("conveyor", max_weight=20).observation_schema["properties"]["weight"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 20,
        "description": "its weight",
    }
    # the spec never checks: make_env does, with the spec's kwargs_schema
    with pytest.raises(EnvError, match=r'"conveyor": env_kwargs\.max_weight: 100 is greater than'):
        make_env("conveyor", max_weight=100)
    with pytest.raises(EnvError, match=r'"any": env_kwargs: .*\(allowed: none\)$'):
        check_env_kwargs("any", EnvSpec.kwargs_schema, {"x": 1})  # a spec that declares none


def test_plugin_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(RoteError, match="no such file"):
        load_plugin(str(tmp_path / "missing.py"))
    broken = tmp_path / "broken.py"
    broken.write_text("raise ValueError('bad config')\n")
    with pytest.raises(RoteError, match=r"broken\.py:1 failed to load: ValueError: bad config"):
        load_plugin(str(broken))
    leaving = tmp_path / "leaving.py"
    leaving.write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(RoteError, match=r"leaving\.py:2 called exit\(3\) while loading"):
        load_plugin(str(leaving))


def _dupspec(directory: Path) -> Path:
    """The example plugin with a duplicate action name."""
    dupes = directory / "dupspec.py"
    dupes.write_text(
        Path(EXAMPLE)
        .read_text()
        .replace('ACTIONS = ("left", "right", "pass")', 'ACTIONS = ("left", "left", "pass")')
        .replace("Conveyor-v0", "Dupes-v0")
        .replace('id: ClassVar[str] = "conveyor"', 'id: ClassVar[str] = "dupes"')
    )
    return dupes


def _super_init(spec: Path) -> str:
    """`file:line` of the plugin spec's call to EnvSpec.__init__, where its mistake shows."""
    lines = spec.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "super().__init__(" in text)
    return f"{spec.resolve()}:{line}"


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("x = 1\n\nraise ValueError('bad config')\n", ":3 failed to load: ValueError: bad config"),
        ("def f():\n    raise KeyError('k')\n\nf()\n", ":2 failed to load: KeyError: 'k'"),
        ("import no_such_module_here\n", ":1 failed to load: ModuleNotFoundError: No module"),
        ("x = 1\ny = (\n", ":2 failed to load: SyntaxError: '(' was never closed"),
        ("import sys\n\n\nsys.exit(3)\n", ":4 called exit(3) while loading"),
        (None, "dupes: action_names has duplicates: ('left', 'left', 'pass')"),
    ],
    ids=["raise", "raise-in-a-function", "import", "syntax", "exit", "duplicate-actions"],
)
def test_a_broken_plugin_is_one_line_with_its_file_and_line(
    tmp_path: Path, source: str | None, fragment: str
) -> None:
    """Issue 18 item 3: a duplicate action name was a ValueError traceback, and a plugin's
    failure did not say where in the plugin it was raised."""
    if source is None:
        plugin = _dupspec(tmp_path)
        fragment = f"error: {_super_init(plugin)}: {fragment}"
    else:
        plugin = tmp_path / "plugin.py"
        plugin.write_text(source)
        fragment = f"error: plugin {plugin}{fragment}"
    assert_one_line_exit_2(run_rote("--plugin", str(plugin), "envs"), fragment)


@pytest.mark.parametrize("before", [True, False])
def test_plugin_goes_before_or_after_the_subcommand(tmp_path: Path, before: bool) -> None:
    """Issue 18 item 8: after the subcommand, argparse said "unrecognized arguments"; and a file
    naming an env no plugin registered says how to register one."""
    out = tmp_path / "out"
    generate = ["generate", "--env", "conveyor", "--agent", "heavy-left", "--episodes", "1"]
    generate += ["--steps", "5", "--out", str(out)]
    plugin = ["--plugin", EXAMPLE]
    result = run_rote(*(plugin + generate if before else generate + plugin))
    assert result.returncode == 0, result.stderr
    path = str(out / "heavy-left-000.jsonl")
    result = run_rote(*((*plugin, "validate", path) if before else ("validate", path, *plugin)))
    assert result.returncode == 0 and result.stdout.startswith(f"ok {path}")
    assert_one_line_exit_2(
        run_rote("validate", path), 'env "conveyor" is not registered; known envs: '
    )
    assert "rote --plugin FILE" in run_rote("validate", path).stderr


def test_cli_takes_plugins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--plugin", EXAMPLE, "generate", "--env", "conveyor", "--agent", "heavy-left"]
    assert main([*args, "--episodes", "1", "--steps", "5", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "heavy-left-000.jsonl").exists()
    assert main(["--plugin", "no.such.module", "envs"]) == 2
    assert "no.such.module failed to load" in capsys.readouterr().err
