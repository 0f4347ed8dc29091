"""The public API is exactly what `rote.__all__` lists, and every name resolves."""

from __future__ import annotations

import rote

EXPECTED = {
    "FORMAT", "Agent", "EnvSpec", "Header", "HybridProposer", "LLMConfig", "LLMProposer",
    "Library", "ListProposer", "NoiseModel", "Observation", "Program", "Proposer",
    "ROTE", "RoteError", "Step", "SynthProposer", "Trajectory", "TrajectoryError",
    "TrajectoryReader", "TrajectoryWriter", "__version__", "agent_names", "generate",
    "load_library", "make_agent", "make_env",
    "read_trajectory", "register", "registered_envs", "rollout", "write_trajectory",
}  # fmt: skip


def test_public_api_is_deliberate() -> None:
    assert set(rote.__all__) == EXPECTED
    for name in rote.__all__:
        assert getattr(rote, name) is not None
