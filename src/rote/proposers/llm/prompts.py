"""What the LLM is asked, and how its answer becomes a program.

Every prompt is built from the env spec alone (rules, observation schema, action names, text
rendering, the skills module programs may import), so a new env needs no prompt of its own.
Variants follow the paper's ablations: `plain`, `fsm` (a worked finite-state example first) and
`two-stage` (describe the strategy in words, then code it). Repair and rejuvenation prompts
extend a conversation; error text is normalised first so a rerun on another machine produces
the same prompt and hits the cache.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import re
from collections.abc import Sequence

from rote.envs.base import EnvSpec
from rote.proposers.llm.base import Message, replace_surrogates
from rote.trajectory import Step

VARIANTS = ("plain", "fsm", "two-stage")

SYSTEM = "You are a helpful assistant who writes short, correct Python."

PREAMBLE = """\
You are watching an agent act in an environment. Your job is to model the agent as a program: \
write Python code that, given each observation in turn, returns the action the agent took. \
Model it as a small deterministic finite-state machine: a few internal states, each with simple \
rules, kept in attributes of the object between calls."""

TEMPLATE = '''\
class Agent:
    def __init__(self):
        self.state = "START"  # the machine's current state, and any memory it needs

    def act(self, observation):
        # observation is a dict as described above; return one action name
        return "{action}"'''

FSM_PRIMER = """\
Example of the style wanted, for a different task (collect coins and bring them home):

```python
class Agent:
    def __init__(self):
        self.state = "SEARCH"

    def act(self, observation):
        if self.state == "SEARCH" and observation["coin_here"]:
            self.state = "COLLECT"
        if self.state == "COLLECT":
            self.state = "RETURN"
            return "pick_up"
        if self.state == "RETURN" and observation["at_home"]:
            self.state = "DEPOSIT"
        if self.state == "DEPOSIT":
            self.state = "SEARCH"
            return "drop"
        return observation["direction_to_coin" if self.state == "SEARCH" else "direction_home"]
```"""

ANSWER = (
    "Answer with the whole program in one ```python block. Use only the Python standard library "
    "and the helpers listed above; do not print or read files."
)

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.@+-]+){2,}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{4,}")


def render_history(env: EnvSpec, history: Sequence[Step]) -> str:
    """Numbered steps: the observation as the env renders it, then the action taken."""
    blocks = []
    for t, step in enumerate(history):
        blocks.append(
            f"Step {t}:\n{env.render_text(step.observation)}\nAgent's action: {step.action}"
        )
    return "\n\n".join(blocks)


def describe_observation(env: EnvSpec) -> str:
    """The observation's fields with their JSON types and descriptions, one per line."""
    lines = []
    for name, schema in env.observation_schema.get("properties", {}).items():
        kind = schema.get("type", "value")
        note = schema.get("description", "")
        lines.append(f"- {name} ({kind}){': ' + note if note else ''}")
    return "\n".join(lines)


def describe_helpers(module_name: str) -> str:
    """The public functions and classes of a skills module, with their first docstring line.

    Programs may import them (`from rote.skills.construction import walk`); listing them lets
    a model build on skills instead of rewriting path-finding every time."""
    module = importlib.import_module(module_name)
    lines = []
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name)
        if not (inspect.isfunction(value) or inspect.isclass(value)):
            continue
        parameters = [_parameter(p) for p in inspect.signature(value).parameters.values()]
        doc = (inspect.getdoc(value) or "").split("\n\n", 1)[0].replace("\n", " ")
        lines.append(f"- {name}({', '.join(parameters)})" + (f": {doc}" if doc else ""))
    return "\n".join(lines)


def _parameter(parameter: inspect.Parameter) -> str:
    """A parameter as a call would write it, without its annotation."""
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        return f"*{parameter.name}"
    if parameter.kind is inspect.Parameter.VAR_KEYWORD:
        return f"**{parameter.name}"
    if parameter.default is inspect.Parameter.empty:
        return parameter.name
    return f"{parameter.name}={parameter.default!r}"


def task(env: EnvSpec, history: Sequence[Step], helpers: str, variant: str) -> str:
    """The user message that asks for a program (or, for two-stage, for a description)."""
    if variant not in VARIANTS:
        raise ValueError(f"prompt variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    actions = ", ".join(f'"{name}"' for name in env.action_names)
    parts = [
        PREAMBLE,
        f"## Environment\n{env.rules}",
        f"## Observation\nEach observation is a JSON object (a Python dict) with:\n"
        f"{describe_observation(env)}",
        f"## Actions\n`act` returns one of: {actions}.",
    ]
    if helpers:
        parts.append(f"## Helpers you may import\n{helpers}")
    parts.append(f"## What the agent did\n{render_history(env, history)}")
    if variant == "fsm":
        parts.append(FSM_PRIMER)
    if variant == "two-stage":
        parts.append(
            "First, describe the agent's strategy in a few sentences: its states, what it does "
            "in each, and what makes it switch. Do not write code yet."
        )
    else:
        template = TEMPLATE.format(action=env.action_names[0])
        parts.append(f"Write the program in this form:\n```python\n{template}\n```\n{ANSWER}")
    return "\n\n".join(parts)


def messages_for(
    env: EnvSpec, history: Sequence[Step], helpers: str, variant: str
) -> list[Message]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": task(env, history, helpers, variant)},
    ]


def code_from_description(
    conversation: Sequence[Message], description: str, env: EnvSpec
) -> list[Message]:
    """Two-stage, second turn: the model's own description, then the request for code."""
    template = TEMPLATE.format(action=env.action_names[0])
    return [
        *conversation,
        {"role": "assistant", "content": description},
        {
            "role": "user",
            "content": f"Now write that strategy as a program in this form:\n```python\n"
            f"{template}\n```\n{ANSWER}",
        },
    ]


def repair(conversation: Sequence[Message], answer: str, error: str) -> list[Message]:
    """Send the failure back: the model sees its answer and what went wrong when it ran."""
    return [
        *conversation,
        {"role": "assistant", "content": answer},
        {
            "role": "user",
            "content": f"Running this program on the observed steps failed: {normalize(error)}\n"
            f"Fix it. {ANSWER}",
        },
    ]


def rejuvenate(
    conversation: Sequence[Message], source: str, misses: Sequence[tuple[int, str, str]]
) -> list[Message]:
    """Ask for a different program, showing one that mispredicted and where."""
    shown = "\n".join(
        f"- step {t}: it returned {predicted!r}, the agent did {actual!r}"
        for t, predicted, actual in misses[:10]
    )
    return [
        *conversation,
        {"role": "assistant", "content": f"```python\n{source}\n```"},
        {
            "role": "user",
            "content": "Here is the code you made last time. It does not explain the agent:\n"
            f"{shown}\nWrite a different program that explains every step. {ANSWER}",
        },
    ]


def normalize(error: str) -> str:
    """Machine-specific parts of an error (file paths, memory addresses) made generic, so the
    same failure gives the same prompt, and the same cache key, everywhere. Lone surrogates (a
    program may raise with any text) are replaced, or the key could not be hashed."""
    return replace_surrogates(_ADDRESS.sub("0x...", _PATH.sub("<path>", error)).strip())


def extract_code(text: str) -> str | None:
    """The program in an answer: the fenced block that defines `class Agent` (the last one, if
    the model revised itself), tolerating chatter around it, a missing language tag, a missing
    closing fence, or no fence at all. None when there is no `class Agent` anywhere."""
    blocks = [body for _, body in _FENCE.findall(text) if "class Agent" in body]
    if blocks:
        return str(blocks[-1]).strip() + "\n"
    start = text.find("class Agent")
    if start < 0:
        return None
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[:line_start]
    imports = [line for line in prefix.splitlines() if line.startswith(("import ", "from "))]
    return "\n".join([*imports, text[line_start:].strip()]) + "\n"


def prompt_hash(messages: Sequence[Message]) -> str:
    """A short stable hash of a conversation, recorded with the programs it produced."""
    data = json.dumps(list(messages), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]
