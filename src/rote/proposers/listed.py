"""A proposer that hands out programs it was given: for tests, and for programs people write."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rote.errors import RoteError
from rote.programs.program import Program
from rote.proposers.base import ProposalRequest, Proposer


class ListProposer(Proposer):
    """Proposes its programs in order, skipping those the particle set already holds."""

    name: ClassVar[str] = "list"

    def __init__(self, sources: Sequence[str]) -> None:
        super().__init__()
        if not sources:
            raise RoteError("the list proposer needs at least one program")
        self.programs = [Program(source, origin=self.name) for source in sources]

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path]) -> ListProposer:
        """Programs from .py files, or from every .py file in a directory (sorted by name)."""
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
            return cls([file.read_text(encoding="utf-8") for file in files])
        except (OSError, UnicodeDecodeError) as error:
            raise RoteError(f"cannot read program: {error}") from None

    def _propose(self, request: ProposalRequest) -> list[Program]:
        held = {program.id for program in request.current}
        return [program for program in self.programs if program.id not in held][: request.n]
