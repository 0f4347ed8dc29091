"""Bench suites: which trajectories, how much is observed, and which protocols score them.

A suite's test trajectories are those `rote generate` writes for its flags (episode e has layout
seed `seed + e`); methods that learn from a population (behaviour cloning) train on other
episodes of the same families (seeds from `train_seed` on), so no test trajectory is ever in
training: the paper's split by trajectory.

Protocols, named as in the paper, from one frozen and one online pass per trajectory:
- single-step: the action at step `observe`, after observing the steps before;
- multi-step: the next `horizon` steps, each from its true observation, weights frozen;
- after-swap: `horizon` steps from the layout swap, frozen (programs inferred before the swap);
- online: every step after the observed ones, each revealed action updating the posterior.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rote.agents import agent_names, make_agent
from rote.envs import make_env
from rote.errors import RoteError
from rote.rollout import noise_seed, rollout
from rote.trajectory import Step, Trajectory

PROTOCOLS = ("single-step", "multi-step", "after-swap", "online")


@dataclass(frozen=True)
class Suite:
    name: str
    env: str
    families: tuple[str, ...]
    episodes: int
    steps: int = 50
    swap_at: int = 30
    observe: int = 20
    horizon: int = 10
    noise: float = 0.0
    seed: int = 0
    train_episodes: int = 20
    """Episodes per family for population-trained methods (behaviour cloning)."""
    train_seed: int = 1000
    particles: int = 30
    particle_sweep: tuple[int, ...] = (1, 3, 10)
    """Extra particle counts rote runs (frozen only) for the accuracy-against-particles plot."""
    budget: int = 15_000
    """Programs the synthesizer scores per search."""
    bc_seeds: int = 6
    bc_epochs: int = 60

    def test_trajectory(self, family: str, episode: int) -> list[Step]:
        return list(self._trajectory(family, episode, self.seed).steps)

    def train_trajectories(self) -> list[Trajectory]:
        """Labelled with their family, so BC's validation split holds some of each."""
        return [
            self._trajectory(family, episode, self.train_seed)
            for family in self.families
            for episode in range(self.train_episodes)
        ]

    def _trajectory(self, family: str, episode: int, seed: int) -> Trajectory:
        """Step for step the file `rote generate --seed SEED --noise P` writes."""
        spec = make_env(self.env)
        agent = make_agent(
            self.env,
            family,
            noise=self.noise,
            action_names=spec.action_names,
            seed=noise_seed(seed, family, episode),
        )
        return rollout(
            spec,
            agent,
            steps=self.steps,
            seed=seed + episode,
            swap_at=self.swap_at,
            agent_label=family,
        )

    def protocol_steps(self, protocol: str) -> range:
        """The steps a protocol scores."""
        return {
            "single-step": range(self.observe, self.observe + 1),
            "multi-step": range(self.observe, self.observe + self.horizon),
            "after-swap": range(self.swap_at, self.swap_at + self.horizon),
            "online": range(self.observe, self.steps),
        }[protocol]

    def quick(self) -> Suite:
        """A few minutes' version for tests and smoke runs: one episode per family, small
        budgets, fewer seeds."""
        return replace(
            self,
            name=f"{self.name}-quick",
            episodes=1,
            steps=self.swap_at + self.horizon,
            train_episodes=4,
            particles=10,
            particle_sweep=(1,),
            budget=2000,
            bc_seeds=2,
            bc_epochs=8,
        )


def _construction() -> Suite:
    return Suite(
        name="construction",
        env="construction",
        families=tuple(agent_names("construction")),
        episodes=5,
    )


SUITES = {"construction": _construction}
"""Suite name to a builder (agent families are registered at import time)."""


def suite(name: str, *, quick: bool = False) -> Suite:
    if name not in SUITES:
        raise RoteError(f"unknown suite {name!r}: choose from {', '.join(SUITES)}")
    built = SUITES[name]()
    return built.quick() if quick else built
