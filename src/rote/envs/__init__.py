"""Environment specs and their registry. Each env lives in its own module and registers here."""

from typing import Any

import gymnasium as gym

from rote.envs.base import EnvSpec, LayoutSwappable, Observation, check_env_kwargs
from rote.envs.construction import GYM_ID as CONSTRUCTION_GYM_ID
from rote.envs.construction import ConstructionEnv, ConstructionSpec
from rote.envs.overcooked import OvercookedSpec
from rote.envs.registry import (
    make_env,
    register,
    register_prefix,
    registered_envs,
    registered_prefixes,
)
from rote.envs.repeated_game import GYM_ID as REPEATED_GAME_GYM_ID
from rote.envs.repeated_game import RepeatedGameEnv, RepeatedGameSpec
from rote.errors import EnvError

register(ConstructionSpec.id, ConstructionSpec)
register(OvercookedSpec.id, OvercookedSpec)
if CONSTRUCTION_GYM_ID not in gym.registry:
    gym.register(id=CONSTRUCTION_GYM_ID, entry_point="rote.envs.construction:ConstructionEnv")
register(RepeatedGameSpec.id, RepeatedGameSpec)
if REPEATED_GAME_GYM_ID not in gym.registry:
    gym.register(id=REPEATED_GAME_GYM_ID, entry_point="rote.envs.repeated_game:RepeatedGameEnv")


def _minigrid(level_id: str, /, **level_kwargs: Any) -> EnvSpec:
    """`minigrid:<id>` specs, importing MiniGrid (an optional extra) only when one is asked for."""
    try:
        from rote.envs.minigrid import MiniGridSpec
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] != "minigrid":
            raise
        raise EnvError(
            f'env "minigrid:{level_id}" needs MiniGrid: pip install minds-as-code[minigrid]'
        ) from None
    return MiniGridSpec(level_id, **level_kwargs)


register_prefix("minigrid", _minigrid)

__all__ = [
    "ConstructionEnv",
    "ConstructionSpec",
    "EnvSpec",
    "LayoutSwappable",
    "Observation",
    "OvercookedSpec",
    "RepeatedGameEnv",
    "RepeatedGameSpec",
    "check_env_kwargs",
    "make_env",
    "register",
    "register_prefix",
    "registered_envs",
    "registered_prefixes",
]
