"""The fallback vocabulary for an env that brings none: its observation fields and actions.

Guards, each with its negation:
- a top-level field equals a value it took on the history (strings, integers and booleans with
  at most MAX_VALUES distinct values);
- a numeric field (a number in every observation) is below a threshold: `state["temp"] < 20`;
- the difference of two numeric fields is below a threshold, `state["temp"] -
  state["setpoint"] < -1`, or, at zero, one field is below the other: `state["temp"] <
  state["setpoint"]` (for pairs of the first MAX_PAIRED_FIELDS numeric fields that vary);
- a numeric field's change since the last step is below a threshold, `state.change("temp") <
  -1` (the room cooled by more than a degree), for the same fields: the vocabulary `recalls`,
  and the change at the first step is 0.

A threshold goes in a gap between two neighbouring values seen (up to MAX_THRESHOLDS gaps per
quantity), at the roundest number in the gap: the one a person would have written, so "heat
below 20" is found as 20 from temperatures 19 and 21, and holds on temperatures never seen, where
equalities on the values seen predict them no better than chance. Every other way to cut the
gap fits the history as well, and says otherwise only of values the history never had: the
other reading at the roundest number where it lies strictly inside the gap (`<=` for `<`, `>`
for `>=`, at the same cost), and, between whole numbers, the cuts at the gap's other whole
numbers (a nat to say the threshold is not the roundest, then which: Convention's code). A
guard carries them all (`Guard.cuts`) and the search weighs a plan under each (`Search.settings`),
so a value the history cannot place is predicted as the prior splits it, not wherever the
roundest number happened to put it. Skills: each action by name.
With the DSL's rings and step counts this covers constant, periodic, field-triggered and
threshold behaviour; anything that needs geometry wants an env vocabulary (docs/synthesizer.md
says how to write one).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any, NamedTuple

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.proposers.synthesizer.dsl import Guard, Skill, Subject, Vocabulary, with_previous
from rote.skills import generic as skills

MAX_VALUES = 10
MAX_THRESHOLDS = 16
"""Thresholds per numeric quantity (a field, or the difference of two): in the gaps between
neighbouring values seen, the roundest first when there are more gaps than this."""
MAX_CUTS = 6
"""Cuts of one gap a plan is weighed under (`Cut`): the roundest number's readings, then the
whole numbers nearest it. Each is a variant of every plan that uses the gap, so a wide gap,
between 20 and 80, is weighed at the few cuts nearest its roundest number, not all sixty."""
MAX_PAIRED_FIELDS = 6
"""Numeric fields whose differences get guards: the first this many that vary over the history,
in the observation's order, so at most 15 pairs (each with up to 2 * MAX_THRESHOLDS guards)
whatever the number of numeric fields. Twenty numeric fields would otherwise make 190 pairs and
six thousand guards, which the decision lists and local search would wade through."""

CONSTANT_COST = math.log(2)
"""What a guard on a subject the program already asks about pays beyond the adaptive code's
term (`dsl.guard_cost`): its constant (a value, a threshold), plus ABOVE_COST for the `>=` side
and NUMBER_EQUALITY_COST for an equality on a number, as when spelled out. So the rule that asks
about one quantity twice, "heat below the setpoint by more than 1, cool above it by more than 1",
is shorter than one that brings in another field (the hour, the temperature alone) and fits the
history as well by a coincidence of it: the second field costs its name."""
THRESHOLD_COST = 1.0 + CONSTANT_COST
"""`field < t`, as an equality costs on a field that is not a number."""
ABOVE_COST = 0.5
"""What the `>=` side of a threshold (and its other reading, `>`) adds, as a negation adds to an
equality."""
COMPARISON_COST = THRESHOLD_COST - 0.5
"""`a < b`: a second field named where a threshold names a constant. Half a nat less, because
fields to pair are few and a constant is one of many: where "below the setpoint" and "below 20"
fit the history alike (the setpoint was 20 whenever it mattered), the rule that names no number
wins, as a person reading a `setpoint` field would assume; at the same cost the tie went to
"below 20" by the alphabet, which heats at 19 whatever the setpoint."""
DIFFERENCE_COST = THRESHOLD_COST + 1.0
"""`a - b < t`: a second field and a constant."""
CHANGE_COST = DIFFERENCE_COST + 0.5
"""`change(a) < t`: a field's value at the step before in place of a second field, and half a
nat for reaching back a step, as a rule that needs the agent to remember is the less likely
guess where one on the present fits as well."""
NUMBER_EQUALITY_COST = 1.0
"""What an equality (or its negation) on a numeric field adds. An equality must name its value
exactly, where a threshold names only the gap it falls in (and takes its roundest number), so it
is the longer description; without this, `temp == 19` and `temp < 20` tied wherever 19 was the
only value seen below 20, and the equality, which says nothing of 18, took half the posterior
(tests/proposers/synthesizer/test_generic_vocabulary.py)."""


def _equals(field: str, value: object, extra: float = 0.0) -> Guard:
    code = f"state[{field!r}] == {value!r}"
    return Guard(
        f"{field} is {value!r}",
        code,
        lambda state: state.get(field) == value,
        1.0 + CONSTANT_COST + extra,
        subject=Subject(field, CONSTANT_COST + extra),
    )


def _differs(field: str, value: object, extra: float = 0.0) -> Guard:
    code = f"state[{field!r}] != {value!r}"
    return Guard(
        f"{field} is not {value!r}",
        code,
        lambda state: state.get(field) != value,
        1.5 + CONSTANT_COST + extra,
        subject=Subject(field, CONSTANT_COST + 0.5 + extra),
    )


class Cut(NamedTuple):
    """One way to split a gap between two neighbouring values seen: values below `bound` go
    below it, and a value at it goes below too if `op` is "<=" (it is "<" or "<=")."""

    bound: float
    op: str
    extra: float
    """What saying this cut costs beyond the gap's roundest number (`<` there costs nothing)."""


class _Side(NamedTuple):
    """One side of a comparison: its code, how a rule's name says it, and the value it
    computes on a state (None where that is no number)."""

    code: str
    said: str
    value: Callable[[Any], float | None]


_READINGS: dict[str, tuple[str, Callable[[float, float], bool], float]] = {
    "<": ("below", operator.lt, 0.0),
    ">=": ("at least", operator.ge, ABOVE_COST),
    "<=": ("at most", operator.le, 0.0),
    ">": ("above", operator.gt, ABOVE_COST),
}
"""Each comparison: how a name says it, its test, and what it costs beyond `<`."""
_NEGATIONS = {"<": ">=", "<=": ">"}


def _compare(
    subject: str, cuts: Sequence[Cut], form: Callable[[float], tuple[_Side, _Side, float]]
) -> list[Guard]:
    """For each cut of one gap, `left < right` (or `<=`) and its negation, as the emitted
    program states them; `form(bound)` gives the sides and the cost at a cut's bound. Only the
    first cut's pair is returned: the search works with it, and each guard carries the same
    side at every cut (`Guard.cuts`), which the search tries only on plans it has found. A
    test is false where a side is no number, though the emitted code would fail there; these
    guards are only made for fields that are numbers in every observation. The test computes
    the very expression the code holds, so float rounding agrees."""
    below: list[Guard] = []
    above: list[Guard] = []
    for cut in cuts:
        left, right, cost = form(cut.bound)
        negation = _NEGATIONS[cut.op]
        below.append(_comparison(subject, left, cut.op, right, cost, cut.extra, below))
        above.append(_comparison(subject, left, negation, right, cost, cut.extra, above))
    return [below[0], above[0]]


def _comparison(
    subject: str,
    left: _Side,
    op: str,
    right: _Side,
    cost: float,
    departure: float,
    side: list[Guard],
) -> Guard:
    """`left op right` at `cost` for its form plus `departure` for its cut; its `cuts` are
    `side`, the same side of the comparison at each cut of its gap, filled in by the caller."""
    words, test, above = _READINGS[op]
    extra = above + departure

    def holds(state: Any) -> bool:
        a, b = left.value(state), right.value(state)
        return a is not None and b is not None and test(a, b)

    return Guard(
        f"{left.said} is {words} {right.said}",
        f"{left.code} {op} {right.code}",
        holds,
        cost + extra,
        subject=Subject(subject, CONSTANT_COST + extra),
        cuts=lambda: tuple(side),
    )


def _constant(bound: float) -> _Side:
    return _Side(repr(bound), repr(bound), lambda state: bound)


def _field(field: str) -> _Side:
    return _Side(f"state[{field!r}]", field, functools.partial(_number, field))


def _below(field: str, cuts: Sequence[Cut]) -> list[Guard]:
    """`field < bound` and its negation: `state["temp"] < 20`."""
    side = _field(field)
    return _compare(field, cuts, lambda bound: (side, _constant(bound), THRESHOLD_COST))


def _difference_below(first: str, second: str, cuts: Sequence[Cut]) -> list[Guard]:
    """`first - second < bound` and its negation; at 0, `first < second` and `first >= second`,
    a second field named where a threshold names a constant."""
    subject, a, b = f"{first} - {second}", _field(first), _field(second)

    def difference(state: Any) -> float | None:
        x, y = a.value(state), b.value(state)
        return None if x is None or y is None else x - y

    between = _Side(f"{a.code} - {b.code}", subject, difference)

    def form(bound: float) -> tuple[_Side, _Side, float]:
        if bound == 0:
            return a, b, COMPARISON_COST
        return between, _constant(bound), DIFFERENCE_COST

    return _compare(subject, cuts, form)


def _change_below(field: str, cuts: Sequence[Cut]) -> list[Guard]:
    """`field`'s change since the last step below `bound`, and its negation:
    `state.change("temp") < -1`."""

    side = _Side(f"state.change({field!r})", f"the change in {field}", lambda s: s.change(field))
    return _compare(side.said, cuts, lambda bound: (side, _constant(bound), CHANGE_COST))


def _number(field: str, state: Any) -> float | None:
    value = state.get(field)
    return value if skills.is_number(value) else None


def _roundest(low: float, high: float) -> tuple[float, Decimal]:
    """The roundest number t with low < t <= high, and its grain (a larger grain is rounder;
    0 is the roundest number of all). Grains are 10^k and 5 * 10^k, coarsest first; among the
    multiples of the first grain that has one in the gap, the one nearest its middle. `< t`
    then holds at `low` and not at `high`, whichever t the gap gives."""
    if low < 0 <= high:
        return 0, Decimal("Infinity")
    lo, hi = Decimal(repr(low)), Decimal(repr(high))
    grain = Decimal(10) ** (max(abs(lo), abs(hi)).adjusted() + 1)
    middle = (lo + hi) / 2
    while True:
        for step in (grain, grain / 2):
            first = (lo / step).to_integral_value(ROUND_FLOOR) + 1
            last = (hi / step).to_integral_value(ROUND_FLOOR)
            if first <= last:
                near = (middle / step).to_integral_value(ROUND_HALF_EVEN)
                found = min(max(near, first), last) * step
                number: float = int(found) if found == found.to_integral_value() else float(found)
                if low < number <= high:
                    return number, step
                return high, Decimal(0)  # rounding to a float left the gap: the value itself
        grain /= 10


def _thresholds(seen: Sequence[float]) -> list[float]:
    """Thresholds for a quantity that took the values `seen`: one in each gap between
    neighbouring values (a threshold below the least or above the greatest would split
    nothing), at its roundest number. With more than MAX_THRESHOLDS gaps, the roundest
    thresholds are kept, and among equally round ones, a spread of them."""
    values = sorted(set(seen))
    cuts = [_roundest(low, high) for low, high in itertools.pairwise(values)]
    if len(cuts) <= MAX_THRESHOLDS:
        return [number for number, _ in cuts]
    grains = sorted({grain for _, grain in cuts}, reverse=True)
    kept: list[float] = []
    for grain in grains:
        alike = [number for number, g in cuts if g == grain]
        room = MAX_THRESHOLDS - len(kept)
        if len(alike) > room:
            step = len(alike) / room
            alike = [alike[int(i * step)] for i in range(room)]
        kept += alike
        if len(kept) == MAX_THRESHOLDS:
            break
    return sorted(kept)


def _gaps(seen: Sequence[float]) -> list[tuple[Cut, ...]]:
    """The cuts of each gap whose roundest number `_thresholds` keeps, roundest first."""
    values = sorted(set(seen))
    found = []
    for bound in _thresholds(values):
        above = bisect.bisect_left(values, bound)  # bound is in (values[above - 1], values[above]]
        found.append(_cuts(values[above - 1], values[above], bound))
    return found


def _cuts(low: float, high: float, bound: float) -> tuple[Cut, ...]:
    """The ways to cut the gap between neighbouring values seen `low` and `high` that a plan is
    weighed under, `bound` (its roundest number) first: `< bound`; `<= bound` where no value
    seen stands at it, at the same cost; and between whole numbers, `< k` at the whole numbers
    nearest `bound`, up to MAX_CUTS in all, each for a nat and which of them. All split the
    values seen alike, and the gap's own values each otherwise (on whole numbers `<= bound` is
    `< bound + 1`, so that one is not said twice)."""
    cuts = [Cut(bound, "<", 0.0)]
    if bound < high:
        cuts.append(Cut(bound, "<=", 0.0))
    if all(float(value).is_integer() for value in (low, high, bound)):
        centre = int(bound)
        said = {centre, centre + 1}
        near = range(max(int(low) + 1, centre - MAX_CUTS), min(int(high), centre + MAX_CUTS) + 1)
        middle = centre + 0.5 * (len(cuts) - 1)  # of the cuts said: `< bound`, `< bound + 1`
        others = sorted((k for k in near if k not in said), key=lambda k: (abs(k - middle), k))
        others = others[: MAX_CUTS - len(cuts)]
        cuts += [Cut(k, "<", 1.0 + math.log(len(others))) for k in others]
    return tuple(cuts)


def _action(name: str, choices: int) -> Skill:
    return Skill(name, repr(name), lambda state: name, 1.0 + math.log(choices))


def numeric_fields(observations: Sequence[Observation]) -> list[str]:
    """The top-level fields that are numbers in every observation, in the first one's order."""
    if not observations:
        return []
    return [
        field
        for field in observations[0]
        if all(skills.is_number(observation.get(field)) for observation in observations)
    ]


def paired_fields(observations: Sequence[Observation]) -> list[str]:
    """The numeric fields whose differences (with each other, and with their own value at the
    step before) get guards: the first MAX_PAIRED_FIELDS that take more than one value over the
    history (a field that never moved tells a difference from the other field alone only on
    steps not yet seen, and its change is always 0)."""
    varying = [
        field
        for field in numeric_fields(observations)
        if len({observation[field] for observation in observations}) > 1
    ]
    return varying[:MAX_PAIRED_FIELDS]


class GenericVocabulary(Vocabulary):
    module = "rote.skills.generic"
    recalls = True

    def __init__(self, env: EnvSpec) -> None:
        self.action_names = tuple(env.action_names)

    def parse(self, observation: Observation) -> Any:
        return skills.parse(observation)

    def recall(self, observation: Observation, previous: Observation | None) -> Any:
        return skills.parse(observation, previous)

    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        numeric = numeric_fields(observations)
        values: dict[str, dict[object, None]] = {}
        for observation in observations:
            for field, value in observation.items():
                if type(value) in (str, int, bool):
                    values.setdefault(field, {}).setdefault(value)
        guards = []
        for field in sorted(values):
            seen = list(values[field])
            extra = NUMBER_EQUALITY_COST if field in numeric else 0.0
            if 1 < len(seen) <= MAX_VALUES:
                for value in seen:
                    guards += [_equals(field, value, extra), _differs(field, value, extra)]
        for field in numeric:
            for cuts in _gaps([observation[field] for observation in observations]):
                guards += _below(field, cuts)
        paired = paired_fields(observations)
        for i, first in enumerate(paired):
            for second in paired[i + 1 :]:
                differences = [obs[first] - obs[second] for obs in observations]
                for cuts in _gaps(differences):
                    guards += _difference_below(first, second, cuts)
        read = [self.recall(o, p) for p, o in with_previous(self, observations)]
        for field in paired:
            for cuts in _gaps([state.change(field) for state in read]):
                guards += _change_below(field, cuts)
        return guards

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        return [_action(name, len(self.action_names)) for name in self.action_names]
