"""The synthesizer's language: finite-state programs over an environment's vocabulary of skills.

A program in it is a `Ring` of up to MAX_MODES modes (the name keeps it apart from
`rote.Program`, the Python source the sandbox runs, which `to_source` emits from a ring). In each
mode an ordered list of guarded rules picks the skill to act with (the first rule whose guard
holds, else the mode's default), and an exit says when to hand over to the next mode in the
ring: when the mode's default skill would stay (it is "idle": at its goal, or blocked), when a
guard holds, or after n steps in the mode. At each step exits are followed first, at most one
per mode, then the mode acts; when every mode's exit is open the ring comes round to the mode it
was in (nothing to do anywhere: it stays put, as a hand-written "try the next one" loop over all
modes does), rather than drifting one mode back at each step.

This shape covers reactive policies (one mode, many rules), cycles of activities (a mode per
target colour, exit when idle), alternations (run, step, run back) and rhythms (timers). The
vocabulary, which each env supplies, holds the guards and skills; none encodes a whole plan.
Where a skill must break a tie (which of two equally short paths, which way to turn round), the
vocabulary names the choice as a `Convention` with a default; a program may set it otherwise
(`walk(state, cells, order="lrud")`), and pays for that once, however many skills follow it.
Programs are interpreted here, in-process over precomputed tables, during search, and emitted as
Python source (`to_source`) for the sandbox, which replays them identically.
"""

from __future__ import annotations

import copy
import functools
import math
import pickle
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from rote.observation import Observation

MAX_MODES = 4


class Convention(NamedTuple):
    """A tie a vocabulary's skills break one way by default and an agent may break another:
    the keyword the skills take (`order`, `turn`) and its values, the default first."""

    keyword: str
    values: tuple[str, ...]
    common: frozenset[str] = frozenset()
    """Values a shorter code names, as people say them: of the 24 move orders, the 8 that
    take one axis before the other ("horizontally first, leftwards") are what agents are
    written with; "up, then sideways, then down" is possible but rarer. Empty: all alike."""

    @property
    def default(self) -> str:
        return self.values[0]

    def cost(self, value: str) -> float:
        """What a program pays for `value`: nothing for the default, else a nat to say it
        departs, then which of the others, where a common value (`common`) is one of fewer. So
        the default wins wherever the data cannot tell, and a common value where the data
        cannot tell it from a rare one."""
        if value == self.default:
            return 0.0
        others = self.values[1:]
        common = [v for v in others if v in self.common]
        if not common or len(common) == len(others):
            return 1.0 + math.log(len(others))
        among = common if value in self.common else [v for v in others if v not in self.common]
        return 1.0 + math.log(2) + math.log(len(among))


class Setting(NamedTuple):
    """A convention set to a value other than its default, as a skill carries it."""

    keyword: str
    value: str
    cost: float


class Subject(NamedTuple):
    """What a guard asks about (a field, the difference of two fields), where a vocabulary's
    guards share subjects: the prior names a subject the program already asks about in fewer
    nats (`guard_cost`), as "if temp < 20: heat; if temp < 23: off" says "temp" once."""

    name: str
    constant: float
    """What the guard costs once its subject is named: its constant and which side of it."""


class Stateful(Protocol):
    """A skill with memory (e.g. pacing keeps its direction): `act` updates and answers."""

    def act(self, state: Any) -> str: ...


@dataclass(frozen=True)
class Guard:
    """A yes/no question about the world: `code` is a Python expression over `state`."""

    name: str
    code: str
    test: Callable[[Any], bool] = field(compare=False, hash=False, repr=False)
    cost: float = 1.0
    imports: tuple[str, ...] = ()
    subject: Subject | None = None
    cuts: Callable[[], tuple[Guard, ...]] | None = field(
        default=None, compare=False, hash=False, repr=False
    )
    """For a comparison with a bound between two values seen, the same side of it at every way
    to cut that gap the vocabulary weighs, itself among them, the roundest first (`x < 20`,
    `x <= 20`, `x < 19`): each splits the values seen alike, so the history cannot choose
    among them, and a plan is weighed under all, each at its own cost."""


@dataclass(frozen=True)
class Skill:
    """A way to choose an action. Stateless skills are a function of the world (`code` is an
    expression over `state`); stateful ones are objects built by `init` (an expression) whose
    `act(state)` is called only while the skill is in use."""

    name: str
    code: str
    run: Callable[[Any], str] | None = field(compare=False, hash=False, repr=False)
    cost: float = 1.0
    imports: tuple[str, ...] = ()
    make: Callable[[], Stateful] | None = field(default=None, compare=False, hash=False)
    embedded: str | None = field(default=None, compare=False, hash=False)
    """For a skill that is a whole program another proposer wrote (e.g. an LLM): its source.
    The program runs on every step, so its memory advances as when it acts alone, and the skill
    answers what it said; search reads its answers from a sandbox replay (`Tables.extra`)."""
    settings: tuple[Setting, ...] = ()
    """The conventions this skill sets other than by default (they are in its code too)."""
    vary: Callable[[str, str], Skill] | None = field(
        default=None, compare=False, hash=False, repr=False
    )
    """The same skill with a convention set to a value, for a skill that takes conventions."""
    accepts: tuple[str, ...] = ()
    """The keywords of the conventions `vary` takes."""

    @property
    def stateful(self) -> bool:
        return self.make is not None

    def with_convention(self, keyword: str, value: str) -> Skill:
        """This skill with the convention `keyword` set to `value`; itself if it takes none."""
        return self.vary(keyword, value) if self.vary and keyword in self.accepts else self


@dataclass(frozen=True)
class Exit:
    """When a mode hands over to the next: `kind` is "idle", "guard" (with `guard`) or "after"
    (with `steps`); "never" for a one-mode program."""

    kind: str
    guard: Guard | None = None
    steps: int = 0

    def describe(self) -> str:
        if self.kind == "guard" and self.guard is not None:
            return f"when {self.guard.name}"
        if self.kind == "after":
            return f"after {self.steps} step{'s' * (self.steps != 1)}"
        return {"idle": "when idle", "never": ""}[self.kind]


NEVER = Exit("never")
IDLE = Exit("idle")


@dataclass(frozen=True)
class Rule:
    guard: Guard
    skill: Skill


@dataclass(frozen=True)
class Mode:
    default: Skill
    rules: tuple[Rule, ...] = ()
    exit: Exit = NEVER


@dataclass(frozen=True)
class Ring:
    """A ring of modes; with one mode, a reactive policy."""

    modes: tuple[Mode, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.modes) <= MAX_MODES:
            raise ValueError(f"a program has 1 to {MAX_MODES} modes, not {len(self.modes)}")

    @property
    def cost(self) -> float:
        """Description length in nats: what the prior charges (prior = exp(-cost)).

        Three codes make a program that repeats itself cheaper, as a person would say it once:
        a mode that is the same as an earlier mode of the ring is a pointer to it
        (`repeat_cost`) where that is shorter than spelling it out, and skills and guards are
        coded adaptively: a second skill of a kind the program already uses (move left after
        move right) names only its constant (`skill_cost`), and so does a second guard on a
        subject it already asks about (`guard_cost`)."""
        ring = len(self.modes) > 1
        total = math.log(MAX_MODES) + (len(self.modes) - 1) * 1.0
        settings: set[Setting] = set()
        kinds: dict[str, int] = {}
        subjects: dict[str, int] = {}
        for i, mode in enumerate(self.modes):
            spelled_kinds, spelled_subjects = dict(kinds), dict(subjects)
            spelled = len(mode.rules) * 0.5
            for rule in mode.rules:
                spelled += guard_cost(rule.guard, spelled_subjects)
            for skill in (*(rule.skill for rule in mode.rules), mode.default):
                spelled += skill_cost(skill, spelled_kinds)
                settings.update(skill.settings)
            if ring:
                spelled += exit_cost(mode.exit, spelled_subjects)
            if mode in self.modes[:i] and repeat_cost(i) < spelled:
                total += repeat_cost(i)
            else:
                total += spelled
                kinds, subjects = spelled_kinds, spelled_subjects
        return total + sum(setting.cost for setting in settings)  # one habit, said once

    def with_convention(self, keyword: str, value: str) -> Ring:
        """The program with every skill that takes the convention `keyword` set to `value`: an
        agent keeps one habit in all it does."""
        return Ring(
            tuple(
                Mode(
                    mode.default.with_convention(keyword, value),
                    tuple(
                        Rule(rule.guard, rule.skill.with_convention(keyword, value))
                        for rule in mode.rules
                    ),
                    mode.exit,
                )
                for mode in self.modes
            )
        )

    def with_guard(self, old: Guard, new: Guard) -> Ring:
        """The program with the guard `old` replaced by `new` wherever it asks it, rules and
        exits alike."""

        def swap(guard: Guard) -> Guard:
            return new if guard == old else guard

        return Ring(
            tuple(
                Mode(
                    mode.default,
                    tuple(Rule(swap(rule.guard), rule.skill) for rule in mode.rules),
                    Exit(mode.exit.kind, swap(mode.exit.guard), mode.exit.steps)
                    if mode.exit.guard is not None
                    else mode.exit,
                )
                for mode in self.modes
            )
        )

    def guards(self) -> list[Guard]:
        """Every guard the program asks, rules and exits, without repeats, in order."""
        found: dict[Guard, None] = {}
        for mode in self.modes:
            for rule in mode.rules:
                found.setdefault(rule.guard)
            if mode.exit.guard is not None:
                found.setdefault(mode.exit.guard)
        return list(found)

    def skills(self) -> list[Skill]:
        """Every skill the program uses, defaults and rules, without repeats, in order."""
        found: dict[Skill, None] = {}
        for mode in self.modes:
            for rule in mode.rules:
                found.setdefault(rule.skill)
            found.setdefault(mode.default)
        return list(found)

    def describe(self) -> str:
        """One line a person can read, e.g. "walk to green, when idle -> walk to blue, ..."."""
        parts = []
        for mode in self.modes:
            rules = "; ".join(f"if {r.guard.name}: {r.skill.name}" for r in mode.rules)
            text = f"{rules}; else {mode.default.name}" if rules else mode.default.name
            if len(self.modes) > 1:
                text += f", {mode.exit.describe()}"
            parts.append(text)
        return " -> ".join(parts)


KIND_COST = 1.0
"""What a vocabulary's skill cost spends on naming the kind of skill; the rest (the log of the
number of choices of its constant) names the constant."""


_SETTING = re.compile(r', \w+=""')


@functools.cache
def kind(code: str) -> str:
    """A skill's kind: its code with the quoted constants blanked and conventions dropped
    ("move right" and "move left" are one kind, as are a walk by one move order and by
    another). Cached: every program's cost asks it of each of its skills."""
    parts = code.split('"')
    return _SETTING.sub("", '"'.join(part if i % 2 == 0 else "" for i, part in enumerate(parts)))


def skill_cost(skill: Skill, kinds: dict[str, int]) -> float:
    """What one more skill adds to a program whose skills so far are counted in `kinds` (which
    this updates): an adaptive code over kinds, a Chinese restaurant process. With n skills
    coded, a kind used c times costs log((n + 1) / c) and then only the constant; a new kind
    costs log(n + 1) and then the vocabulary's whole cost."""
    key = kind(skill.code)
    used = kinds.get(key, 0)
    slots = sum(kinds.values())
    kinds[key] = used + 1
    if used:
        return math.log((slots + 1) / used) + max(skill.cost - KIND_COST, 0.0)
    return math.log(slots + 1) + skill.cost


def guard_cost(guard: Guard, subjects: dict[str, int]) -> float:
    """What one more guard adds to a program whose guards so far are counted by subject in
    `subjects` (which this updates): `skill_cost`'s code over subjects. A guard on a subject
    used c times of n costs log((n + 1) / c) and then its constant; on a new subject, log(n + 1)
    and then its whole cost. A guard with no subject costs its own and is not counted."""
    if guard.subject is None:
        return guard.cost
    used = subjects.get(guard.subject.name, 0)
    slots = sum(subjects.values())
    subjects[guard.subject.name] = used + 1
    if used:
        return math.log((slots + 1) / used) + min(guard.subject.constant, guard.cost)
    return math.log(slots + 1) + guard.cost


def repeat_cost(earlier: int) -> float:
    """A mode coded as a pointer to one of the `earlier` modes before it: a nat to say it is a
    repeat, then which."""
    return 1.0 + math.log(earlier)


def exit_cost(exit: Exit, subjects: dict[str, int] | None = None) -> float:
    """What an exit adds to a program's description length; a guard's, coded with those of the
    program so far (`subjects`, which this updates) where they are given."""
    if exit.kind == "guard" and exit.guard is not None:
        return 1.0 + guard_cost(exit.guard, {} if subjects is None else subjects)
    if exit.kind == "after":
        return 1.0 + math.log(1 + exit.steps)
    return 0.5


class Vocabulary(ABC):
    """What an env gives the synthesizer: its guards and skills, and how to read observations."""

    module: str
    """The skills module emitted programs import from (e.g. "rote.skills.construction")."""
    conventions: tuple[Convention, ...] = ()
    """The ties its skills break by a convention a program may set (`Skill.vary`)."""
    habits: tuple[Mapping[str, str], ...] = ()
    """Other settings of the conventions, common enough that the synthesizer searches for
    plans in each (`Habitual`) beside the default ones."""

    @abstractmethod
    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        """The guards; a vocabulary may take its constants from the observed history."""

    @abstractmethod
    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        """The skills; a vocabulary may take its constants from the observed history."""

    @abstractmethod
    def parse(self, observation: Observation) -> Any:
        """The world an observation shows, as the guards and skills take it."""

    recalls: bool = False
    """Whether the world it reads depends on the previous observation too (Overcooked's: did
    the cook just move?): then the search reads each step with `recall`, and the emitted
    program keeps the last observation it was shown (`self.previous`) and passes it to its
    skills module's `parse` (`parse_code`)."""

    def recall(self, observation: Observation, previous: Observation | None) -> Any:
        """The world an observation shows after `previous` (None at the first step shown), as
        a vocabulary that `recalls` reads it; by default, `parse` of the observation alone."""
        return self.parse(observation)

    @property
    def parse_code(self) -> str:
        """How an emitted program reads each observation, in terms of the skills module."""
        return "parse(observation, self.previous)" if self.recalls else "parse(observation)"

    parse_imports: tuple[str, ...] = ("parse",)


class Habitual(Vocabulary):
    """Another vocabulary's guards and skills, every skill keeping the conventions `habit`
    sets: a search in it finds the plans of an agent with that habit, whose steps the default
    conventions would break into pieces."""

    def __init__(self, vocabulary: Vocabulary, habit: Mapping[str, str]) -> None:
        self.vocabulary = vocabulary
        self.habit = dict(habit)
        self.module = vocabulary.module
        self.conventions = vocabulary.conventions
        self.recalls = vocabulary.recalls
        self.parse_imports = vocabulary.parse_imports

    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        return self.vocabulary.guards(observations)

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        found = []
        for skill in self.vocabulary.skills(observations):
            for keyword, value in self.habit.items():
                skill = skill.with_convention(keyword, value)
            found.append(skill)
        return found

    def parse(self, observation: Observation) -> Any:
        return self.vocabulary.parse(observation)

    def recall(self, observation: Observation, previous: Observation | None) -> Any:
        return self.vocabulary.recall(observation, previous)

    @property
    def parse_code(self) -> str:
        return self.vocabulary.parse_code


class FixedVocabulary(Vocabulary):
    """A vocabulary whose guards and skills do not depend on the history: built once."""

    def __init__(self, guards: list[Guard], skills: list[Skill]) -> None:
        self._guards = guards
        self._skills = skills

    def guards(self, observations: Sequence[Observation] = ()) -> list[Guard]:
        return list(self._guards)

    def skills(self, observations: Sequence[Observation] = ()) -> list[Skill]:
        return list(self._skills)


class Tables:
    """Every guard and stateless skill evaluated on every observed step, once, for search.

    `extra` adds skills whose answers were computed elsewhere: embedded programs, replayed in
    the sandbox, since the search itself never runs untrusted code. `answers` keeps what the
    vocabulary said of each observation for the next tables (see `Answers`)."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        observations: Sequence[Observation],
        extra: Mapping[Skill, Sequence[str]] | None = None,
        answers: Answers | None = None,
    ) -> None:
        extra = extra or {}
        self.conventions = vocabulary.conventions
        self.guards = vocabulary.guards(observations)
        skills = vocabulary.skills(observations)
        self.skills = [*skills, *extra]
        tabled = [skill for skill in skills if skill.run is not None and not skill.stateful]
        self._answers = answers
        self._known: list[int | None] = []
        if answers is None:
            rows = [
                _row(vocabulary, self.guards, tabled, observation, previous)
                for previous, observation in with_previous(vocabulary, observations)
            ]
        else:
            rows, self._known = answers.rows(vocabulary, self.guards, tabled, observations)
        self.states = [state for state, _, _ in rows]
        truth = _columns([truths for _, truths, _ in rows], len(self.guards))
        self.truth: dict[Guard, list[bool]] = dict(zip(self.guards, truth, strict=True))
        actions = _columns([said for _, _, said in rows], len(tabled))
        self.actions: dict[Skill, list[str]] = dict(zip(tabled, actions, strict=True))
        for skill, said in extra.items():
            if len(said) != len(self.states):
                raise ValueError(f"{skill.name}: {len(said)} answers for {len(self)} steps")
            self.actions[skill] = list(said)
        self._idle: dict[Skill, list[bool]] = {}

    def __len__(self) -> int:
        return len(self.states)

    def add(self, skill: Skill) -> None:
        """Put a stateless skill the vocabulary did not list (one with a convention set) on the
        tables, so programs using it are scored by columns like the rest."""
        if skill.run is not None and skill.make is None and skill not in self.actions:
            if self._answers is None:
                self.actions[skill] = [skill.run(state) for state in self.states]
            else:
                self.actions[skill] = self._answers.column(skill, self.states, self._known)

    def policy(self, mode: Mode) -> list[str] | None:
        """The mode's choice at every step, read off the tables, or None unless the tables
        hold all its guards and skills. Rules are folded in from the last, so a step takes the
        first rule whose guard holds, else the default, as `run` would step by step."""
        chosen = self._column(mode.default)
        for rule in reversed(mode.rules):
            truth = self.truth.get(rule.guard)
            column = self._column(rule.skill)
            if chosen is None or truth is None or column is None:
                return None
            chosen = [c if holds else o for holds, c, o in zip(truth, column, chosen, strict=True)]
        return chosen

    def idle(self, skill: Skill) -> list[bool] | None:
        """Whether the skill stays at each step, or None unless it is stateless and on the
        tables. Built once per skill: every ring left when idle asks it."""
        found = self._idle.get(skill)
        if found is None:
            column = self._column(skill)
            if column is None:
                return None
            found = self._idle[skill] = [action == "stay" for action in column]
        return found

    def _column(self, skill: Skill) -> list[str] | None:
        return self.actions.get(skill) if skill.make is None else None


_Row = tuple[Any, tuple[bool, ...], tuple[str, ...]]
"""One observation as the tables hold it: its parsed state, then each guard's truth and each
stateless skill's action there."""


def with_previous(
    vocabulary: Vocabulary, observations: Sequence[Observation]
) -> list[tuple[Observation | None, Observation]]:
    """Each observation after the one before it (None before the first), as a vocabulary that
    `recalls` reads them; after None throughout for one that does not, so that its rows are
    known by their observation alone."""
    if not vocabulary.recalls:
        return [(None, observation) for observation in observations]
    return list(zip([None, *observations[:-1]], observations, strict=True))


def _row(
    vocabulary: Vocabulary,
    guards: Sequence[Guard],
    skills: Sequence[Skill],
    observation: Observation,
    previous: Observation | None,
) -> _Row:
    """The observation's row; `skills` are the stateless ones, each with a `run`."""
    state = vocabulary.recall(observation, previous)
    truths = tuple(bool(guard.test(state)) for guard in guards)
    said = tuple(skill.run(state) for skill in skills if skill.run is not None)
    return state, truths, said


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows of `width` values as columns (`width` empty ones for no rows)."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]


ADDED_ANSWERS = 1 << 18
"""Answers of skills put on the tables later that `Answers` holds at most (a few MB): a
search fits conventions with a few hundred such skills on a window of a few hundred steps."""


class Answers:
    """What a vocabulary said of each observation (`_Row`), and what the skills put on the
    tables later (`Tables.add`: those with a convention set) said there, kept from one set of
    tables to the next. A proposer keeps one: each rejuvenation searches a history that mostly
    overlaps the last, and tabulating it again was a sixth of a search's time, and fitting
    conventions half of it on Overcooked (every walking skill in other move orders, anew).

    An observation is known by its pickle (with the previous one's, for a vocabulary that
    `recalls`), so only the same content, types and all, is answered from memory, whatever
    object holds it; the answers are one vocabulary's (its type, module, parse and its guards
    and stateless skills, which act by their code), and are forgotten when those change or more
    than `limit` observations (`ADDED_ANSWERS` answers of added skills) are held."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._terms: tuple[object, ...] = ()
        self._rows: dict[bytes, tuple[int, _Row]] = {}
        self._added: dict[Skill, dict[int, str]] = {}
        self._added_count = 0
        self._numbered = 0
        """Observations numbered so far: a number is never given twice, not even after
        forgetting, so tables made before still read only their own observations' answers."""

    def rows(
        self,
        vocabulary: Vocabulary,
        guards: Sequence[Guard],
        skills: Sequence[Skill],
        observations: Sequence[Observation],
    ) -> tuple[list[_Row], list[int | None]]:
        """The observations' rows, and the number by which `column` knows each observation
        (None for one that cannot be pickled: answered afresh every time)."""
        terms = (type(vocabulary), vocabulary.module, vocabulary.parse_code, *guards, None, *skills)
        if terms != self._terms:
            self._terms = terms
            self._forget()
        found, known = [], []
        for previous, observation in with_previous(vocabulary, observations):
            try:
                seen = (previous, observation)
                key: bytes | None = pickle.dumps(seen, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError):
                key = None  # not picklable: answered afresh every time
            held: tuple[int | None, _Row] | None = None if key is None else self._rows.get(key)
            if held is None:
                held = (None, _row(vocabulary, guards, skills, observation, previous))
                if key is not None:
                    if len(self._rows) >= self.limit:
                        self._forget()
                    held = self._rows[key] = (self._numbered, held[1])
                    self._numbered += 1
            number, row = held
            found.append(row)
            known.append(number)
        return found, known

    def column(self, skill: Skill, states: Sequence[Any], known: Sequence[int | None]) -> list[str]:
        """What a stateless skill the vocabulary did not list says in each state, the states
        of the observations `rows` numbered `known`."""
        if skill.run is None:
            raise ValueError(f"{skill.name} is asked step by step, not put on the tables")
        if self._added_count >= ADDED_ANSWERS:
            self._added, self._added_count = {}, 0
        said = self._added.setdefault(skill, {})
        found = []
        for state, number in zip(states, known, strict=True):
            action = None if number is None else said.get(number)
            if action is None:
                action = skill.run(state)
                if number is not None:
                    said[number] = action
                    self._added_count += 1
            found.append(action)
        return found

    def _forget(self) -> None:
        self._rows, self._added, self._added_count = {}, {}, 0


def run(program: Ring, tables: Tables, steps: int | None = None) -> list[str]:
    """The program's action at each observed step (the first `steps`), as the emitted source
    would give them.

    Search calls this for every program it scores, so what the tables answer is looked up once
    per mode, not per step: a mode whose guards and skills are all on the tables acts by its
    `Tables.policy` column, and an exit by a column of its idleness or guard. Only stateful
    skills, and guards and skills the tables lack (a seed's), are asked step by step
    (`_Machine`, `_Asked`), in the order the emitted source asks them. The loop over steps is
    the search's innermost: it holds only list lookups."""
    total = len(tables) if steps is None else steps
    ring = program.modes
    policies = [tables.policy(mode) for mode in ring]
    first = policies[0]
    if len(ring) == 1 and first is not None:
        return first[:total]
    machine = _Machine(tables)
    choices = [
        policy if policy is not None else _Asked(machine, mode)
        for policy, mode in zip(policies, ring, strict=True)
    ]
    exits = [machine.exit(mode) for mode in ring]
    columns = [exit.column for exit in exits]
    counts = [exit.steps for exit in exits]
    asks = [exit.ask for exit in exits]
    following = [*range(1, len(ring)), 0]
    most_hops = len(ring) if len(ring) > 1 else 0  # a full turn comes back (module docstring)
    mode, entered = 0, 0  # the mode, and the step it was entered (it has acted t - entered times)
    outputs: list[str] = []
    act = outputs.append
    for t in range(total):
        hops = most_hops
        while hops:
            column = columns[mode]
            if column is not None:
                if not column[t]:
                    break
            else:
                count = counts[mode]
                if count is not None:
                    if t - entered < count:
                        break
                else:
                    ask = asks[mode]
                    if ask is None or not ask(t):
                        break
            mode, entered = following[mode], t
            hops -= 1
        act(choices[mode][t])
    return outputs


class _Asked:
    """The choices of a mode the tables cannot answer for, asked step by step, in order."""

    def __init__(self, machine: _Machine, mode: Mode) -> None:
        self.machine = machine
        self.mode = mode

    def __getitem__(self, t: int) -> str:
        return self.machine.choose(self.mode, t)


class _Exit(NamedTuple):
    """A mode's exit as `run` tests it, fastest first: it opens where `column` holds, `steps`
    steps after the mode was entered, or when `ask` says so; never, if all are None."""

    column: list[bool] | None = None
    steps: int | None = None
    ask: Callable[[int], bool] | None = None


class _Machine:
    """What `run` asks step by step: stateful skills, with their memories (one per skill,
    shared by the modes that use it, advanced only when the skill acts), and guards and skills
    the tables lack."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.memories: dict[Skill, Stateful] = {}

    def exit(self, mode: Mode) -> _Exit:
        exit = mode.exit
        if exit.kind == "idle":
            column = self.tables.idle(mode.default)
            if column is not None:
                return _Exit(column)
            return _Exit(ask=lambda t: self.idle(mode.default, t))
        if exit.kind == "after":
            return _Exit(steps=exit.steps)
        if exit.kind == "guard" and exit.guard:
            guard = exit.guard
            truth = self.tables.truth.get(guard)
            return _Exit(truth) if truth is not None else _Exit(ask=lambda t: self.truth(guard, t))
        return _Exit()

    def choose(self, mode: Mode, t: int) -> str:
        for rule in mode.rules:
            if self.truth(rule.guard, t):
                return self.act(rule.skill, t)
        return self.act(mode.default, t)

    def act(self, skill: Skill, t: int) -> str:
        if skill.make is None:
            cached = self.tables.actions.get(skill)
            if cached is not None:
                return cached[t]
            assert skill.run is not None
            return skill.run(self.tables.states[t])
        memory = self.memories.get(skill)
        if memory is None:
            memory = self.memories[skill] = skill.make()
        return memory.act(self.tables.states[t])

    def idle(self, skill: Skill, t: int) -> bool:
        """Whether the skill would stay, asked without advancing its memory."""
        if skill.make is None:
            return self.act(skill, t) == "stay"
        memory = self.memories.get(skill)
        probe = skill.make() if memory is None else copy.copy(memory)
        return probe.act(self.tables.states[t]) == "stay"

    def truth(self, guard: Guard, t: int) -> bool:
        column = self.tables.truth.get(guard)
        return column[t] if column is not None else bool(guard.test(self.tables.states[t]))
