"""Naive LLM prompting (the paper's "naive LLM" baseline): ask the model for the next action.

At every prediction the model sees the env's rules, the whole history rendered as text (the
same rendering the program-writing prompt uses) and the current observation, and is asked which
action the agent takes next. Nothing is learned: the history is context, so frozen and online
protocols see the same thing, and every prediction costs a call. The answer is read for the
first action name it mentions as a whole word, tolerating chatter around it; with n > 1 samples
the prediction is their histogram. An answer naming no action counts as a parse failure and, if
no sample names one, the prediction is uniform.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import ClassVar

from rote.envs.base import EnvSpec
from rote.observation import Observation
from rote.predictor import Predictor
from rote.proposers.llm.base import Backend, Message, Sampling
from rote.proposers.llm.prompts import render_history
from rote.trajectory import Step

TEMPERATURE = 0.75
"""The paper's sampling temperature for this baseline."""

SYSTEM = "You are a helpful assistant."

QUESTION = "Which action will the agent take next? Answer with one action name: {actions}."


class NLLMPredictor(Predictor):
    """Asks a language model, at every step, which action comes next."""

    name: ClassVar[str] = "nllm"

    def __init__(
        self,
        env: EnvSpec,
        backend: Backend,
        sampling: Sampling | None = None,
        *,
        n: int = 1,
    ) -> None:
        super().__init__(env)
        if n < 1:
            raise ValueError(f"n must be at least 1, not {n}")
        self.backend = backend
        self.sampling = sampling or Sampling(temperature=TEMPERATURE)
        self.n = n
        self.history: list[Step] = []
        names = "|".join(
            re.escape(action) for action in sorted(self.actions, key=len, reverse=True)
        )
        self._action = re.compile(rf"(?<![\w-])({names})(?![\w-])", re.IGNORECASE)
        self._canonical = {action.lower(): action for action in self.actions}
        self._usage: Counter[str] = Counter()

    def messages(self, observation: Observation) -> list[Message]:
        """The prompt for the step after the history: rules, history, the current observation."""
        current = f"Step {len(self.history)}:\n{self.env.render_text(observation)}"
        actions = ", ".join(self.actions)
        parts = [
            "You are watching an agent act in an environment. Predict what it does next.",
            f"## Environment\n{self.env.rules}",
            f"## Actions\n{actions}",
        ]
        if self.history:
            parts.append(f"## What the agent did\n{render_history(self.env, self.history)}")
        parts += [f"## Now\n{current}", QUESTION.format(actions=actions)]
        return [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "\n\n".join(parts)},
        ]

    def parse(self, answer: str) -> str | None:
        """The first action name in the answer as a whole word (any case), or None."""
        found = self._action.search(answer)
        return None if found is None else self._canonical[found.group(1).lower()]

    def usage(self) -> dict[str, float]:
        return {
            "calls": self._usage["calls"],
            "prompt_tokens": self._usage["prompt_tokens"],
            "completion_tokens": self._usage["completion_tokens"],
            "parse_failures": self._usage["parse_failures"],
        }

    def _observe(self, observation: Observation, action: str, update: bool) -> None:
        self.history.append(Step(observation, action))

    def _predict(self, observation: Observation) -> dict[str, float]:
        completion = self.backend.complete(self.messages(observation), self.n, self.sampling)
        self._usage["calls"] += 1
        self._usage["prompt_tokens"] += completion.prompt_tokens
        self._usage["completion_tokens"] += completion.completion_tokens
        votes: Counter[str] = Counter()
        for text in completion.texts:
            action = self.parse(text)
            if action is None:
                self._usage["parse_failures"] += 1
            else:
                votes[action] += 1
        if not votes:
            return dict.fromkeys(self.actions, 1.0)
        return {action: float(votes[action]) for action in self.actions}

    def close(self) -> None:
        """Close the backend, which the predictor was handed to own (as the LLM proposer does)."""
        self.backend.close()
