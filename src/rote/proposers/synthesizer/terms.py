"""Guards and skills written as code over one skills module, for env vocabularies.

A vocabulary's guards and skills are Python expressions over `state`, evaluated against the
names its skills module exports; the search compiles the very text the emitted program holds,
so what the search scores is what the sandbox runs. `Terms` binds that to one module.

A skill that breaks ties by conventions writes `$settings` where its calls take them; the
marker becomes nothing by default and `, order="lrud"` (say) when a program sets one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from string import Template
from types import ModuleType
from typing import Any

from rote.proposers.synthesizer.dsl import Convention, Guard, Setting, Skill, Stateful
from rote.skills.grid import ORDERS

AXIS_ORDERS = frozenset(order for order in ORDERS if set(order[:2]) in ({"u", "d"}, {"l", "r"}))
"""The 8 move orders that take both moves of one axis before the other's ("lrud": sideways
first, leftwards before rightwards, then up before down): how a preferred path is usually said."""
ORDER = Convention("order", ORDERS, AXIS_ORDERS)
"""The move order that breaks ties between equally short paths (rote.skills.grid); the orders
by axis are the common ones."""


MADE = 20_000
"""Built skills a `Terms` keeps (each a compiled function: some MB in all)."""


class Terms:
    """Builds guards and skills whose code is evaluated against `module`'s `__all__`."""

    def __init__(self, module: ModuleType) -> None:
        self.exported: tuple[str, ...] = tuple(module.__all__)
        self.namespace: dict[str, Any] = {name: getattr(module, name) for name in self.exported}
        self._made: dict[tuple[Any, ...], Skill] = {}
        """Skills built, by what they were built from and their settings: search asks for the
        same skill in the same setting many times over (`Ring.with_convention`), and building
        one compiles its code. At most `MADE`."""

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

    def skill(
        self, name: str, code: str, choices: int = 1, conventions: Sequence[Convention] = ()
    ) -> Skill:
        """A stateless skill; with `conventions`, `code` marks where they go (`$settings`)."""
        return self._skill(name, code, choices, tuple(conventions), {}, stateful=False)

    def stateful(
        self, name: str, code: str, choices: int = 1, conventions: Sequence[Convention] = ()
    ) -> Skill:
        """A skill with memory: `code` builds the object whose `act` answers."""
        return self._skill(name, code, choices, tuple(conventions), {}, stateful=True)

    def _skill(
        self,
        base: str,
        template: str,
        choices: int,
        conventions: tuple[Convention, ...],
        chosen: Mapping[str, str],
        stateful: bool,
    ) -> Skill:
        """The skill named `base` with the conventions `chosen` (the rest by default)."""
        departures = tuple(
            (c, chosen[c.keyword])
            for c in conventions
            if chosen.get(c.keyword, c.default) != c.default
        )
        key = (base, template, choices, conventions, departures, stateful)
        made = self._made.get(key)
        if made is None:  # the prior's price of a setting is worked out once, here
            if len(self._made) >= MADE:  # a long run meets ever new constants: start afresh
                self._made.clear()
            settings = tuple(Setting(c.keyword, value, c.cost(value)) for c, value in departures)
            made = self._made[key] = self._build(
                base, template, choices, conventions, settings, stateful
            )
        return made

    def _build(
        self,
        base: str,
        template: str,
        choices: int,
        conventions: tuple[Convention, ...],
        settings: tuple[Setting, ...],
        stateful: bool,
    ) -> Skill:
        code, name, vary = template, base, None
        if conventions:
            text = "".join(f', {s.keyword}="{s.value}"' for s in settings)
            code = Template(template).substitute(settings=text)
            if settings:
                name += f" ({', '.join(f'{s.keyword} {s.value}' for s in settings)})"
            values = {c.keyword: c.values for c in conventions}

            def vary(keyword: str, value: str) -> Skill:
                if value not in values.get(keyword, ()):
                    raise ValueError(f"{base}: no convention {keyword}={value!r}")
                changed = {**{s.keyword: s.value for s in settings}, keyword: value}
                return self._skill(base, template, choices, conventions, changed, stateful)

        cost, imports = 1.0 + math.log(choices), self.imports(code)
        accepts = tuple(c.keyword for c in conventions)
        if not stateful:
            run = self.compiled(code)
            return Skill(name, code, run, cost, imports, None, None, settings, vary, accepts)
        namespace = self.namespace
        built = compile(code, f"<{name}>", "eval")  # once: search makes fresh memories often

        def make() -> Stateful:
            memory: Stateful = eval(built, dict(namespace))
            return memory

        return Skill(name, code, None, cost, imports, make, None, settings, vary, accepts)
