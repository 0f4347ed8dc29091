"""A program library: the programs a population of agents runs, each with how many it explains.

A library is what rote learned from many agents (`rote library build`), kept as a directory a
person can read:

    LIB/index.json       what it is: the env, how it was built, per program its file,
                         count, description length and the training agents it explains, and
                         how those agents erred and paused
    LIB/README.md        the same as a table
    LIB/programs/*.py    one program each, exactly as it runs

For a new agent the library is a prior over programs, a mixture in the manner of a Dirichlet
process: with N the library's total count and alpha its concentration, a library program of
count c has prior c / (N + alpha), and any other program alpha / (N + alpha) times its own
prior (the synthesizer's description length). A familiar agent costs a pointer into the
library; a novel one its length plus the price of leaving the library, log((N + alpha) / alpha).

The same holds for how the agents err and pause: a library learned from trajectories keeps the
population's prior over the noise model's (eps, tempo) pairs (`PopulationNoise`), and a new
agent's prior is that, counted as N agents, mixed with the default prior, counted as alpha.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from rote.envs.base import EnvSpec
from rote.errors import RoteError
from rote.files import atomic_write, make_directory
from rote.inference.likelihood import NoiseModel
from rote.programs.program import describe

FORMAT = "rote.library/1"
DEFAULT_CONCENTRATION = 10.0
"""alpha: how many agents' worth of weight new programs (and the default noise prior) get. Chosen
by the leave-one-family-out benchmark (benchmarks/library_lofo.py: of 1, 10 and 30, the smallest
that cost agents of a family the library has not seen no more than 0.02; since libraries learn
their agents' noise the three tie), not on the test agents; docs/library.md."""


@dataclass(frozen=True)
class LibraryProgram:
    """One program of a library and the evidence for it."""

    source: str
    count: float
    """How many training agents it explains: each agent's posterior over the library's
    programs, summed (so the counts of a library built from J trajectories sum to J)."""
    cost: float = 0.0
    """Its description length in nats, as the proposer that wrote it charged it (0 for a
    program given as a file)."""
    agents: tuple[tuple[str, float], ...] = ()
    """The training trajectories it explains, each with its share of that agent (shares of
    at least 0.05)."""
    file: str = ""
    """Its file in the library directory, relative to it (set when saved)."""

    @property
    def description(self) -> str:
        return describe(self.source)


@dataclass(frozen=True)
class PopulationNoise:
    """How a library's training agents erred and paused: the prior over `model`'s (eps, tempo)
    pairs that best explains them under the library's programs (`learned`, in the grid's
    order). A scripted population acts at every tick; people pause, each in their way."""

    model: NoiseModel
    """The grid it was learned on, with the env's idle action, and the default prior over it."""
    learned: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.model.joint is not None:
            raise RoteError("a population's noise is learned over a grid with the default prior")
        try:  # the model's own checks of a joint prior: values, and one per pair of its grid
            _ = replace(self.model, joint=self.learned).log_prior
        except ValueError as error:
            raise RoteError(f"a population's noise prior: {error}") from None


@dataclass(frozen=True)
class Library:
    """Programs of one env with their counts, and how they were found."""

    env: str
    programs: tuple[LibraryProgram, ...]
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    concentration: float = DEFAULT_CONCENTRATION
    built: dict[str, Any] = field(default_factory=dict)
    """How: the data, the proposer and its settings, the seed, rote's version."""
    noise: PopulationNoise | None = None
    """How its training agents erred and paused; None for a library of program files alone."""

    def __post_init__(self) -> None:
        if not self.concentration > 0:
            raise RoteError(f"a library's concentration must be positive, not {self.concentration}")
        if not self.programs:
            raise RoteError("a library needs at least one program")

    @property
    def total(self) -> float:
        return sum(program.count for program in self.programs)

    def log_prior(self, program: LibraryProgram) -> float:
        """log c / (N + alpha): the prior of a library program."""
        return math.log(program.count) - math.log(self.total + self.concentration)

    @property
    def log_novel(self) -> float:
        """log alpha / (N + alpha): the prior mass of all programs outside the library."""
        return math.log(self.concentration) - math.log(self.total + self.concentration)

    def check_env(self, env: EnvSpec) -> None:
        """A RoteError unless `env` is the env (and settings) the library was learned in."""
        if (env.id, dict(env.kwargs)) != (self.env, self.env_kwargs):
            raise RoteError(
                f"the library is of env {self.env} {self.env_kwargs}, "
                f"not {env.id} {dict(env.kwargs)}"
            )

    def noise_model(self) -> NoiseModel | None:
        """The noise model for a new agent of the population: the learned prior counted as the
        library's N agents, the default prior as alpha, as for programs. None without one."""
        if self.noise is None:
            return None
        n, alpha = self.total, self.concentration
        default = np.exp(self.noise.model.log_prior)
        learned = np.asarray(self.noise.learned) / sum(self.noise.learned)
        joint = (n * learned + alpha * default) / (n + alpha)
        return replace(self.noise.model, joint=tuple(float(p) for p in joint))

    def with_concentration(self, concentration: float | None) -> Library:
        return self if concentration is None else replace(self, concentration=concentration)


def save_library(library: Library, directory: str | Path) -> Library:
    """Write the library's program files, index and README (each atomically); returns it with
    its programs' file names. Program files of an earlier save that are no longer in it go."""
    root = make_directory(directory)
    programs_dir = make_directory(root / "programs")
    width = len(str(len(library.programs)))
    named = []
    for index, program in enumerate(library.programs, start=1):
        name = f"programs/{index:0{width}d}-{_slug(program.description)}.py"
        with atomic_write(root / name) as tmp:
            tmp.write_text(program.source)
        named.append(replace(program, file=name))
    library = replace(library, programs=tuple(named))
    kept = {program.file for program in named}
    for stale in programs_dir.glob("*.py"):
        if f"programs/{stale.name}" not in kept:
            stale.unlink()
    with atomic_write(root / "index.json") as tmp:
        tmp.write_text(json.dumps(_index(library), indent=2) + "\n")
    with atomic_write(root / "README.md") as tmp:
        tmp.write_text(library_table(library))
    return library


def load_library(directory: str | Path, concentration: float | None = None) -> Library:
    """A library saved by `save_library`, with another `concentration` if given; a missing or
    malformed part is a one-line RoteError naming the file and the field."""
    root = Path(directory)
    path = root / "index.json"
    if not path.is_file():
        raise RoteError(f"{root}: not a program library (no index.json)")
    try:
        index = json.loads(path.read_bytes())
    except (ValueError, OSError) as error:
        raise RoteError(f"{path}: not JSON ({error})") from None
    if not isinstance(index, dict) or index.get("format") != FORMAT:
        raise RoteError(f"{path}: format: not a {FORMAT} index")
    entries = _field(path, index, "programs", list)
    programs = []
    for number, entry in enumerate(entries):
        where = f"programs[{number}]"
        if not isinstance(entry, dict):
            raise RoteError(f"{path}: {where}: not an object")
        file = _field(path, entry, "file", str, where)
        count = _field(path, entry, "count", (int, float), where)
        if not count > 0:
            raise RoteError(f"{path}: {where}.count: must be positive, not {count}")
        program_path = root / file
        if not program_path.resolve().is_relative_to(root.resolve()):
            raise RoteError(f"{path}: {where}.file: {file} is outside the library")
        try:
            source = program_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise RoteError(f"{path}: {where}.file: cannot read {file} ({error})") from None
        agents = entry.get("agents", [])
        if not isinstance(agents, list) or not all(
            isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) for a in agents
        ):
            raise RoteError(f"{path}: {where}.agents: not a list of [trajectory, share] pairs")
        programs.append(
            LibraryProgram(
                source,
                float(count),
                float(entry.get("cost", 0.0)),
                tuple((name, float(share)) for name, share in agents),
                file,
            )
        )
    saved = index.get("concentration", DEFAULT_CONCENTRATION)
    if not isinstance(saved, (int, float)) or not saved > 0:
        raise RoteError(f"{path}: concentration: must be a positive number")
    library = Library(
        env=_field(path, index, "env", str),
        programs=tuple(programs),
        env_kwargs=_field(path, index, "env_kwargs", dict),
        concentration=float(saved),
        built=_field(path, index, "built", dict),
        noise=_load_noise(path, index["noise"]) if index.get("noise") is not None else None,
    )
    return library.with_concentration(concentration)


def _load_noise(path: Path, record: Any) -> PopulationNoise:
    """The index's `noise`: the grid's settings and the learned prior over its pairs."""
    if not isinstance(record, dict):
        raise RoteError(f"{path}: noise: not an object")
    numbers = {
        name: _field(path, record, name, list, "noise")
        for name in ("grid", "rates", "buckets", "prior")
        if name != "prior" or record.get(name) is not None  # the eps prior: None is uniform
    }
    for name, values in numbers.items():
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise RoteError(f"{path}: noise.{name}: not a list of numbers")
    if not all(isinstance(b, int) for b in numbers["buckets"]):
        raise RoteError(f"{path}: noise.buckets: not a list of whole numbers of ticks")
    steady = _field(path, record, "steady", (int, float), "noise")
    idle = record.get("idle")
    if idle is not None and not isinstance(idle, str):
        raise RoteError(f"{path}: noise.idle: not an action name")
    try:
        model = NoiseModel(
            grid=tuple(numbers["grid"]),
            prior=tuple(numbers["prior"]) if "prior" in numbers else None,
            rates=tuple(numbers["rates"]),
            steady=steady,
            buckets=tuple(numbers["buckets"]),
            idle=idle,
        )
    except ValueError as error:
        raise RoteError(f"{path}: noise: {error}") from None
    pairs = {_pair_key(pair): k for k, pair in enumerate(_pairs(model))}
    learned = [0.0] * model.size
    for number, entry in enumerate(_field(path, record, "learned", list, "noise")):
        where = f"noise.learned[{number}]"
        try:
            key = _pair_key(entry)
            weight = float(entry["weight"])
        except (KeyError, TypeError, ValueError):
            raise RoteError(f"{path}: {where}: not an eps, its rates and a weight") from None
        if key not in pairs:
            raise RoteError(f"{path}: {where}: not a pair of the grid")
        learned[pairs[key]] = weight
    try:
        return PopulationNoise(model, tuple(learned))
    except RoteError as error:
        raise RoteError(f"{path}: noise: {error}") from None


def _pairs(model: NoiseModel) -> list[dict[str, Any]]:
    """The grid's (eps, tempo) pairs in its order, each as the index writes it: its eps and
    its acting rate in each bucket."""
    rates = np.stack([model.rate(bucket) for bucket in range(model.n_buckets)], axis=1)
    return [
        {"eps": float(eps), "rates": [float(r) for r in row]}
        for eps, row in zip(model.eps, rates, strict=True)
    ]


def _pair_key(entry: Any) -> tuple[float, ...]:
    """A pair as a dict key; TypeError or KeyError for what is not one."""
    if not isinstance(entry["rates"], list):
        raise TypeError("rates")
    return (float(entry["eps"]), *(float(rate) for rate in entry["rates"]))


def library_table(library: Library) -> str:
    """The library as Markdown: what each program does and how many agents it explains."""
    total = library.total
    lines = [
        f"# Program library: {library.env}",
        "",
        f"{len(library.programs)} programs explaining {total:.4g} training agents; "
        f"concentration {library.concentration:g} (a new program's prior weight, in agents).",
        "",
        "| file | agents | share | description |",
        "|---|---|---|---|",
    ]
    for program in library.programs:
        description = program.description.replace("|", "\\|") or "(no docstring)"
        lines.append(
            f"| {program.file} | {program.count:.3g} | {program.count / total:.1%} | "
            f"{description} |"
        )
    if library.noise is not None:
        lines += ["", f"How its training agents erred and paused: {noise_summary(library.noise)}."]
    built = json.dumps(library.built, sort_keys=True)
    return "\n".join([*lines, "", f"Built: `{built}`", ""])


def noise_summary(noise: PopulationNoise) -> str:
    """The learned prior in words: how much of it says the agents act at every tick (where
    the env has an idle action), and its share of each noise level eps."""
    model = noise.model
    learned = np.asarray(noise.learned) / sum(noise.learned)
    by_tempo = learned.reshape(-1, len(model.grid))  # the grid is tempo-major
    shares = zip(model.grid, by_tempo.sum(axis=0), strict=True)
    eps = ", ".join(f"{e:g}: {share:.2f}" for e, share in shares)
    if model.idle is None or model.steady == 0.0:
        return f"eps {eps}"
    default = float(np.exp(model.log_prior).reshape(by_tempo.shape)[0].sum())
    return f"acting at every tick {by_tempo[0].sum():.2f} (default prior {default:.2f}); eps {eps}"


def _index(library: Library) -> dict[str, Any]:
    noise = library.noise
    return {
        "format": FORMAT,
        "env": library.env,
        "env_kwargs": library.env_kwargs,
        "concentration": library.concentration,
        "built": library.built,
        "noise": None
        if noise is None
        else {
            "grid": list(noise.model.grid),
            "prior": None if noise.model.prior is None else list(noise.model.prior),
            "rates": list(noise.model.rates),
            "steady": noise.model.steady,
            "buckets": list(noise.model.buckets),
            "idle": noise.model.idle,
            "learned": [  # the pairs it holds: a few (EM's prior rests on a few points)
                {**pair, "weight": weight}
                for pair, weight in zip(_pairs(noise.model), noise.learned, strict=True)
                if weight > 0
            ],
        },
        "programs": [
            {
                "file": program.file,
                "count": program.count,
                "cost": program.cost,
                "description": program.description,
                "agents": [[name, share] for name, share in program.agents],
            }
            for program in library.programs
        ],
    }


def _slug(description: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", description.lower().removeprefix("synthesized:"))
    return words.strip("-")[:40].rstrip("-") or "program"


def _field(
    path: Path,
    record: dict[str, Any],
    name: str,
    kind: type | tuple[type, ...],
    where: str = "",
) -> Any:
    label = f"{where}.{name}" if where else name
    if name not in record:
        raise RoteError(f"{path}: {label}: missing")
    value = record[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RoteError(f"{path}: {label}: wrong type ({type(value).__name__})")
    return value
