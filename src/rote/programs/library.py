"""A program library: the programs a population of agents runs, each with how many it explains.

A library is what rote learned from many agents (`rote library build`), kept as a directory a
person can read:

    LIB/index.json       what it is: the env, how it was built, and per program its file,
                         count, description length and the training agents it explains
    LIB/README.md        the same as a table
    LIB/programs/*.py    one program each, exactly as it runs

For a new agent the library is a prior over programs, a mixture in the manner of a Dirichlet
process: with N the library's total count and alpha its concentration, a library program of
count c has prior c / (N + alpha), and any other program alpha / (N + alpha) times its own
prior (the synthesizer's description length). A familiar agent costs a pointer into the
library; a novel one its length plus the price of leaving the library, log((N + alpha) / alpha).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rote.errors import RoteError
from rote.files import atomic_write, make_directory
from rote.programs.program import describe

FORMAT = "rote.library/1"
DEFAULT_CONCENTRATION = 10.0
"""alpha: how many agents' worth of weight new programs get. Chosen by the leave-one-family-out
benchmark (benchmarks/library_lofo.py: of 1, 10 and 30, the smallest that costs agents of a
family the library has not seen no more than 0.02), not on the test agents; docs/library.md."""


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
class Library:
    """Programs of one env with their counts, and how they were found."""

    env: str
    programs: tuple[LibraryProgram, ...]
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    concentration: float = DEFAULT_CONCENTRATION
    built: dict[str, Any] = field(default_factory=dict)
    """How: the data, the proposer and its settings, the seed, rote's version."""

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
    )
    return library.with_concentration(concentration)


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
    built = json.dumps(library.built, sort_keys=True)
    return "\n".join([*lines, "", f"Built: `{built}`", ""])


def _index(library: Library) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "env": library.env,
        "env_kwargs": library.env_kwargs,
        "concentration": library.concentration,
        "built": library.built,
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
