"""Environment specs and their registry. Each env lives in its own module and registers here."""

import gymnasium as gym

from rote.envs.base import EnvSpec, LayoutSwappable, Observation
from rote.envs.construction import GYM_ID as CONSTRUCTION_GYM_ID
from rote.envs.construction import ConstructionEnv, ConstructionSpec
from rote.envs.registry import make_env, register, registered_envs

register(ConstructionSpec.id, ConstructionSpec)
if CONSTRUCTION_GYM_ID not in gym.registry:
    gym.register(id=CONSTRUCTION_GYM_ID, entry_point="rote.envs.construction:ConstructionEnv")

__all__ = [
    "ConstructionEnv",
    "ConstructionSpec",
    "EnvSpec",
    "LayoutSwappable",
    "Observation",
    "make_env",
    "register",
    "registered_envs",
]
