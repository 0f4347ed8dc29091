"""The methods `rote bench` compares: each makes a fresh `Predictor` per trajectory.

`rote` is ROTE with the offline synthesizer; `rote@N` the same with N particles (for the
accuracy-against-particles plot); `rote-library` the same behind a program library learned from
the suite's training agents; `rote-hybrid` mixes LLM programs in; `bc`, `bip`, `nllm` and
the references are the baselines of `rote.baselines`; `bc-balanced` is BC trained with
class-balanced weights, so that rare actions count as much as the idle one. Methods that learn
from the population (`bc`, `bc-balanced`, `rote-library`) do it once per bench in `prepare`,
one model per env of the suite, and their predictors load what it saved. Each method declares
what it needs (an LLM, an idle action) and where it stands on the particle plot, so the CLI and
the report ask this table rather than list names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from rote.baselines.bip import BIPPredictor
from rote.baselines.nllm import TEMPERATURE, NLLMPredictor
from rote.baselines.references import (
    AlwaysStayPredictor,
    FrequencyPredictor,
    NgramPredictor,
    RepeatLastPredictor,
    UniformPredictor,
)
from rote.errors import RoteError
from rote.evaluation.library import CandidateSettings, build_library
from rote.evaluation.suites import Suite
from rote.library import Library, load_library
from rote.model import ROTE
from rote.predictor import Predictor
from rote.programs.sandbox import Sandbox
from rote.proposers import Proposer, make_proposer
from rote.proposers.llm.config import LLMConfig


class Context(NamedTuple):
    """What a method may use: the suite, the bench directory, and the LLM settings."""

    suite: Suite
    out: Path
    llm: LLMConfig | None = None

    def llm_config(self, method: str) -> LLMConfig:
        if self.llm is None:
            raise RoteError(f"method {method} needs an LLM: give --llm-config or --llm-base-url")
        return self.llm


@dataclass(frozen=True)
class Method:
    name: str
    make: Callable[[Context, str], Predictor]
    """A predictor for one trajectory of the named family."""
    prepare: Callable[[Context], None] | None = None
    """Once per bench, in the main process, before any trajectory (e.g. training)."""
    needs_llm: bool = False
    """It asks an LLM: a bench of it needs LLM settings (`Context.llm`)."""
    particles: Callable[[Suite], int] | None = None
    """Its point on the particle plot: the particles its ROTE runs with on a suite. None for
    the methods off the plot (all but the synthesizer's ROTE, `rote` and `rote@N`)."""
    sweep: bool = False
    """A variant for the particle plot only: frozen protocols only."""
    needs_idle: bool = False
    """It predicts the env's idle action: a bench of it needs one in every env of the suite."""
    model_dir: str | None = None
    """The directory of a results directory that `prepare` learns its models in, one per env of
    the suite, if it learns any."""
    model_settings: tuple[str, ...] = ()
    """The suite settings those models depend on and no cell of another method does: they bind a
    results directory only once the models are learnt there (`bench._check_suite`)."""


def _synth(context: Context) -> Proposer:
    suite = context.suite
    return make_proposer(
        "synth", budget=suite.budget, rejuvenation_budget=suite.rejuvenation_budget
    )


def _model(
    context: Context,
    family: str,
    proposer: Proposer,
    particles: int,
    library: Library | None = None,
) -> ROTE:
    """ROTE with a proposer (and library) of its own, in one sandbox worker (the bench runs
    cells in parallel processes already)."""
    env, sandbox = context.suite.env(family), Sandbox(workers=1)
    return ROTE(
        env,
        proposer,
        n_particles=particles,
        seed=0,
        sandbox=sandbox,
        takes_ownership=True,
        library=library,
    )


def _rote(name: str, particles: int | None) -> Method:
    """ROTE with the synthesizer and `particles` particles (None: the suite's); with a count,
    a variant of the particle sweep."""

    def count(suite: Suite) -> int:
        return particles or suite.particles

    def make(context: Context, family: str) -> Predictor:
        return _model(context, family, _synth(context), count(context.suite))

    return Method(name, make, particles=count, sweep=particles is not None)


def _hybrid(context: Context, family: str) -> Predictor:
    proposer = make_proposer(
        "hybrid",
        budget=context.suite.budget,
        rejuvenation_budget=context.suite.rejuvenation_budget,
        llm=context.llm_config("rote-hybrid"),
    )
    return _model(context, family, proposer, context.suite.particles)


def _envs(suite: Suite) -> list[tuple[str, ...]]:
    """The suite's families grouped by env: each group shares a population-trained model."""
    groups: dict[str, list[str]] = {}
    for family in suite.families:
        groups.setdefault(suite.env_key(family), []).append(family)
    return [tuple(families) for families in groups.values()]


_LIBRARY_DIR = "library"


def _library_dir(context: Context, family: str) -> Path:
    return context.out / _LIBRARY_DIR / context.suite.env_key(family)


def _prepare_library(context: Context) -> None:
    """Learn one program library per env of the suite from its training episodes (the first
    `library_episodes` of each family), resuming an unfinished one."""
    suite = context.suite
    for families in _envs(suite):
        directory = _library_dir(context, families[0])
        if (directory / "index.json").exists():
            continue
        trajectories = suite.library_trajectories(families)
        steps = f"the first {suite.library_steps} steps" if suite.library_steps else "every step"
        build_library(
            suite.env(families[0]),
            trajectories,
            directory,
            settings=CandidateSettings(budget=suite.budget),
            data=[
                f"suite {suite.name}: {len(trajectories)} training episodes, the first "
                f"{suite.library_episodes} of each family at most, {steps} of each"
            ],
        )


def _rote_library(context: Context, family: str) -> Predictor:
    """ROTE whose prior is the library learned from the suite's training agents."""
    library = load_library(_library_dir(context, family))
    return _model(context, family, _synth(context), context.suite.particles, library)


def _behaviour_cloning(name: str, *, class_weights: bool) -> Method:
    """BC as the paper trains it, or with class-balanced weights; each trains one ensemble
    per env of the suite on its training episodes, into a directory of its own, unless a
    finished one is there."""

    def directory(context: Context, family: str) -> Path:
        return context.out / name / context.suite.env_key(family)

    def prepare(context: Context) -> None:
        from rote.baselines.bc import BCConfig, BCEnsemble, train_bc  # lazy: torch is slow

        suite = context.suite
        for families in _envs(suite):
            if BCEnsemble.exists(directory(context, families[0])):
                continue
            train_bc(
                suite.env(families[0]),
                suite.train_trajectories(families),
                seeds=tuple(range(suite.bc_seeds)),
                epochs=suite.bc_epochs,
                config=BCConfig(class_weights=class_weights),
                out_dir=directory(context, families[0]),
            )

    def make(context: Context, family: str) -> Predictor:
        from rote.baselines.bc import BCEnsemble, BCPredictor  # lazy: torch is slow to import

        ensemble = BCEnsemble.load(directory(context, family))
        return BCPredictor(context.suite.env(family), ensemble)

    return Method(
        name, make, prepare=prepare, model_dir=name, model_settings=("bc_seeds", "bc_epochs")
    )


def _bip(context: Context, family: str) -> Predictor:
    return BIPPredictor(context.suite.env(family))


def _nllm(context: Context, family: str) -> Predictor:
    """At the paper's temperature for this baseline (0.75), whatever the proposer's is."""
    config = context.llm_config("nllm")
    sampling = replace(config.sampling, temperature=TEMPERATURE)
    return NLLMPredictor(context.suite.env(family), config.backend(), sampling)


def _reference(kind: type[Predictor], *, needs_idle: bool = False) -> Method:
    def make(context: Context, family: str) -> Predictor:
        return kind(context.suite.env(family))

    return Method(kind.name, make, needs_idle=needs_idle)


METHODS: dict[str, Method] = {
    "rote": _rote("rote", None),
    "rote-library": Method(
        "rote-library",
        _rote_library,
        prepare=_prepare_library,
        model_dir=_LIBRARY_DIR,
        model_settings=("library_episodes", "library_steps"),
    ),
    "rote-hybrid": Method("rote-hybrid", _hybrid, needs_llm=True),
    "bc": _behaviour_cloning("bc", class_weights=False),
    "bc-balanced": _behaviour_cloning("bc-balanced", class_weights=True),
    "bip": Method("bip", _bip),
    "nllm": Method("nllm", _nllm, needs_llm=True),
    **{
        kind.name: _reference(kind)
        for kind in (UniformPredictor, FrequencyPredictor, RepeatLastPredictor, NgramPredictor)
    },
    AlwaysStayPredictor.name: _reference(AlwaysStayPredictor, needs_idle=True),
}


def method(name: str) -> Method:
    """A registered method, or `rote@N`: rote with N particles."""
    if name.startswith("rote@"):
        count = name.removeprefix("rote@")
        if not count.isdigit() or int(count) < 1:
            raise RoteError(f"{name}: the particle count after rote@ must be a positive integer")
        return _rote(name, int(count))
    if name not in METHODS:
        raise RoteError(f"unknown method {name!r}: choose from {', '.join(METHODS)} or rote@N")
    return METHODS[name]


def bench_methods(suite: Suite, names: Sequence[str] | None = None) -> list[str]:
    """The methods a bench of `suite` runs when asked for `names` (default: the suite's): each
    once, in order, and with `rote`, its particle sweep (`rote@N` for each N of the suite's),
    the particle plot's other points. An unknown name is an error before any work."""
    chosen = list(suite.methods if names is None else names)
    if "rote" in chosen:
        chosen += [f"rote@{n}" for n in suite.particle_sweep]
    for name in chosen:
        method(name)
    return list(dict.fromkeys(chosen))
