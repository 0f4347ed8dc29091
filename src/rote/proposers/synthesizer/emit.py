"""DSL programs as readable Python: the `class Agent` every proposer's programs implement.

The source imports its skills from the env's skills module, keeps the mode, the steps spent in
it, each stateful skill's memory and, for a vocabulary that recalls, the last observation as
attributes, and follows exits exactly as `dsl.run` does, so the sandbox replays what the search
scored. A program another proposer wrote is embedded verbatim inside a function that returns its
`Agent` class (the sandbox allows no `exec`), so its module-level names cannot clash with ours.
"""

from __future__ import annotations

import hashlib
import re
import textwrap

from rote.proposers.synthesizer.dsl import Exit, Ring, Skill, Vocabulary

_INDENT = "    "
_FUTURE = re.compile(r"^from __future__ import .*\n", re.MULTILINE)


def embed(source: str) -> Skill | None:
    """A skill that runs `source`, a whole `class Agent` program, and answers what it says.
    None when the source cannot live inside a function (a syntax error, `import *`)."""
    name = _embedded_name(source)
    try:  # compiled, never run: the text is untrusted, so it only ever runs in the sandbox
        compile(_wrapped(source), f"<{name}>", "exec")
    except (SyntaxError, ValueError):
        return None
    key = name.removeprefix("program_")
    return Skill(f"do what program {key} does", f"self.{name}_says", None, embedded=source)


def _embedded_name(source: str) -> str:
    """program_<the first 8 digits of the embedded program's id>."""
    return f"program_{hashlib.sha256(source.encode()).hexdigest()[:8]}"


def _wrapped(source: str) -> str:
    name = _embedded_name(source)
    key = name.removeprefix("program_")
    doc = f'"""Program {key}, which this one refines, as it was written."""'
    body = textwrap.indent(doc + "\n" + _FUTURE.sub("", source).strip("\n"), _INDENT)
    return f"def {name}():\n{body}\n{_INDENT}return Agent\n"


def to_source(program: Ring, vocabulary: Vocabulary) -> str:
    stateful = [skill for skill in program.skills() if skill.stateful]
    names = {skill: f"skill_{i}" for i, skill in enumerate(stateful)}
    embedded = [skill.embedded for skill in program.skills() if skill.embedded is not None]
    ring = len(program.modes) > 1
    probes = ring and any(m.exit.kind == "idle" and m.default.stateful for m in program.modes)

    def call(skill: Skill) -> str:
        return f"self.{names[skill]}.act(state)" if skill.stateful else skill.code

    imports = set(vocabulary.parse_imports)
    for mode in program.modes:
        for skill in (mode.default, *(rule.skill for rule in mode.rules)):
            imports.update(skill.imports)
        for rule in mode.rules:
            imports.update(rule.guard.imports)
        if mode.exit.guard is not None:
            imports.update(mode.exit.guard.imports)

    summary = textwrap.wrap(f"Synthesized: {program.describe()}.", width=92)
    lines = ['"""' + "\n".join(summary) + '"""', ""]
    if probes:
        lines.append("import copy")
    lines += [f"from {vocabulary.module} import {', '.join(sorted(imports))}", "", ""]
    for source in embedded:
        lines += [*_wrapped(source).splitlines(), "", ""]
    lines += ["class Agent:", f"{_INDENT}def __init__(self):"]
    body = ["self.previous = None"] if vocabulary.recalls else []
    if ring:
        body += ["self.mode = 0", "self.steps = 0"]
    body += [f"self.{names[skill]} = {skill.code}" for skill in stateful]
    body += [f"self.{name} = {name}()()" for name in map(_embedded_name, embedded)]
    lines += [2 * _INDENT + line for line in body or ["pass"]]
    lines += [
        "",
        f"{_INDENT}def act(self, observation):",
        f"{2 * _INDENT}state = {vocabulary.parse_code}",
    ]
    act: list[str] = ["self.previous = observation"] if vocabulary.recalls else []
    act += [  # every step, whichever skill acts, as in the replay search scored
        f"self.{name}_says = self.{name}.act(observation)" for name in map(_embedded_name, embedded)
    ]
    if ring:
        n = len(program.modes)
        act += [
            f"for _ in range({n}):",
            f"{_INDENT}if not self.leaving(state):",
            f"{2 * _INDENT}break",
            f"{_INDENT}self.mode = (self.mode + 1) % {n}",
            f"{_INDENT}self.steps = 0",
            "self.steps += 1",
        ]
    for index, mode in enumerate(program.modes):
        block = [
            f"if {rule.guard.code}:\n{_INDENT}return {call(rule.skill)}" for rule in mode.rules
        ]
        block.append(f"return {call(mode.default)}")
        block_lines = "\n".join(block).splitlines()
        if ring and index < len(program.modes) - 1:
            act.append(f"if self.mode == {index}:")
            act += [_INDENT + line for line in block_lines]
        else:
            act += block_lines
    lines += [2 * _INDENT + line for line in act]
    if ring:
        lines += ["", f"{_INDENT}def leaving(self, state):"]
        leave = []
        for index, mode in enumerate(program.modes):
            condition = _condition(mode.exit, mode.default, names)
            leave.append(f"if self.mode == {index}:\n{_INDENT}return {condition}")
        leave.append("return False")
        lines += [2 * _INDENT + line for line in "\n".join(leave).splitlines()]
    return "\n".join(lines) + "\n"


def _condition(exit: Exit, default: Skill, names: dict[Skill, str]) -> str:
    if exit.kind == "after":
        return f"self.steps >= {exit.steps}"
    if exit.kind == "guard" and exit.guard is not None:
        return exit.guard.code
    if exit.kind == "idle":
        if default.stateful:
            return f'copy.copy(self.{names[default]}).act(state) == "stay"'
        return f'{default.code} == "stay"'
    return "False"
