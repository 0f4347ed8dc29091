"""Environment specs and the registry, with the one registration of each built-in family.

Each family's spec lives in its own module; what rote knows about the family (skills module,
synthesizer vocabulary, scripted agents, behaviour cloning's encoder, bench suites) is declared
in its `register` call below, by reference where it lives in a layer above this one.
"""

from typing import Any

from rote.envs.base import EnvSpec, LayoutSwappable, check_env_kwargs
from rote.envs.construction import ConstructionEnv, ConstructionSpec
from rote.envs.overcooked import OvercookedSpec
from rote.envs.registry import (
    EnvRegistration,
    agent_names,
    make_env,
    register,
    registered_envs,
    registration,
    registrations,
    scripted_agent,
)
from rote.envs.repeated_game import RepeatedGameEnv, RepeatedGameSpec
from rote.errors import EnvError
from rote.observation import Observation


def _minigrid(level_id: str, /, **level_kwargs: Any) -> EnvSpec:
    """`minigrid:<id>` specs, importing MiniGrid (an optional extra) only when one is asked for."""
    try:  # here, not above: MiniGrid is an optional extra, imported only when a level is asked
        from rote.envs.minigrid import MiniGridSpec
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != "minigrid":
            raise
        raise EnvError(
            f'env "minigrid:{level_id}" needs MiniGrid: pip install minds-as-code[minigrid]'
        ) from None
    return MiniGridSpec(level_id, **level_kwargs)


register(
    "construction",
    ConstructionSpec,
    skills="rote.skills.construction",
    vocabulary="rote.proposers.synthesizer.construction:ConstructionVocabulary",
    agents="rote.agents.construction:AGENTS",
    encoder="rote.baselines.encoding:GridEncoder",
    suites={
        "construction": "rote.evaluation.suites:construction",
        "construction-noisy": "rote.evaluation.suites:construction_noisy",
        "conventions": "rote.evaluation.suites:conventions",
    },
)
register(
    "repeated-game",
    RepeatedGameSpec,
    skills="rote.skills.repeated_game",
    vocabulary="rote.proposers.synthesizer.repeated_game:RepeatedGameVocabulary",
    agents="rote.agents.repeated_game:AGENTS",
    suites={"repeated-game": "rote.evaluation.suites:repeated_game"},
)
register(
    "minigrid",
    _minigrid,
    prefix=True,
    skills="rote.skills.minigrid",
    vocabulary="rote.proposers.synthesizer.minigrid:MiniGridVocabulary",
    agents="rote.agents.minigrid:AGENTS",
    encoder="rote.baselines.encoding:MiniGridEncoder",
    suites={
        "minigrid": "rote.evaluation.suites:minigrid",
        "minigrid-conventions": "rote.evaluation.suites:minigrid_conventions",
    },
)
register(
    "overcooked",
    OvercookedSpec,
    skills="rote.skills.overcooked",
    vocabulary="rote.proposers.synthesizer.overcooked:OvercookedVocabulary",
    encoder="rote.baselines.encoding:OvercookedEncoder",
    suites={"overcooked-human": "rote.evaluation.suites:overcooked_human"},
)

__all__ = [
    "ConstructionEnv",
    "ConstructionSpec",
    "EnvRegistration",
    "EnvSpec",
    "LayoutSwappable",
    "Observation",
    "OvercookedSpec",
    "RepeatedGameEnv",
    "RepeatedGameSpec",
    "agent_names",
    "check_env_kwargs",
    "make_env",
    "register",
    "registered_envs",
    "registration",
    "registrations",
    "scripted_agent",
]
