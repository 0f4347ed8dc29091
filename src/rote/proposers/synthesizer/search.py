"""Search for DSL programs that explain an observed trajectory, shortest first.

A program's score is the log posterior weight the SMC will give it, up to a constant: the log
likelihood of the history marginalised over the noise grid (ROTE's default `NoiseModel` unless
given), plus the log prior the proposer gives it, -cost (description length). The likelihood is
the SMC's own, summed by counts of the kinds of step in each bucket of idle ticks the tempo
layer tells apart (`StepCounts`: hits, idle hits, waits, misses, failures;
`counted_log_likelihood`), so it is worked out once per count. A program is
scored on what the sandbox would make of its outputs: one that says a name that is not an
action fails there, and misses every step from then on.

Seven moves, all ranked by that score:

1. singles: every skill alone;
2. cycles: rings that visit the targets of one kind of skill in turn, when idle;
3. decision lists: from the best singles, add the guarded rule (at any position) that most
   improves the score, a few times over, keeping a beam;
4. rings: segment the trajectory into runs that one skill explains, read off each run's exit
   (idle, a guard that turns true exactly at the cut, or a step count) and close rings of the
   first 2-4 runs (programming by demonstration, synthesis.md section 1); a run may be empty,
   a mode passed over because its skill is idle where it begins;
5. repeats: in the best rings, one mode made a copy of another, or a copy put in;
6. conventions: the best programs that miss steps, with each convention the vocabulary names
   set to each of its values (walking horizontally first, turning right to turn round), one
   convention after another, keeping what scores better: the plan found, the habit fitted;
7. local search: mutate the best programs (swap a constant, a skill, an exit; add or drop a
   rule) and keep what scores better, until the budget is spent.

Programs that act alike on the history are one for the search (observational equivalence), but
the best few plans of each class are kept and returned after every class's best: the future is
where they come apart. A plan is a program under every setting of its conventions that acts
alike on the history (`Plan`, `Search.settings`); it is weighed by all of them, as the
posterior over plans weighs it.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import operator
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from rote.inference.ess import logsumexp
from rote.inference.likelihood import (
    NoiseModel,
    StepCounts,
    counted_log_likelihood,
    log_marginal,
)
from rote.proposers.synthesizer.dsl import (
    IDLE,
    MAX_MODES,
    Exit,
    Guard,
    Mode,
    Ring,
    Rule,
    Skill,
    Stateful,
    Tables,
    exit_cost,
    guard_cost,
    kind,
    run,
)

MAX_RULES = 4
BEAM = 6
RULE_PAIRS = 24
"""A decision list of n rules is extended by the best RULE_PAIRS * (n + 1) (guard, skill,
position) triples: as many programs as RULE_PAIRS pairs tried at every position."""
PATHS = 40
"""Partial segmentations kept per measure at each depth of the ring search."""
MAX_CYCLE_GROUP = 6
"""Sibling skills (alike but for a constant) beyond this many are not cycled through."""
EQUIVALENTS = 3
"""Plans kept per class of programs that act alike on the history, the best-scoring (a plan
is a program with its conventions at any setting: `Plan`, so a class's equivalents are other
plans, not the same plan's settings)."""
CONVENTION_POOL = 60
"""The best programs whose conventions are fitted, if they miss steps."""
CONVENTION_SHARE = 0.1
"""The share of the budget kept from the phases before for fitting conventions."""


@dataclass(frozen=True)
class Budget:
    """How long a search may run: programs scored, and a wall-clock cap. The count is what
    normally ends a search, so results repeat exactly under a seed on any machine; the cap only
    stops a search on a machine too slow for the count."""

    programs: int = 15_000
    seconds: float = 60.0
    rejuvenation: int | None = None
    """Programs a rejuvenation scores (a search seeded with the programs the particles hold),
    if fewer than a first search's. Where agents defeat every program within a few steps
    (people), rejuvenations are many, and this keeps online inference affordable."""

    def __post_init__(self) -> None:
        rejuvenation = self.programs if self.rejuvenation is None else self.rejuvenation
        if self.seconds <= 0 or min(self.programs, rejuvenation) < 1:
            raise ValueError(f"a search budget must be positive, not {self}")


class Scored(NamedTuple):
    score: float
    """Log marginal likelihood plus log prior (-cost): the log posterior weight the SMC gives
    the emitted program, up to a constant shared by all programs."""
    loglik: float
    program: Ring
    misses: int = 0
    """Observed steps where the program did not do what the agent did (or failed)."""


class Plan(NamedTuple):
    """A program found, under every setting of its conventions, and every cut of the gaps its
    comparisons' bounds lie in (`Guard.cuts`), that does what it does on the history.
    The data cannot tell these variants apart, so the plan's weight is theirs summed: a plan
    that fits under six move orders outweighs one that fits a little more cheaply under one, as
    the posterior over plans says it should (issue 22), and its particles are spread over them."""

    variants: tuple[Scored, ...]
    """The program under each such variant, cheapest first."""

    @property
    def score(self) -> float:
        """The plan's log posterior weight: its variants' weights summed."""
        return float(logsumexp([scored.score for scored in self.variants]))


class Search:
    """One search over one history; `best(n)` after `run()` gives the programs found."""

    def __init__(
        self,
        tables: Tables,
        actions: Sequence[str],
        action_names: Sequence[str],
        *,
        noise: NoiseModel | None = None,
        budget: Budget = Budget(),
        seed: int = 0,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        self.tables = tables
        self.actions = list(actions)
        self.rng = random.Random(seed)
        self.budget = budget
        self.progress = progress
        self.noise = noise or NoiseModel()
        self.action_names = tuple(action_names)
        self._idle_steps = _idle_steps(self.actions, self.noise.idle)
        """The steps the agent idled, where a program's output decides its kind of step."""
        buckets = self.noise.buckets_of(self.actions)[:-1]
        self._later_buckets: list[tuple[list[int], list[str], list[int]]] = []
        """Each bucket after the first (idle ticks since the agent last acted): its steps,
        their actions, and where among them the agent idled. The first bucket's counts are the
        rest, so a history without pauses costs nothing more to count."""
        for bucket in range(1, self.noise.n_buckets):
            steps = [t for t, of_step in enumerate(buckets) if of_step == bucket]
            actions = [self.actions[t] for t in steps]
            self._later_buckets.append((steps, actions, _idle_steps(actions, self.noise.idle)))
        self._valid = frozenset(action_names)
        self.siblings = _siblings(tables.skills)
        self.classes: dict[tuple[str | None, ...], list[Scored]] = {}
        self.scored = 0
        self._reserved = 0
        self._deadline = 0.0
        self._logliks: dict[tuple[StepCounts, ...], float] = {}
        self._exit_options: dict[tuple[Skill, int, int], list[Exit]] = {}
        self._unsettings: dict[Ring, Ring] = {}
        self._leaders: dict[int, list[Scored]] = {}
        """`_top(k)` by k, while it holds."""
        self._defaults = {c.keyword: c.default for c in tables.conventions}

    # -- scoring -----------------------------------------------------------------------------

    def loglik(self, outputs: Sequence[str | None]) -> float:
        """log p(actions | outputs), marginal over the noise grid, as the SMC weighs a program
        that gave these outputs (None for a failed step). It depends only on the counts of
        each kind of step, so it is worked out once per count."""
        if len(outputs) != len(self.actions):
            raise ValueError(f"{len(outputs)} outputs for {len(self.actions)} actions")
        return self._counted(outputs, sum(map(operator.eq, outputs, self.actions)))

    def _counted(self, outputs: Sequence[str | None], hits: int) -> float:
        """`loglik` of outputs of the history's length with `hits` already counted."""
        later = []
        for steps, actions, idle_steps in self._later_buckets:
            of_bucket = [outputs[t] for t in steps]
            bucket_hits = sum(map(operator.eq, of_bucket, actions))
            later.append(self._kinds(of_bucket, bucket_hits, idle_steps))
        whole = self._kinds(outputs, hits, self._idle_steps)
        first = StepCounts(*(n - sum(rest) for n, *rest in zip(whole, *later, strict=True)))
        counts = (first, *later)
        found = self._logliks.get(counts)
        if found is None:
            loglik = counted_log_likelihood(counts, self.action_names, self.noise)
            found = self._logliks[counts] = float(log_marginal(loglik, self.noise.log_prior))
        return found

    def _kinds(
        self, outputs: Sequence[str | None], hits: int, idle_steps: Sequence[int]
    ) -> StepCounts:
        """The steps by kind, for outputs against actions of which `hits` agree and those at
        `idle_steps` were the idle action."""
        failed = outputs.count(None)
        idled = waited = 0
        if idle_steps:
            on_idle = [outputs[t] for t in idle_steps]
            idled = on_idle.count(self.noise.idle)
            waited = len(on_idle) - idled - on_idle.count(None)
        missed = len(outputs) - hits - waited - failed
        return StepCounts(hits - idled, idled, waited, missed, failed)

    def _sandboxed(self, outputs: Sequence[str]) -> tuple[str | None, ...]:
        """The outputs as the sandbox replays the emitted program: a name that is not one of the
        env's actions fails the program there, and it answers None from then on."""
        if self._valid.issuperset(outputs):
            return tuple(outputs)
        cut = next(t for t, output in enumerate(outputs) if output not in self._valid)
        return (*outputs[:cut], *[None] * (len(outputs) - cut))

    def score(self, program: Ring) -> Scored:
        """Score a program and file it under its behaviour on the history."""
        self.scored += 1
        outputs = self._sandboxed(run(program, self.tables))
        hits = sum(map(operator.eq, outputs, self.actions))
        loglik = self._counted(outputs, hits)
        scored = Scored(loglik - program.cost, loglik, program, len(outputs) - hits)
        members = self.classes.setdefault(outputs, [])
        # a class keeps one program per plan, its best setting: `settings` finds the others
        plan = self._unset(program)
        same = next((i for i, m in enumerate(members) if self._unset(m.program) == plan), None)
        if same is not None:
            if not _ranks_before(scored, members[same]):
                return scored
            del members[same]
        # members are kept best score first, ties by description; a newcomer goes after its
        # equals, as a stable sort would put it, and describing waits for a tie
        at = next((i for i, m in enumerate(members) if _ranks_before(scored, m)), None)
        members.insert(len(members) if at is None else at, scored)
        del members[EQUIVALENTS:]
        if at == 0 or len(members) == 1:  # a class's best changed, or a class began
            self._leaders = {k: top for k, top in self._leaders.items() if _trails(scored, k, top)}
        return scored

    def _unset(self, program: Ring) -> Ring:
        """The program with every convention at its default and every comparison at its gap's
        roundest cut: what its variants share (`settings`)."""
        settings = {setting for skill in program.skills() for setting in skill.settings}
        # the search writes the roundest cuts; other cuts come back in seeds from the particles
        moved = [(guard, guard.cuts()[0]) for guard in program.guards() if guard.cuts is not None]
        moved = [(guard, roundest) for guard, roundest in moved if roundest != guard]
        if not settings and not moved:
            return program  # most programs: and building varied skills is slow
        found = self._unsettings.get(program)
        if found is None:
            found = program
            for keyword in sorted({setting.keyword for setting in settings}):
                found = found.with_convention(keyword, self._defaults[keyword])
            for guard, roundest in moved:
                found = found.with_guard(guard, roundest)
            self._unsettings[program] = found
        return found

    def out_of_budget(self) -> bool:
        return (
            self.scored >= self.budget.programs - self._reserved
            or time.monotonic() >= self._deadline
        )

    # -- the search --------------------------------------------------------------------------

    def run(self, seeds: Iterable[Ring] = ()) -> None:
        self._deadline = time.monotonic() + self.budget.seconds
        # the rings may take every program they are allowed: keep some for conventions
        self._reserved = (
            int(self.budget.programs * CONVENTION_SHARE) if self.tables.conventions else 0
        )
        phases: list[Callable[[], None]] = [
            lambda: self._seeds(seeds),
            self._singles,
            self._cycles,
            self._decision_lists,
            self._rings,
            self._repeats,
            self._conventions,
            self._local_search,
        ]
        for done, phase in enumerate(phases):
            if phase == self._repeats:  # few programs: they and the conventions share the rest
                self._reserved = 0
            if not self.out_of_budget():
                phase()
            if self.progress is not None:
                self.progress((done + 1) / len(phases))

    def best(self, n: int) -> list[Scored]:
        """Up to n programs: each behaviour class's best first, then their equivalents."""
        classes = sorted(self.classes.values(), key=lambda members: -members[0].score)
        ranked = [members[0] for members in classes]
        for depth in range(1, EQUIVALENTS):
            ranked += [members[depth] for members in classes[:n] if len(members) > depth]
        return ranked[:n]

    def plans(self, n: int) -> list[Plan]:
        """The best n programs (`best`), each as a plan with its settings that act alike; a
        program that is a setting of an earlier one's plan is in that plan."""
        plans: list[Plan] = []
        placed: set[Ring] = set()
        for scored in self.best(n):
            if scored.program not in placed:
                plan = self.settings(scored)
                placed.update(variant.program for variant in plan.variants)
                plans.append(plan)
        return plans

    def settings(self, scored: Scored) -> Plan:
        """The program under every combination of the conventions' values and its comparisons'
        cuts that gives the same outputs on the history (so the same likelihood), itself
        included. Not counted against the budget: it asks only about programs the search
        chose."""
        outputs = self._sandboxed(run(scored.program, self.tables))
        alike = {scored.program: scored}
        tried = {scored.program}
        accepted = {keyword for skill in scored.program.skills() for keyword in skill.accepts}
        choices: list[list[Callable[[Ring], Ring]]] = [
            [functools.partial(Ring.with_convention, keyword=c.keyword, value=v) for v in c.values]
            for c in self.tables.conventions
            if c.keyword in accepted  # else every setting of it is the program itself
        ]
        for guard in scored.program.guards():
            if guard.cuts is not None:
                cuts = [cut for cut in guard.cuts() if cut != guard]
                choices.append([functools.partial(Ring.with_guard, old=guard, new=c) for c in cuts])
        for variations in choices:
            for program in list(alike):
                for vary in variations:
                    candidate = vary(program)
                    if candidate in tried:
                        continue
                    tried.add(candidate)
                    for skill in candidate.skills():
                        self.tables.add(skill)
                    if self._sandboxed(run(candidate, self.tables)) == outputs:
                        alike[candidate] = scored._replace(
                            score=scored.loglik - candidate.cost, program=candidate
                        )
        return Plan(tuple(sorted(alike.values(), key=lambda variant: -variant.score)))

    def _top(self, k: int) -> list[Scored]:
        """The k best classes' best, ties in the order the classes were found. Local search asks
        for them at every step, so they are kept until a class's best that could join them
        changes (sorting every class at each step took most of a search's time)."""
        top = self._leaders.get(k)
        if top is None:
            bests = (kept[0] for kept in self.classes.values())
            top = self._leaders[k] = sorted(bests, key=lambda s: -s.score)[:k]
        return list(top)

    def _seeds(self, seeds: Iterable[Ring]) -> None:
        for program in seeds:
            self.score(program)

    def _singles(self) -> None:
        for skill in self.tables.skills:
            if self.out_of_budget():
                return
            self.score(Ring((Mode(skill),)))

    def _cycles(self) -> None:
        """Rings that visit targets of one kind in turn (walk to green, then blue, then purple):
        every order of 2 to MAX_MODES siblings, each mode left when idle. Segmenting misses
        these when another skill explains the start of the history longer."""
        for group in dict.fromkeys(map(tuple, self.siblings.values())):
            if not 2 <= len(group) <= MAX_CYCLE_GROUP:
                continue
            for k in range(2, min(MAX_MODES, len(group)) + 1):
                for order in itertools.permutations(group, k):
                    if self.out_of_budget():
                        return
                    self.score(Ring(tuple(Mode(skill, exit=IDLE) for skill in order)))

    # -- decision lists ----------------------------------------------------------------------

    def _decision_lists(self) -> None:
        beam = [s for s in self._top(BEAM) if len(s.program.modes) == 1]
        for _ in range(MAX_RULES):
            grown: list[Scored] = []
            for scored in beam:
                if self.out_of_budget():
                    return
                grown += self._add_rule(scored)
            if not grown:
                return
            grown.sort(key=lambda s: -s.score)
            beam = grown[:BEAM]

    def _add_rule(self, scored: Scored) -> list[Scored]:
        """The best few one-rule extensions of a one-mode program."""
        mode = scored.program.modes[0]
        if len(mode.rules) >= MAX_RULES:
            return []
        outputs = run(scored.program, self.tables)
        right = _steps(o == a for o, a in zip(outputs, self.actions, strict=True))
        if right == self._every_step:
            return []
        subjects: dict[str, int] = {}
        for rule in mode.rules:
            guard_cost(rule.guard, subjects)
        improved = []
        for guard, skill, position in self._rule_candidates(mode.rules, right, subjects):
            rules = (*mode.rules[:position], Rule(guard, skill), *mode.rules[position:])
            candidate = self.score(Ring((replace(mode, rules=rules),)))
            if candidate.score > scored.score:
                improved.append(candidate)
        improved.sort(key=lambda s: -s.score)
        return improved[:BEAM]

    def _rule_candidates(
        self, rules: tuple[Rule, ...], right: int, subjects: dict[str, int]
    ) -> list[tuple[Guard, Skill, int]]:
        """(guard, stateless skill, position) for new rules of a program with `rules`, right at
        the steps `right` (a `_steps` set), ranked by errors fixed minus right answers broken,
        then by cost, a guard's as the program's guards so far (`subjects`) make it: a second
        threshold on the temperature goes before one as good on the hour. A rule at a position
        acts only where the rules before it let it, so "if temp < 22: off" after "if temp < 20:
        heat" fixes the 20s and 21s without breaking the heating below. Counted as bits: every
        triple is counted, at each extension of the decision lists."""
        wrong = self._every_step & ~right
        costs = {guard: guard_cost(guard, dict(subjects)) for guard in self.tables.guards}
        reach = [self._every_step]  # the steps a rule at each position acts on
        for rule in rules:
            reach.append(reach[-1] & ~self._holds[rule.guard])
        ranked = []
        for skill, agrees in self._agrees.items():
            fixes_at = wrong & agrees
            if not fixes_at:
                continue
            breaks_at = right & ~agrees
            for guard in self.tables.guards:
                holds = self._holds[guard]
                if not holds & fixes_at:
                    continue
                for position, reached in enumerate(reach):
                    acts = holds & reached
                    fixes = (acts & fixes_at).bit_count()
                    if fixes:
                        net = fixes - (acts & breaks_at).bit_count()
                        ranked.append((net, -costs[guard] - skill.cost, guard, skill, position))
        ranked.sort(key=lambda item: (-item[0], -item[1], item[2].name, item[3].name, item[4]))
        best = ranked[: RULE_PAIRS * len(reach)]
        return [(guard, skill, position) for _, _, guard, skill, position in best]

    @functools.cached_property
    def _holds(self) -> dict[Guard, int]:
        """The steps where each guard holds (a `_steps` set)."""
        return {guard: _steps(column) for guard, column in self.tables.truth.items()}

    @functools.cached_property
    def _agrees(self) -> dict[Skill, int]:
        """The steps where each stateless skill does what the agent did (a `_steps` set)."""
        return {
            skill: _steps(o == a for o, a in zip(column, self.actions, strict=True))
            for skill, column in self.tables.actions.items()
        }

    @functools.cached_property
    def _every_step(self) -> int:
        return (1 << len(self.actions)) - 1

    # -- rings -------------------------------------------------------------------------------

    def _rings(self) -> None:
        """Rings read off segmentations of the trajectory into runs of one skill each.

        Partial segmentations are kept by two measures, so neither crowds the other out: how
        far they reach, and how well the rings they close explain the whole history."""
        paths: list[_Path] = [_Path((), 0, {})]
        horizon = len(self.actions)
        for _ in range(MAX_MODES):
            extended: list[_Path] = []
            for path in paths:
                if self.out_of_budget():
                    return
                if path.start < horizon:
                    extended += self._extend(path)
            if not extended:
                return
            closing = {id(path): self._close_rings(path) for path in extended}
            by_reach = sorted(extended, key=lambda p: (-p.start, _cost(p)))[:PATHS]
            by_score = sorted(extended, key=lambda p: (-closing[id(p)], _cost(p)))[:PATHS]
            paths = list({id(p): p for p in by_reach + by_score}.values())

    def _extend(self, path: _Path) -> list[_Path]:
        """The path with one more run: the skills with the longest runs from the path's end,
        every stateful skill and skill the path already uses (a mode may recur), and, after a
        run that is not empty, an empty run of a skill idle where the path ends."""
        used = {skill for skill, _ in path.runs}
        runs = []
        for skill in self.tables.skills:
            memories = {s: copy.copy(m) for s, m in path.memories.items()}
            length = self._run_length(skill, path.start, memories)
            if length:
                runs.append((length, skill, memories))
        runs.sort(key=lambda r: (-r[0], r[1].cost, r[1].name))
        keep = runs[:BEAM] + [r for r in runs[BEAM:] if r[1].stateful or r[1] in used]
        if not path.runs or path.runs[-1][1] > 0:
            keep += [(0, skill, path.memories) for skill in self._skipped(path.start)]
        return [
            _Path((*path.runs, (skill, length)), path.start + length, memories)
            for length, skill, memories in keep
        ]

    def _skipped(self, start: int) -> list[Skill]:
        """Stateless skills idle at `start` that are not idle throughout: a mode of one, left
        when idle, is passed over at once there (a run of no steps)."""
        idle = [skill for skill in self._movers if self.tables.actions[skill][start] == "stay"]
        return idle[:BEAM]

    @functools.cached_property
    def _movers(self) -> list[Skill]:
        """Stateless skills not idle throughout, cheapest first."""
        found = [
            skill
            for skill, column in self.tables.actions.items()
            if any(action != "stay" for action in column)
        ]
        found.sort(key=lambda skill: (skill.cost, skill.name))
        return found

    def _run_length(self, skill: Skill, start: int, memories: dict[Skill, Stateful]) -> int:
        """How many steps from `start` the skill explains in a row (advancing its memory)."""
        if skill.make is None:
            column = self.tables.actions[skill]
            t = start
            while t < len(self.actions) and column[t] == self.actions[t]:
                t += 1
            return t - start
        memory = memories.get(skill) or skill.make()
        t = start
        while t < len(self.actions):
            probe = copy.copy(memory)
            if probe.act(self.tables.states[t]) != self.actions[t]:
                break
            memory = probe
            t += 1
        memories[skill] = memory
        return t - start

    def _close_rings(self, path: _Path) -> float:
        """Score the ring of all the path's runs under the cheapest fitting exits; the best
        score (-inf for a single run, which the singles already cover)."""
        if not 2 <= len(path.runs) <= MAX_MODES:
            return -math.inf
        starts = [0]
        for _, length in path.runs:
            starts.append(starts[-1] + length)
        options = [
            self._exits(skill, starts[i], starts[i + 1]) for i, (skill, _) in enumerate(path.runs)
        ]
        best = -math.inf
        for choice in _choices(options, limit=16):
            if self.out_of_budget():
                break
            modes = tuple(
                Mode(skill, exit=exit) for (skill, _), exit in zip(path.runs, choice, strict=True)
            )
            best = max(best, self.score(Ring(modes)).score)
        return best

    def _exits(self, skill: Skill, start: int, cut: int) -> list[Exit]:
        """Exits that stay shut over the run [start, cut) and open at the cut: idle, then guards,
        then the step count. Paths share runs, so each run's exits are found once."""
        key = (skill, start, cut)
        found = self._exit_options.get(key)
        if found is None:
            found = self._exit_options[key] = self._find_exits(skill, start, cut)
        return found

    def _find_exits(self, skill: Skill, start: int, cut: int) -> list[Exit]:
        found = []
        steps = cut - start
        if steps == 0:
            return [IDLE]
        if cut < len(self.actions):
            if skill.stateful or self.tables.actions[skill][cut] == "stay":
                found.append(IDLE)  # a stateful skill's idleness depends on memory: let scoring say
            for guard in self._guards_by_cost:
                truth = self.tables.truth[guard]
                if truth[cut] and not any(truth[start:cut]):
                    found.append(Exit("guard", guard))
                    if len(found) >= 3:
                        break
        found.append(Exit("after", steps=steps))
        return found

    @functools.cached_property
    def _guards_by_cost(self) -> list[Guard]:
        return sorted(self.tables.guards, key=lambda g: g.cost)

    # -- repeats -----------------------------------------------------------------------------

    def _repeats(self) -> None:
        """Rings that come back to a mode: in the best rings, one mode made a copy of another,
        or a copy of a mode put in (the prior codes a repeat as a pointer, so these are cheap,
        but neither segmenting nor one mutation at a time reaches them)."""
        for scored in self._top(BEAM * 2):
            modes = scored.program.modes
            if len(modes) < 2:
                continue
            for i, j in itertools.permutations(range(len(modes)), 2):
                if self.out_of_budget():
                    return
                if modes[i] != modes[j]:
                    self.score(Ring((*modes[:j], modes[i], *modes[j + 1 :])))
            if len(modes) < MAX_MODES:
                for i, j in itertools.product(range(len(modes)), range(len(modes) + 1)):
                    if self.out_of_budget():
                        return
                    self.score(Ring((*modes[:j], modes[i], *modes[j:])))

    # -- conventions -------------------------------------------------------------------------

    def _conventions(self) -> None:
        """The best programs with their conventions fitted: for each convention in turn, every
        value, keeping the best. Many programs, not a few, because a plan kept with another
        habit misses steps wherever ours breaks a tie, so its default form may rank well below
        programs that fit by accident. A program that fits every step is left as it is: another
        convention could only cost more."""
        if not self.tables.conventions:
            return
        for scored in self._top(CONVENTION_POOL):
            best = scored
            for convention in self.tables.conventions:
                for value in convention.values:
                    if not best.misses:
                        break
                    if self.out_of_budget():
                        return
                    candidate = best.program.with_convention(convention.keyword, value)
                    if candidate == best.program:
                        continue
                    for skill in candidate.skills():
                        self.tables.add(skill)
                    tried = self.score(candidate)
                    if tried.score > best.score:
                        best = tried

    # -- local search ------------------------------------------------------------------------

    def _local_search(self) -> None:
        while not self.out_of_budget():
            pool = self._top(BEAM * 2)
            if not pool:
                return
            parent = self.rng.choice(pool)
            child = _mutate(parent.program, self.rng, self.tables, self.siblings)
            if child is not None:
                self.score(child)


def _idle_steps(actions: Sequence[str], idle: str | None) -> list[int]:
    return [t for t, action in enumerate(actions) if action == idle]


def _trails(scored: Scored, k: int, top: list[Scored]) -> bool:
    """Whether a class's new best leaves `top`, the k best classes' bests (`Search._top`), as
    it is: `top` is full and the newcomer falls short of its last (a tie could go before it, by
    the order the classes were found). A class in `top` only ever improves, so it never trails."""
    return len(top) == k and scored.score < top[-1].score


def _ranks_before(a: Scored, b: Scored) -> bool:
    """Whether a comes before b in a behaviour class: a better score, or the same score and a
    description earlier in alphabetical order."""
    if a.score != b.score:
        return a.score > b.score
    return a.program.describe() < b.program.describe()


def _cost(path: _Path) -> float:
    return sum(skill.cost for skill, _ in path.runs)


class _Path(NamedTuple):
    runs: tuple[tuple[Skill, int], ...]
    start: int
    memories: dict[Skill, Stateful]


def _steps(bits: Iterable[bool]) -> int:
    """The steps where `bits` hold, as a set of steps: the int with bit t set for step t."""
    return sum(1 << t for t, bit in enumerate(bits) if bit)


def _choices(options: list[list[Exit]], limit: int) -> list[tuple[Exit, ...]]:
    """Combinations of one exit per mode, cheapest first."""
    combos: list[tuple[Exit, ...]] = [()]
    for exits in options:
        combos = [(*combo, exit) for combo in combos for exit in exits]
        combos.sort(key=lambda combo: sum(map(exit_cost, combo)))
        del combos[limit:]
    return combos


def _siblings(skills: Sequence[Skill]) -> dict[Skill, list[Skill]]:
    """Skills that differ only in their constants (of one `kind`)."""
    groups: dict[str, list[Skill]] = {}
    for skill in skills:
        groups.setdefault(kind(skill.code), []).append(skill)
    return {skill: groups[kind(skill.code)] for skill in skills}


def _mutate(
    program: Ring, rng: random.Random, tables: Tables, siblings: dict[Skill, list[Skill]]
) -> Ring | None:
    modes = list(program.modes)
    index = rng.randrange(len(modes))
    mode = modes[index]
    move = rng.randrange(6)
    if move == 0:  # another constant for the default skill
        mode = replace(mode, default=rng.choice(siblings.get(mode.default, [mode.default])))
    elif move == 1:  # any other skill
        mode = replace(mode, default=rng.choice(tables.skills))
    elif move == 2 and len(mode.rules) < MAX_RULES and tables.guards and tables.actions:
        rule = Rule(rng.choice(tables.guards), rng.choice(list(tables.actions)))
        at = rng.randrange(len(mode.rules) + 1)
        mode = replace(mode, rules=(*mode.rules[:at], rule, *mode.rules[at:]))
    elif move == 3 and mode.rules:  # drop a rule
        at = rng.randrange(len(mode.rules))
        mode = replace(mode, rules=mode.rules[:at] + mode.rules[at + 1 :])
    elif move == 4 and len(modes) > 1:  # another exit
        kind = rng.choice(["idle", "guard", "after"] if tables.guards else ["idle", "after"])
        mode = replace(
            mode,
            exit=Exit(kind, rng.choice(tables.guards), 0)
            if kind == "guard"
            else Exit(kind, None, rng.randint(1, 4) if kind == "after" else 0),
        )
    elif move == 5 and mode.rules:  # another constant in a rule's skill or guard
        at = rng.randrange(len(mode.rules))
        rule = mode.rules[at]
        rule = Rule(rule.guard, rng.choice(siblings.get(rule.skill, [rule.skill])))
        mode = replace(mode, rules=(*mode.rules[:at], rule, *mode.rules[at + 1 :]))
    else:
        return None
    modes[index] = mode
    return Ring(tuple(modes))
