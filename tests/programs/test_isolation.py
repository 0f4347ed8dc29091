"""No program can change another's answers: each runs in a process of its own.

Each mischief below once changed other programs' outputs when programs shared a worker
process: patching a standard-library class, the seeded random class or a skills module's dict
or class, stashing memory, leaving a generator whose `finally` never ends to the garbage
collector. Every one runs first, in the same session and in the same batch as the victims, whose
outputs must equal a clean run's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rote import make_agent, make_env, rollout
from rote.agents import agent_source
from rote.programs import Limits, Sandbox

SPEC = make_env("construction")
STEPS = rollout(SPEC, make_agent("construction", "patrol-clockwise"), steps=12, seed=1).steps
SEEN: list[dict[str, Any]] = [step.observation for step in STEPS]
LIMITS = Limits(call_seconds=0.5, replay_seconds=5.0, memory_mb=600)


def mischief(body: str, header: str = "") -> str:
    indent = "\n        "
    return (
        f"{header}\nclass Agent:\n    def act(self, observation):{indent}"
        f"{body.replace(chr(10), indent)}{indent}return 'stay'\n"
    )


MISCHIEF = {
    "Counter.most_common": mischief(
        "collections.Counter.most_common = lambda self, n=None: [('left', 9)]",
        "import collections",
    ),
    "the seeded Random class": mischief(
        "random.Random.random = lambda self: 0.0\nrandom.Random.choice = lambda self, s: s[-1]",
        "import random",
    ),
    "a skills dict": mischief(
        "MOVES['up'] = MOVES['down'] = MOVES['left'] = (0, 0)\nOPPOSITE.clear()",
        "from rote.skills.construction import MOVES, OPPOSITE",
    ),
    "a skills class": mischief(
        "RingWalk.act = lambda self, state: 'interact'\nHeading.turn = lambda self: None",
        "from rote.skills.construction import RingWalk, Heading",
    ),
    "a memory stash": mischief(
        "collections.Counter.stash = bytearray(480 * 2**20)", "import collections"
    ),
    "a generator that never finishes": mischief(
        "self.loop = [self.forever()]\nself.loop.append(self.loop)\nnext(self.loop[0])\n"
        "self.loop = None",
        header="",
    ).replace(
        "    def act",
        "    def forever(self):\n        try:\n            yield 1\n        finally:\n"
        "            while True:\n                pass\n\n    def act",
    ),
}

VICTIMS = {
    "uses Counter": mischief(
        "votes = collections.Counter(['up', 'up', 'right'])\nreturn votes.most_common(1)[0][0]",
        "import collections",
    ),
    "uses random": mischief(
        "rng = random.Random(observation['t'])\n"
        "return rng.choice(['up', 'down', 'left', 'right']) if rng.random() < 0.9 else 'stay'",
        "import random",
    ),
    "patrol-clockwise": agent_source("construction", "patrol-clockwise"),
    "colour-cycle": agent_source("construction", "colour-cycle"),
    "snake": agent_source("construction", "snake"),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(workers=1, limits=LIMITS) as box:
        yield box


@pytest.fixture(scope="module")
def clean(sandbox: Sandbox) -> dict[str, list[Any]]:
    results = sandbox.replay(list(VICTIMS.values()), SEEN, SPEC.action_names)
    assert all(result.error is None for result in results), results
    return {name: result.outputs for name, result in zip(VICTIMS, results, strict=True)}


@pytest.mark.parametrize("name", MISCHIEF)
def test_mischief_in_a_batch_changes_no_other_program(
    sandbox: Sandbox, clean: dict[str, list[Any]], name: str
) -> None:
    sources = [MISCHIEF[name], *VICTIMS.values()]
    results = sandbox.replay(sources, SEEN, SPEC.action_names)
    found = {victim: result.outputs for victim, result in zip(VICTIMS, results[1:], strict=True)}
    assert found == clean
    assert all(result.error is None for result in results[1:])


@pytest.mark.parametrize("name", MISCHIEF)
def test_mischief_in_a_live_session_changes_no_other_program(
    sandbox: Sandbox, clean: dict[str, list[Any]], name: str
) -> None:
    with sandbox.session(SPEC.action_names) as session:
        session.add({"mischief": MISCHIEF[name]})
        session.add(VICTIMS)
        stepped = [session.step(observation) for observation in SEEN]
    for victim, outputs in clean.items():
        assert [step.outputs[victim] for step in stepped] == outputs, victim
    assert all(set(step.errors) <= {"mischief"} for step in stepped)


def test_each_mischief_really_happens_to_the_program_itself(sandbox: Sandbox) -> None:
    # The victims are safe because the mischief stays in its own process, not because it fails.
    check = """
import collections, random
from rote.skills.construction import MOVES, RingWalk
class Agent:
    def act(self, observation):
        patched = (
            collections.Counter("ab").most_common() == [("left", 9)]
            and random.Random().random() == 0.0
            and MOVES["up"] == (0, 0)
            and RingWalk.act(None, None) == "interact"
        )
        return "up" if patched else "down"
"""
    patches = [MISCHIEF[name].replace("return 'stay'", "pass") for name in list(MISCHIEF)[:4]]
    combined = "\n".join(patches).replace("class Agent:", "class Patch:") + check
    result = sandbox.replay([combined], SEEN[:1], SPEC.action_names)[0]
    assert result.error is None and result.outputs == ["down"]  # nothing patched at first
    patching = combined.replace(
        "    def act(self, observation):\n        patched",
        (
            "    def act(self, observation):\n"
            + "".join(f"        Patch{i}().act(observation)\n" for i in range(4))
            + "        patched"
        ),
    )
    for i in range(4):
        patching = patching.replace("class Patch:", f"class Patch{i}:", 1)
    result = sandbox.replay([patching], SEEN[:1], SPEC.action_names)[0]
    assert result.error is None and result.outputs == ["up"], result
