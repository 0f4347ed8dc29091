"""The methods `rote bench` compares: each makes a fresh `Predictor` per trajectory.

`rote` is ROTE with the offline synthesizer; `rote@N` the same with N particles (for the
accuracy-against-particles plot); `rote-hybrid` mixes LLM programs in; `bc`, `bip`, `nllm` and
the references are the baselines of `rote.baselines`. Methods that learn from the population
(`bc`) do it once per bench in `prepare`, one model per env of the suite, and their predictors
load what it saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from rote.errors import RoteError
from rote.evaluation.suites import Suite
from rote.model import ROTE
from rote.predictor import Predictor
from rote.programs.sandbox import Sandbox
from rote.proposers import Budget, Proposer, SynthProposer
from rote.proposers.hybrid import HybridProposer
from rote.proposers.llm.config import LLMConfig
from rote.proposers.llm.proposer import LLMProposer


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
    sweep: bool = False
    """A variant for the particle plot: frozen protocols only."""


def _synth(context: Context) -> SynthProposer:
    return SynthProposer(Budget(programs=context.suite.budget))


def _model(context: Context, family: str, proposer: Proposer, particles: int) -> ROTE:
    """ROTE with a proposer of its own, in one sandbox worker (the bench runs cells in
    parallel processes already)."""
    env, sandbox = context.suite.env(family), Sandbox(workers=1)
    return ROTE(env, proposer, n_particles=particles, seed=0, sandbox=sandbox, takes_ownership=True)


def _rote(particles: int | None) -> Callable[[Context, str], Predictor]:
    def make(context: Context, family: str) -> Predictor:
        count = particles or context.suite.particles
        return _model(context, family, _synth(context), count)

    return make


def _hybrid(context: Context, family: str) -> Predictor:
    llm = LLMProposer.from_config(context.llm_config("rote-hybrid"))
    proposer = HybridProposer(llm, _synth(context))
    return _model(context, family, proposer, context.suite.particles)


def _bc_dir(context: Context, family: str) -> Path:
    return context.out / "bc" / context.suite.env_key(family)


def _prepare_bc(context: Context) -> None:
    """Train one ensemble per env of the suite on its training episodes, unless a finished
    one is there."""
    from rote.baselines.bc import BCEnsemble, train_bc

    suite = context.suite
    groups: dict[str, list[str]] = {}
    for family in suite.families:
        groups.setdefault(suite.env_key(family), []).append(family)
    for families in groups.values():
        if BCEnsemble.exists(_bc_dir(context, families[0])):
            continue
        train_bc(
            suite.env(families[0]),
            suite.train_trajectories(tuple(families)),
            seeds=tuple(range(suite.bc_seeds)),
            epochs=suite.bc_epochs,
            out_dir=_bc_dir(context, families[0]),
        )


def _bc(context: Context, family: str) -> Predictor:
    from rote.baselines.bc import BCEnsemble, BCPredictor

    return BCPredictor(context.suite.env(family), BCEnsemble.load(_bc_dir(context, family)))


def _bip(context: Context, family: str) -> Predictor:
    from rote.baselines.bip import BIPPredictor

    return BIPPredictor(context.suite.env(family))


def _nllm(context: Context, family: str) -> Predictor:
    """At the paper's temperature for this baseline (0.75), whatever the proposer's is."""
    from rote.baselines.nllm import TEMPERATURE, NLLMPredictor

    config = context.llm_config("nllm")
    sampling = replace(config.sampling, temperature=TEMPERATURE)
    return NLLMPredictor(context.suite.env(family), config.backend(), sampling)


def _reference(name: str) -> Callable[[Context, str], Predictor]:
    def make(context: Context, family: str) -> Predictor:
        from rote.baselines import references

        classes: dict[str, type[Predictor]] = {
            "uniform": references.UniformPredictor,
            "frequency": references.FrequencyPredictor,
            "repeat-last": references.RepeatLastPredictor,
            "ngram": references.NgramPredictor,
        }
        return classes[name](context.suite.env(family))

    return make


METHODS: dict[str, Method] = {
    "rote": Method("rote", _rote(None)),
    "rote-hybrid": Method("rote-hybrid", _hybrid),
    "bc": Method("bc", _bc, prepare=_prepare_bc),
    "bip": Method("bip", _bip),
    "nllm": Method("nllm", _nllm),
    **{
        name: Method(name, _reference(name))
        for name in ("uniform", "frequency", "repeat-last", "ngram")
    },
}


def method(name: str) -> Method:
    """A registered method, or `rote@N`: rote with N particles."""
    if name.startswith("rote@"):
        count = name.removeprefix("rote@")
        if not count.isdigit() or int(count) < 1:
            raise RoteError(f"{name}: the particle count after rote@ must be a positive integer")
        return Method(name, _rote(int(count)), sweep=True)
    if name not in METHODS:
        raise RoteError(f"unknown method {name!r}: choose from {', '.join(METHODS)} or rote@N")
    return METHODS[name]
