"""rote: predict what another agent will do next by inferring programs that explain it.

The public API is what `__all__` lists; everything else may change between versions.
"""

from rote.agents import Agent, agent_names, make_agent
from rote.envs import EnvSpec, Observation, make_env, register, registered_envs
from rote.errors import RoteError
from rote.inference.likelihood import NoiseModel
from rote.library import Library, load_library
from rote.model import ROTE
from rote.programs.program import Program
from rote.proposers import ListProposer, Proposer, SynthProposer
from rote.proposers.hybrid import HybridProposer
from rote.proposers.llm.config import LLMConfig
from rote.proposers.llm.proposer import LLMProposer
from rote.rollout import generate, rollout
from rote.trajectory import (
    FORMAT,
    Header,
    Step,
    Trajectory,
    TrajectoryError,
    TrajectoryReader,
    TrajectoryWriter,
    read_trajectory,
    write_trajectory,
)
from rote.version import __version__

__all__ = [
    "FORMAT",
    "ROTE",
    "Agent",
    "EnvSpec",
    "Header",
    "HybridProposer",
    "LLMConfig",
    "LLMProposer",
    "Library",
    "ListProposer",
    "NoiseModel",
    "Observation",
    "Program",
    "Proposer",
    "RoteError",
    "Step",
    "SynthProposer",
    "Trajectory",
    "TrajectoryError",
    "TrajectoryReader",
    "TrajectoryWriter",
    "__version__",
    "agent_names",
    "generate",
    "load_library",
    "make_agent",
    "make_env",
    "read_trajectory",
    "register",
    "registered_envs",
    "rollout",
    "write_trajectory",
]
