"""Bench suites: which trajectories, how much is observed, and which protocols score them.

A suite names its families (a behaviour family, a strategy, a level, a layout), how many test
trajectories each has, the env each is played in, and the population data methods that learn
from it (behaviour cloning) train on. `ScriptedSuite` draws everything from rote's scripted
agents: its test trajectories are those `rote generate` writes for its flags (episode e has
layout seed `seed + e`), and training uses other episodes (seeds from `train_seed` on), so no
test trajectory is ever in training: the paper's split by trajectory.

Protocols, named as in the paper, from one frozen and one online pass per trajectory:
- single-step: the action at step `observe`, after observing the steps before;
- multi-step: the next `horizon` steps, each from its true observation, weights frozen;
- after-swap: `horizon` steps from the layout swap, frozen (programs inferred before the swap);
  only in suites whose trajectories swap layout;
- online: every step after the observed ones, each revealed action updating the posterior.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from rote.agents import AgentFactory, build_agent
from rote.agents import conventions as variants
from rote.data.overcooked import LAYOUTS, load_overcooked
from rote.envs import EnvSpec, LayoutSwappable, agent_names, make_env, registrations
from rote.envs.registry import agent_factory
from rote.errors import RoteError
from rote.rollout import noise_seed, rollout
from rote.trajectory import Step, Trajectory

PROTOCOLS = ("single-step", "multi-step", "after-swap", "online")
REFERENCES = ("uniform", "frequency", "repeat-last", "ngram")
OFFLINE_METHODS = ("rote", "bc", "bip", *REFERENCES)
"""The methods that need no LLM; `nllm` and `rote-hybrid` are asked for by name."""
IDLE_REFERENCE = "always-stay"
"""The reference for envs with an idle action (`EnvSpec.idle_action`), in their suites."""


@dataclass(frozen=True)
class Suite(ABC):
    name: str
    families: tuple[str, ...]
    episodes: int
    """Test trajectories per family (a data suite may have fewer for some families)."""
    steps: int = 50
    """The last step any protocol scores, plus one."""
    swap_at: int | None = 30
    observe: int = 20
    horizon: int = 10
    seed: int = 0
    methods: tuple[str, ...] = OFFLINE_METHODS
    """What `rote bench` runs when not told (`bip` only where it has goals)."""
    particles: int = 30
    particle_sweep: tuple[int, ...] = (1, 3, 10)
    """Extra particle counts rote runs (frozen only) for the accuracy-against-particles plot."""
    budget: int = 15_000
    """Programs the synthesizer scores per search."""
    rejuvenation_budget: int | None = None
    """Programs it scores per rejuvenation, if fewer (`Budget.rejuvenation`)."""
    bc_seeds: int = 6
    bc_epochs: int = 60
    library_episodes: int = 5
    """Training trajectories per family a program library learns from (`rote-library`): the
    first of BC's, since each costs a search."""
    library_steps: int | None = None
    """Steps of each of them the library learns from, from the start; by default all, as BC
    trains on. Whole games predicted held-out train players better than their first 100 or
    250 ticks (`benchmarks/library_steps.py`); fewer cost fewer searches."""

    def __post_init__(self) -> None:
        end = self.frozen_end
        if not 0 < self.observe < end <= self.steps:
            raise RoteError(
                f"suite {self.name}: observe ({self.observe}) must be positive and leave "
                f"{self.horizon} steps to predict within {self.steps}"
            )

    @abstractmethod
    def env(self, family: str) -> EnvSpec:
        """The env a family's trajectories are played in."""

    @abstractmethod
    def test_trajectory(self, family: str, episode: int) -> list[Step]: ...

    @abstractmethod
    def train_trajectories(self, families: tuple[str, ...]) -> list[Trajectory]:
        """Population data for these families (which share one env), never a test trajectory;
        labelled with their family, so BC's validation split holds some of each."""

    def episodes_of(self, family: str) -> int:
        return self.episodes

    def library_trajectories(self, families: tuple[str, ...]) -> list[tuple[str, Trajectory]]:
        """The first `library_episodes` training trajectories of each family, named
        "family-k", each cut to `library_steps` steps if set."""
        return [
            (f"{family}-{k}", replace(trajectory, steps=trajectory.steps[: self.library_steps]))
            for family in families
            for k, trajectory in enumerate(
                self.train_trajectories((family,))[: self.library_episodes]
            )
        ]

    def env_key(self, family: str) -> str:
        """A file-name-safe name of the family's env and its settings: families with the same
        key share one behaviour cloning model."""
        spec = self.env(family)
        text = spec.id + "".join(f"-{k}={v}" for k, v in sorted(spec.kwargs.items()))
        return re.sub(r"[^A-Za-z0-9_.=-]+", "-", text)

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(p for p in PROTOCOLS if p != "after-swap" or self.swap_at is not None)

    @property
    def frozen_end(self) -> int:
        """The frozen pass predicts up to here: the multi-step window or, past a swap, the
        after-swap one."""
        return (self.observe if self.swap_at is None else self.swap_at) + self.horizon

    def protocol_steps(self, protocol: str) -> range:
        """The steps a protocol scores."""
        if protocol == "after-swap":
            if self.swap_at is None:
                raise RoteError(f"suite {self.name} has no layout swap")
            return range(self.swap_at, self.swap_at + self.horizon)
        return {
            "single-step": range(self.observe, self.observe + 1),
            "multi-step": range(self.observe, self.observe + self.horizon),
            "online": range(self.observe, self.steps),
        }[protocol]

    def with_observe(self, observe: int) -> Suite:
        """The suite with another observed window, the rest of the timeline kept."""
        return replace(self, observe=observe)

    def quick(self) -> Suite:
        """A few minutes' version for tests and smoke runs: one episode per family, small
        budgets, fewer seeds."""
        return replace(
            self,
            name=f"{self.name}-quick",
            episodes=1,
            particles=10,
            particle_sweep=(1,),
            budget=2000,
            bc_seeds=2,
            bc_epochs=8,
            library_episodes=2,
        )


@dataclass(frozen=True)
class ScriptedSuite(Suite):
    """Trajectories of rote's scripted agents: each family an agent registered for its env, or
    one of a test set registered nowhere (`agents`)."""

    env_id: str = "construction"
    env_kwargs: Mapping[str, Any] = field(default_factory=dict)
    family_envs: Mapping[str, str] = field(default_factory=dict)
    """Family to env id where it is not `env_id` (one suite over several levels)."""
    noise: float = 0.0
    train_episodes: int = 20
    """Episodes per family for population-trained methods (behaviour cloning)."""
    train_seed: int = 1000
    agents: str | None = None
    """Where the families' agents come from when they are not the registered agents of their
    env (a test set's, registered nowhere): a "module:attribute" reference to a mapping from
    family to agent factory. A reference rather than the mapping, so suite.json records it."""

    def env(self, family: str) -> EnvSpec:
        return make_env(self.family_envs.get(family, self.env_id), **self.env_kwargs)

    def test_trajectory(self, family: str, episode: int) -> list[Step]:
        return list(self._trajectory(family, episode, self.seed).steps)

    def train_trajectories(self, families: tuple[str, ...]) -> list[Trajectory]:
        return [
            self._trajectory(family, episode, self.train_seed)
            for family in families
            for episode in range(self.train_episodes)
        ]

    def _trajectory(self, family: str, episode: int, seed: int) -> Trajectory:
        """Step for step the file `rote generate --seed SEED --noise P` writes."""
        spec = self.env(family)
        agent = build_agent(
            self._factory(spec, family),
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

    def _factory(self, spec: EnvSpec, family: str) -> AgentFactory:
        if self.agents is None:
            return agent_factory(spec.id, family)
        return _agent_set(self.agents)[family]

    def quick(self) -> Suite:
        quick = super().quick()
        assert isinstance(quick, ScriptedSuite)
        return replace(quick, steps=quick.frozen_end, train_episodes=4)


@functools.cache
def _agent_set(reference: str) -> Mapping[str, AgentFactory]:
    """The mapping of family to agent factory a "module:attribute" reference names."""
    module, _, attribute = reference.partition(":")
    found: Mapping[str, AgentFactory] = getattr(importlib.import_module(module), attribute)
    return found


def construction() -> ScriptedSuite:
    """The paper's ten families, 5 episodes each: 20 steps observed, the layout swapped at 30."""
    return ScriptedSuite(
        name="construction",
        families=tuple(agent_names("construction")),
        episodes=5,
        methods=(*OFFLINE_METHODS, IDLE_REFERENCE),
    )


def construction_noisy() -> ScriptedSuite:
    """The construction suite with the paper's noise: each agent takes a random action on a
    tenth of its steps, in the test and the training episodes alike."""
    return replace(construction(), name="construction-noisy", noise=0.1)


def conventions() -> ScriptedSuite:
    """The Construction agents of other conventions (rote.agents.conventions), with the
    construction suite's protocol and layouts (episode e of a variant is its family's episode
    e), so each variant's results pair with its family's."""
    return replace(
        construction(),
        name="conventions",
        families=tuple(variants.CONSTRUCTION),
        agents="rote.agents.conventions:CONSTRUCTION",
    )


def scripted(env_id: str) -> Suite:
    """The suite of a family that registered scripted agents and no suite of its own: every
    agent, 5 episodes of 50 steps, 20 observed, the layout swapped at 30 where it can be. The
    methods are the offline ones but `bip`, whose planner knows only Construction's goals (it
    failed the whole bench of a plugin env that can swap its layout)."""
    spec = make_env(env_id)
    swaps = spec.simulated and isinstance(spec.make_gym().unwrapped, LayoutSwappable)
    return ScriptedSuite(
        name=env_id,
        families=tuple(agent_names(env_id)),
        episodes=5,
        swap_at=30 if swaps else None,
        methods=tuple(method for method in OFFLINE_METHODS if method != "bip")
        + ((IDLE_REFERENCE,) if spec.idle_action is not None else ()),
        particle_sweep=(),
        env_id=env_id,
    )


@dataclass(frozen=True)
class OvercookedSuite(Suite):
    """Carroll et al.'s 2019 human-human Overcooked games, each layout a family: every player of
    every test-split game, observed for its first `observe` steps; population methods train on
    the train split of the same layout (as the paper's BC does)."""

    path: str | None = None
    """The pickles' directory (default: the installed overcooked-ai package's)."""

    def env(self, family: str) -> EnvSpec:
        return make_env("overcooked", layout=family)

    def episodes_of(self, family: str) -> int:
        return min(self.episodes, len(_overcooked("test", self.path)[family]))

    def test_trajectory(self, family: str, episode: int) -> list[Step]:
        return list(_overcooked("test", self.path)[family][episode].steps[: self.steps])

    def train_trajectories(self, families: tuple[str, ...]) -> list[Trajectory]:
        return [t for family in families for t in _overcooked("train", self.path)[family]]

    def with_observe(self, observe: int) -> Suite:
        return replace(self, observe=observe, steps=observe + self.horizon)

    def quick(self) -> Suite:
        return replace(super().quick(), episodes=2)


@functools.cache
def _overcooked(split: str, path: str | None) -> dict[str, list[Trajectory]]:
    """A split's trajectories by layout, read once per process."""
    games: dict[str, list[Trajectory]] = {layout: [] for layout in LAYOUTS}
    for trajectory in load_overcooked(split, path=path):
        games[trajectory.header.env_kwargs["layout"]].append(trajectory)
    return games


def repeated_game() -> Suite:
    """Each zoo strategy against a uniformly random opponent in the prisoner's dilemma: 20
    rounds observed, the next 20 predicted."""
    return ScriptedSuite(
        name="repeated-game",
        families=tuple(agent_names("repeated-game")),
        episodes=5,
        steps=40,
        swap_at=None,
        observe=20,
        horizon=20,
        methods=("rote", "bc", *REFERENCES),
        particle_sweep=(),
        env_id="repeated-game",
        env_kwargs={"game": "prisoners_dilemma", "opponent": "random", "rounds": 40},
    )


MINIGRID_LEVELS = {
    "go-to-object": "minigrid:MiniGrid-GoToObject-8x8-N2-v0",
    "fetch": "minigrid:MiniGrid-Fetch-8x8-N3-v0",
    "put-next": "minigrid:BabyAI-PutNextLocal-v0",
}
"""The minigrid suite's families: a mission-following agent of ours on each level."""


def minigrid() -> ScriptedSuite:
    """Episodes end when a mission is done and the next begins at once, so 60 steps span
    several layouts and missions; 15 observed."""
    return ScriptedSuite(
        name="minigrid",
        families=tuple(MINIGRID_LEVELS),
        episodes=5,
        steps=60,
        swap_at=None,
        observe=15,
        horizon=15,
        methods=("rote", "bc", *REFERENCES),
        env_id=MINIGRID_LEVELS["go-to-object"],
        family_envs=MINIGRID_LEVELS,
    )


def minigrid_conventions() -> ScriptedSuite:
    """The MiniGrid agents of other conventions (rote.agents.conventions), each on its family's
    level with the minigrid suite's settings and seeds."""
    levels = {v: MINIGRID_LEVELS[variants.FAMILY[v]] for v in variants.MINIGRID}
    return replace(
        minigrid(),
        name="minigrid-conventions",
        families=tuple(levels),
        family_envs=levels,
        agents="rote.agents.conventions:MINIGRID",
    )


def overcooked_human() -> Suite:
    """W = 50 by default; `rote bench --observe 200` gives the other window of issue 8."""
    return OvercookedSuite(
        name="overcooked-human",
        families=tuple(LAYOUTS),
        episodes=1000,  # every player of every test game
        steps=100,
        swap_at=None,
        observe=50,
        horizon=50,
        methods=("rote", "bc", "bc-balanced", *REFERENCES, IDLE_REFERENCE),
        # people defeat every program within a few ticks, so online inference searches at
        # most ticks: a full search each time costs 4x (docs/people.md, "More search")
        rejuvenation_budget=3000,
        particle_sweep=(),
        # BC trains until its validation loss stops falling (up to the default 60 epochs): at 8
        # it was still falling fast on every layout (docs/people.md, "BC trained to convergence")
        bc_seeds=2,
        # a library of people learns from what BC trains on, every train player's whole game;
        # from 5 players per layout it knew less of how these people play (docs/people.md)
        library_episodes=1000,
    )


def suite_builders() -> dict[str, Callable[[], Suite]]:
    """Suite name to builder, from every env family's registration: its own suites, or, for a
    family with scripted agents and a simulator but no suite, the default `scripted` one."""
    builders: dict[str, Callable[[], Suite]] = {}
    for family in registrations():
        own = family.suite_builders()
        if own:
            builders.update(own)
        elif family.agent_factories() and not family.prefix:
            builders[family.id] = functools.partial(scripted, family.id)
    return builders


def suite(
    name: str,
    *,
    quick: bool = False,
    observe: int | None = None,
    episodes: int | None = None,
    library_episodes: int | None = None,
    library_steps: int | None = None,
) -> Suite:
    """A registered suite, optionally with another observed window, fewer episodes per family,
    or another number of training trajectories per family for `rote-library` to learn from, or
    of their steps."""
    builders = suite_builders()
    if name not in builders:
        raise RoteError(f"unknown suite {name!r}: choose from {', '.join(builders)}")
    built = builders[name]()
    if observe is not None:
        built = built.with_observe(observe)
    if episodes is not None:
        built = replace(built, episodes=episodes)
    built = built.quick() if quick else built
    if library_episodes is not None:  # after: a quick suite keeps it
        built = replace(built, library_episodes=library_episodes)
    if library_steps is not None:
        built = replace(built, library_steps=library_steps)
    return built


def settings(suite: Suite) -> dict[str, Any]:
    """The suite as JSON: what a results directory was made with."""
    config: dict[str, Any] = json.loads(json.dumps(asdict(suite)))
    return {"kind": type(suite).__name__, **config}
