"""Guards and skills written as code over one skills module, for env vocabularies.

A vocabulary's guards and skills are Python expressions over `state`, evaluated against the
names its skills module exports; the search compiles the very text the emitted program holds,
so what the search scores is what the sandbox runs. `Terms` binds that to one module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from rote.proposers.synthesizer.dsl import Guard, Skill, Stateful


class Terms:
    """Builds guards and skills whose code is evaluated against `module`'s `__all__`."""

    def __init__(self, module: ModuleType) -> None:
        self.exported: tuple[str, ...] = tuple(module.__all__)
        self.namespace: dict[str, Any] = {name: getattr(module, name) for name in self.exported}

    def compiled(self, code: str) -> Callable[[Any], Any]:
        """`code` (our own template text, never a proposer's) as a function of `state`."""
        function: Callable[[Any], Any] = eval(f"lambda state: ({code})", dict(self.namespace))
        return function

    def imports(self, code: str) -> tuple[str, ...]:
        return tuple(name for name in self.exported if re.search(rf"\b{name}\b", code))

    def guard(self, name: str, code: str, choices: int = 1) -> list[Guard]:
        """A guard and its negation; a constant chosen among `choices` values costs
        log(choices)."""
        cost = 1.0 + math.log(choices)
        test = self.compiled(code)
        negated = self.compiled(f"not ({code})")
        imports = self.imports(code)
        return [
            Guard(name, code, test, cost, imports),
            Guard(f"not {name}", f"not ({code})", negated, cost + 0.5, imports),
        ]

    def skill(self, name: str, code: str, choices: int = 1) -> Skill:
        return Skill(name, code, self.compiled(code), 1.0 + math.log(choices), self.imports(code))

    def stateful(self, name: str, code: str, choices: int = 1) -> Skill:
        namespace = self.namespace
        built = compile(code, f"<{name}>", "eval")  # once: search makes fresh memories often

        def make() -> Stateful:
            memory: Stateful = eval(built, dict(namespace))
            return memory

        return Skill(name, code, None, 1.0 + math.log(choices), self.imports(code), make)
