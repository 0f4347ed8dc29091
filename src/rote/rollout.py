"""Run a policy in a simulated env and record what it does as a trajectory.

`rollout` records one episode of any agent (anything with `act(observation) -> str`);
`generate` records episodes of registered scripted agents into files, the data behind
`rote generate`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rote.agents import Agent, make_agent
from rote.envs import EnvSpec, LayoutSwappable, make_env
from rote.errors import EnvError, RoteError
from rote.observation import Observation
from rote.trajectory import (
    Header,
    Step,
    Trajectory,
    WriteReport,
    read_existing,
    write_trajectory,
)
from rote.version import __version__


def episode_header(
    spec: EnvSpec,
    agent_label: str,
    seed: int,
    swap_at: int | None,
    meta: dict[str, Any] | None = None,
) -> Header:
    """The header `rollout` writes: the env, the agent, and how the episode was made."""
    return Header(
        env=spec.id,
        env_kwargs=spec.kwargs,
        agent=agent_label,
        meta={"seed": seed, "swap_at": swap_at, **(meta or {})},
    )


def rollout(
    spec: EnvSpec,
    agent: Agent,
    *,
    steps: int,
    seed: int,
    swap_at: int | None = None,
    agent_label: str = "",
    meta: dict[str, Any] | None = None,
) -> Trajectory:
    """Record `steps` actions of `agent` from a layout seeded by `seed`.

    With `swap_at`, the layout is re-sampled just before the observation of step `swap_at`
    while the agent keeps its internal state.
    """
    if steps < 1:
        raise RoteError(f"steps must be at least 1, not {steps}")
    env = spec.make_gym()
    if swap_at is not None:
        if not isinstance(env.unwrapped, LayoutSwappable):
            raise EnvError(f'env "{spec.id}" cannot swap its layout (--swap-at)')
        if not 0 < swap_at < steps:
            raise RoteError(f"swap_at must be between 1 and steps - 1 = {steps - 1}, not {swap_at}")
    env.reset(seed=seed)
    recorded = []
    for t in range(steps):
        if t == swap_at and isinstance(env.unwrapped, LayoutSwappable):
            env.unwrapped.swap_layout()
        observation = spec.encode(env)
        action = agent.act(observation)
        if action not in spec.action_names:
            raise ValueError(f"agent {agent_label!r} returned {action!r}, not an action name")
        recorded.append(Step(observation, action))
        env.step(spec.action_names.index(action))
    return Trajectory(episode_header(spec, agent_label, seed, swap_at, meta), recorded)


def episode_path(out_dir: Path, agent: str, episode: int) -> Path:
    return out_dir / f"{agent}-{episode:03d}.jsonl"


def _already_done(path: Path, header: Header, steps: int) -> bool:
    existing = read_existing(path)
    return existing is not None and existing.header == header and len(existing.steps) == steps


def noise_seed(seed: int, agent: str, episode: int) -> int:
    """The seed of an episode's noise: fixed by run seed, agent and episode, so any one episode
    can be regenerated on its own, step for step."""
    return zlib.crc32(f"{seed}:{agent}:{episode}".encode())


def generate(
    env_id: str,
    agents: Sequence[str],
    *,
    episodes: int,
    steps: int,
    seed: int,
    out_dir: Path,
    swap_at: int | None = None,
    noise: float = 0.0,
    env_kwargs: dict[str, Any] | None = None,
    on_done: Callable[[Path], None] | None = None,
) -> WriteReport:
    """Write `episodes` trajectories per scripted agent into `out_dir`, one file each.

    Episode e of every agent uses layout seed `seed + e`, so families are compared on the
    same layouts. Files are written atomically, and a file that already holds the episode (same
    header, all steps) is kept, so a killed run resumes and a rerun redoes nothing.
    """
    if episodes < 1:
        raise RoteError(f"episodes must be at least 1, not {episodes}")
    spec = make_env(env_id, **(env_kwargs or {}))
    if not spec.simulated:
        raise EnvError(f'env "{env_id}" is replay-only: it cannot generate trajectories')
    for name in agents:  # fail on a bad name before writing anything
        make_agent(env_id, name)
    report = WriteReport([], [])
    for name in agents:
        for episode in range(episodes):
            path = episode_path(out_dir, name, episode)
            meta = {"episode": episode, "noise": noise, "generator": f"rote {__version__}"}
            header = episode_header(spec, name, seed + episode, swap_at, meta)
            if _already_done(path, header, steps):
                report.kept.append(path)
            else:
                agent = make_agent(
                    env_id,
                    name,
                    noise=noise,
                    action_names=spec.action_names,
                    seed=noise_seed(seed, name, episode),
                )
                trajectory = rollout(
                    spec,
                    agent,
                    steps=steps,
                    seed=seed + episode,
                    swap_at=swap_at,
                    agent_label=name,
                    meta=meta,
                )
                write_trajectory(path, trajectory)
                report.written.append(path)
            if on_done is not None:
                on_done(path)
    return report


class _Policy:
    """A policy callable seen as an agent (`act`), for `rollout`."""

    def __init__(self, policy: Callable[[Observation], str]) -> None:
        self.policy = policy

    def act(self, observation: Observation) -> str:
        return self.policy(observation)


def record(
    env_id: str,
    policy: Callable[[Observation], str],
    *,
    steps: int,
    seed: int,
    out: Path | None = None,
    agent_label: str = "",
    **env_kwargs: Any,
) -> Trajectory:
    """Record `steps` actions of any policy (observation -> action name) in any simulated env
    as a rote.trajectory/1, written to `out` when given."""
    spec = make_env(env_id, **env_kwargs)
    trajectory = rollout(spec, _Policy(policy), steps=steps, seed=seed, agent_label=agent_label)
    if out is not None:
        write_trajectory(out, trajectory)
    return trajectory
