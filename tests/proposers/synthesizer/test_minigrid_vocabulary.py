"""The MiniGrid vocabulary: the search finds each scripted agent's program from a recording,
what it finds predicts unseen episodes, and emitted programs replay identically in the sandbox."""

from __future__ import annotations

import pytest

from rote.agents import make_agent
from rote.envs import Observation, make_env
from rote.programs import Sandbox
from rote.proposers.synthesizer import Budget
from rote.proposers.synthesizer.dsl import Tables, run
from rote.proposers.synthesizer.emit import to_source
from rote.proposers.synthesizer.minigrid import MiniGridVocabulary
from rote.proposers.synthesizer.search import Search
from rote.rollout import rollout

LEVELS = {
    "minigrid:MiniGrid-GoToObject-8x8-N2-v0": "go-to-object",
    "minigrid:MiniGrid-Fetch-8x8-N3-v0": "fetch",
    "minigrid:BabyAI-PutNextLocal-v0": "put-next",
}
VOCABULARY = MiniGridVocabulary()


def actions_and_observations(
    env_id: str, seed: int, steps: int
) -> tuple[list[str], list[Observation]]:
    trajectory = rollout(
        make_env(env_id), make_agent(env_id, LEVELS[env_id]), steps=steps, seed=seed
    )
    return [step.action or "" for step in trajectory.steps], [
        s.observation for s in trajectory.steps
    ]


@pytest.mark.parametrize("env_id", list(LEVELS))
def test_the_search_finds_the_agent_and_it_predicts_new_episodes(
    sandbox: Sandbox, env_id: str
) -> None:
    actions, observations = actions_and_observations(env_id, seed=0, steps=25)
    tables = Tables(VOCABULARY, observations)
    search = Search(
        tables, actions, make_env(env_id).action_names, budget=Budget(programs=2000), seed=0
    )
    search.run()
    best = search.best(1)[0].program
    assert run(best, tables) == actions, best.describe()
    # the program found is the agent's, not a fit to these layouts: it acts as the agent does
    # on episodes it never saw
    future_actions, future = actions_and_observations(env_id, seed=1, steps=40)
    assert run(best, Tables(VOCABULARY, future)) == future_actions, best.describe()
    (result,) = sandbox.replay([to_source(best, VOCABULARY)], future, make_env(env_id).action_names)
    assert result.error is None, result.error
    assert result.outputs == future_actions
