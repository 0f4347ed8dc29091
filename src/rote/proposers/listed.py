"""A proposer that hands out programs it was given: for tests, and for programs people write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from rote.errors import RoteError
from rote.programs.program import Program
from rote.programs.sandbox import Sandbox
from rote.proposers.base import ProposalRequest, Proposer


class ListProposer(Proposer):
    """Proposes its programs in order, skipping those the particle set already holds.
    A program's origin is "list", or "list:NAME" for a named one, so a person sees which file
    explains the agent.

    With `names` (programs a person wrote, e.g. files), the first request first replays them
    over the observed history: a broken program would otherwise only weigh nothing, silently.
    Each that fails goes to `on_problem` as "NAME: reason"; if none runs, that is a RoteError.
    """

    name: ClassVar[str] = "list"

    def __init__(
        self,
        sources: Sequence[str],
        names: Sequence[str] | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        if not sources:
            raise RoteError("the list proposer needs at least one program")
        if names is not None and len(names) != len(sources):
            raise ValueError(f"{len(names)} names for {len(sources)} programs")
        origins = [self.name] * len(sources) if names is None else [f"list:{n}" for n in names]
        self.programs = [
            Program(source, origin=origin) for source, origin in zip(sources, origins, strict=True)
        ]
        self._unchecked = names
        self._on_problem = on_problem

    @classmethod
    def from_paths(
        cls, paths: Sequence[str | Path], on_problem: Callable[[str], None] | None = None
    ) -> ListProposer:
        """Programs from .py files, or from every .py file in a directory (sorted by name),
        each checked and reported by its file name."""
        files: list[Path] = []
        for path in map(Path, paths):
            if path.is_dir():
                files.extend(sorted(path.glob("*.py")))
            elif path.is_file():
                files.append(path)
            else:
                raise RoteError(f"{path}: no such program file or directory")
        if not files:
            raise RoteError(f"no .py program files in {', '.join(map(str, paths))}")
        try:
            sources = [file.read_text(encoding="utf-8") for file in files]
        except (OSError, UnicodeDecodeError) as error:
            raise RoteError(f"cannot read program: {error}") from None
        return cls(sources, names=[str(file) for file in files], on_problem=on_problem)

    def _propose(self, request: ProposalRequest) -> list[Program]:
        if self._unchecked is not None:
            self._check(self._unchecked, request)
            self._unchecked = None
        held = {program.id for program in request.current}
        return [program for program in self.programs if program.id not in held][: request.n]

    def _check(self, names: Sequence[str], request: ProposalRequest) -> None:
        """Replay every program over the history; report each failure, stop if none runs."""
        observations = [step.observation for step in request.history]
        with Sandbox(workers=1) as sandbox:
            results = sandbox.replay(
                [program.source for program in self.programs],
                observations,
                request.env.action_names,
            )
        problems = [
            f"{name}: {result.error}"
            for name, result in zip(names, results, strict=True)
            if result.error is not None
        ]
        if len(problems) == len(self.programs):
            raise RoteError(f"no program runs: {'; '.join(problems)}")
        for problem in problems:
            if self._on_problem is not None:
                self._on_problem(problem)
