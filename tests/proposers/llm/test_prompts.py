"""Prompts built from the env spec, code extraction from chatty answers, error normalising."""

from __future__ import annotations

import pytest

from rote import make_env
from rote.proposers.llm import prompts
from rote.trajectory import Step

SPEC = make_env("construction")
OBSERVATION = {"t": 0, "size": 7, "agent": [1, 1], "held": None, "walls": [], "blocks": []}
HISTORY = [Step(OBSERVATION, "right"), Step({**OBSERVATION, "t": 1, "agent": [2, 1]}, "down")]
HELPERS = prompts.describe_helpers("rote.skills.construction")


@pytest.mark.parametrize("variant", prompts.VARIANTS)
def test_the_task_carries_rules_schema_actions_helpers_and_history(variant: str) -> None:
    text = prompts.task(SPEC, HISTORY, HELPERS, variant)
    assert SPEC.rules in text
    assert "- agent (array): agent cell [x, y]" in text
    assert '"stay", "up", "down", "left", "right", "interact"' in text
    assert "- walk(state, goals, order='udlr')" in text  # a skill with its signature
    assert "Step 1:\nt=1 agent=(2,1)" in text and "Agent's action: down" in text
    assert ("class Agent" in text) == (variant != "two-stage")
    assert ("SEARCH" in text) == (variant == "fsm")


def test_an_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="variant"):
        prompts.task(SPEC, HISTORY, HELPERS, "cot")


CODE = 'class Agent:\n    def act(self, observation):\n        return "stay"'


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (f"Sure! Here it is:\n```python\n{CODE}\n```\nThis stays.", CODE),
        (f"```\n{CODE}\n```", CODE),  # no language tag
        (f"```py\n{CODE}", CODE),  # cut off before the closing fence
        (f"```python\nx = 1\n```\nthen\n```python\n{CODE}\n```", CODE),  # the block with Agent
        (f"```python\n{CODE}\n```\nBetter:\n```python\n{CODE}  # v2\n```", CODE + "  # v2"),
        (f"import math\n{CODE}", f"import math\n{CODE}"),  # no fence at all
        ("I cannot help with that.", None),
    ],
)
def test_code_is_extracted_from_chatter(answer: str, expected: str | None) -> None:
    found = prompts.extract_code(answer)
    assert found == (None if expected is None else expected + "\n")


def test_errors_are_normalised_so_prompts_repeat_across_machines() -> None:
    error = "step 3: OSError: /home/ana/run/x.py not found at <obj 0x7f3a9c2b10>"
    assert prompts.normalize(error) == "step 3: OSError: <path> not found at <obj 0x...>"


def test_repair_and_rejuvenation_extend_the_conversation() -> None:
    base = prompts.messages_for(SPEC, HISTORY, HELPERS, "plain")
    fixed = prompts.repair(base, "answer", "step 0: NameError: name 'x' is not defined")
    assert fixed[: len(base)] == base
    assert fixed[-2] == {"role": "assistant", "content": "answer"}
    assert "NameError: name 'x' is not defined" in fixed[-1]["content"]
    again = prompts.rejuvenate(base, CODE, [(1, "stay", "down")])
    assert "step 1: it returned 'stay', the agent did 'down'" in again[-1]["content"]
    assert prompts.prompt_hash(fixed) != prompts.prompt_hash(again)


def test_normalize_replaces_lone_surrogates() -> None:
    # A program may raise with any text; the error goes into a prompt, hashed as UTF-8.
    assert prompts.normalize("step 0: ValueError: bad \ud800") == "step 0: ValueError: bad \ufffd"
