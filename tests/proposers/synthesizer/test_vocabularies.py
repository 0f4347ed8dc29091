"""The contract every registered vocabulary keeps, checked for each env family in one place.

A vocabulary is found through its family's registration, its skills module reaches the sandbox,
and the Python it emits replays in the sandbox exactly as the search's `run` computes it: every
skill alone, every guard as a rule, a ring with each kind of exit, and what the synthesizer
proposes, on observations of the family's own agents (Overcooked, which has none, on sampled
kitchens).
"""

from __future__ import annotations

import pytest

from rote import make_env, rollout, skills
from rote.agents import make_agent
from rote.envs import EnvSpec, agent_names, registrations
from rote.observation import Observation
from rote.plugins import load_plugin
from rote.programs import Sandbox
from rote.proposers import ProposalRequest
from rote.proposers.synthesizer import Budget, SynthProposer, vocabulary_for
from rote.proposers.synthesizer.dsl import IDLE, Exit, Mode, Ring, Rule, Tables, Vocabulary, run
from rote.proposers.synthesizer.emit import to_source
from rote.trajectory import Step
from tests.envs.test_overcooked import kitchen

load_plugin("docs/examples/conveyor.py")  # a plugin's vocabulary keeps the contract too

MEMBERS = {"minigrid": "minigrid:BabyAI-PutNextLocal-v0"}
"""The env a family registered by prefix is checked on."""
STEPS = 12
"""Steps of each agent: enough for the rules to fire, few enough to replay every term."""


def observations(spec: EnvSpec) -> list[Observation]:
    """Observations of every scripted agent of the family (sampled kitchens where none)."""
    if spec.id == "overcooked":
        return [kitchen(spec.kwargs["layout"], seed) for seed in range(40)]
    seen: list[Observation] = []
    for seed, name in enumerate(agent_names(spec.id)):
        trajectory = rollout(spec, make_agent(spec.id, name), steps=STEPS, seed=seed)
        seen += [step.observation for step in trajectory.steps]
    return seen


def families() -> list[str]:
    return [MEMBERS.get(f.id, f.id) for f in registrations() if f.vocabulary is not None]


@pytest.fixture(scope="module", params=families())
def family(request: pytest.FixtureRequest) -> tuple[EnvSpec, Vocabulary, list[Observation]]:
    spec = make_env(request.param)
    return spec, vocabulary_for(spec), observations(spec)


class TestVocabularyChecks:
    def test_the_registration_gives_the_vocabulary(
        self, family: tuple[EnvSpec, Vocabulary, list[Observation]]
    ) -> None:
        spec, vocabulary, _ = family
        factory = next(f for f in registrations() if spec.id.startswith(f.id)).vocabulary
        assert factory is not None
        name = factory if isinstance(factory, str) else f"{factory.__module__}:{factory.__name__}"
        assert name.endswith(":" + type(vocabulary).__name__)

    def test_its_skills_module_reaches_the_sandbox(
        self, family: tuple[EnvSpec, Vocabulary, list[Observation]]
    ) -> None:
        assert family[1].module in skills.modules()

    def test_every_term_replays_in_the_sandbox_as_the_search_runs_it(
        self, sandbox: Sandbox, family: tuple[EnvSpec, Vocabulary, list[Observation]]
    ) -> None:
        spec, vocabulary, seen = family
        tables = Tables(vocabulary, seen)
        assert tables.skills and tables.guards
        default, other = tables.skills[0], tables.skills[-1]
        programs = [Ring((Mode(skill),)) for skill in tables.skills]
        programs += [Ring((Mode(default, rules=(Rule(g, other),)),)) for g in tables.guards]
        guard = tables.guards[len(tables.guards) // 2]
        programs.append(
            Ring(
                (
                    Mode(default, exit=Exit("after", steps=2)),
                    Mode(other, rules=(Rule(guard, default),), exit=IDLE),
                    Mode(tables.skills[len(tables.skills) // 2], exit=Exit("guard", guard)),
                )
            )
        )
        sources = [to_source(program, vocabulary) for program in programs]
        results = sandbox.replay(sources, seen, spec.action_names)
        for program, result in zip(programs, results, strict=True):
            assert result.error is None, (program.describe(), result.error)
            assert result.outputs == run(program, tables), program.describe()

    def test_the_synthesizers_proposals_replay_in_the_sandbox_as_searched(
        self, sandbox: Sandbox, family: tuple[EnvSpec, Vocabulary, list[Observation]]
    ) -> None:
        """On the family's observations acted on by a rule of its own vocabulary, so that every
        family (Overcooked has no scripted agent) gives the search something to find."""
        spec, vocabulary, seen = family
        tables = Tables(vocabulary, seen)
        guard = tables.guards[len(tables.guards) // 3]
        agent = Ring((Mode(tables.skills[0], rules=(Rule(guard, tables.skills[-1]),)),))
        steps = [Step(o, a) for o, a in zip(seen, run(agent, tables), strict=True)][:30]
        request = ProposalRequest(env=spec, history=steps, n=10, seed=0)
        programs = SynthProposer(Budget(programs=1500), sandbox=sandbox).propose(request)
        assert len(programs) == 10
        observations = [step.observation for step in steps]
        results = sandbox.replay([p.source for p in programs], observations, spec.action_names)
        history = Tables(vocabulary, observations)
        for program, result in zip(programs, results, strict=True):
            assert result.error is None, result.error
            assert result.outputs == run(program.meta["dsl"], history)


def test_every_family_with_a_vocabulary_is_checked() -> None:
    checked = {name.partition(":")[0] for name in families()}
    assert {"construction", "repeated-game", "minigrid", "overcooked", "conveyor"} <= checked
