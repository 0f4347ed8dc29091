"""A behaviour program: untrusted Python source that defines `class Agent`.

The contract every proposer's output meets:

    class Agent:
        def __init__(self): ...
        def act(self, observation: dict) -> str | dict[str, float]: ...

`act` returns an action name, or a distribution over action names for programs that model
their own noise, and may keep internal state (finite-state memory) between calls. Programs are
only ever run inside the sandbox; the compiled handle lives in the sandbox's workers, keyed by
`Program.id`, the hash of the source.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

_DESCRIPTION_CHARACTERS = 300
"""A description is one line of a table; the rest of the docstring is in the source."""


def first_paragraph(docstring: str) -> str:
    """A docstring's first paragraph as one line, cut to fit a table."""
    line = " ".join(docstring.strip().split("\n\n")[0].split())
    if len(line) > _DESCRIPTION_CHARACTERS:
        return line[: _DESCRIPTION_CHARACTERS - 3].rstrip() + "..."
    return line


def describe(source: str) -> str:
    """What a program says it does, in one line: the first paragraph of its module docstring
    (the synthesizer writes "Synthesized: ..." there) or else of `class Agent`'s; "" if it has
    neither. Parsed, never run: the source may be anything a proposer wrote."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    agents = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Agent"]
    nodes: list[ast.Module | ast.ClassDef] = [tree, *agents]
    for node in nodes:
        docstring = ast.get_docstring(node)
        if docstring:
            return first_paragraph(docstring)
    return ""


@dataclass(frozen=True)
class Program:
    """Program source and where it came from."""

    source: str
    origin: str
    """Which proposer wrote it, e.g. "list", "synth", "llm:<model>"."""
    prompt_hash: str | None = None
    """Hash of the prompt that produced it, for programs an LLM wrote."""
    log_prior: float = field(default=0.0, compare=False)
    """Log prior weight relative to how the proposer chose it: 0 for programs sampled from the
    prior (an LLM's samples are its prior), minus the description length for the synthesizer's,
    which searches for the best rather than sampling. Only differences between programs count,
    except against a program library's shares (`Proposer.lengths` says which kind a proposer's
    are)."""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Proposer-specific extras (e.g. the synthesizer's DSL form)."""

    @cached_property
    def id(self) -> str:
        """Content hash of the source: equal sources are one program, whatever their origin.
        Cached: every step of a live run looks up each particle by it."""
        return hashlib.sha256(self.source.encode()).hexdigest()[:16]
