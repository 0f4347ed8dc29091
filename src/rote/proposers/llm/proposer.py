"""The LLM proposer: the paper's program writer, with repair and rejuvenation prompts.

A first call samples n answers to one prompt (or, in two-stage, n strategy descriptions, each
then coded). Each answer's program is run on the history in the sandbox; a syntax error,
exception or invalid action goes back to the model with the error, up to `repairs` times. Later
calls (SMC rejuvenation) show the model a failing program and where it mispredicted, and ask for
a different one. Every program that came out of an answer is returned, working or not: the
likelihood, not the proposer, decides what a program is worth. Only a program over
MAX_PROGRAM_CHARS is dropped, unrun.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from rote.envs.base import EnvSpec
from rote.envs.registry import registration
from rote.programs.program import Program
from rote.programs.sandbox import Sandbox
from rote.proposers.base import ProposalRequest, Proposer
from rote.proposers.llm import prompts
from rote.proposers.llm.base import Backend, Message, Sampling
from rote.proposers.llm.cache import CachedBackend
from rote.proposers.llm.config import LLMConfig
from rote.trajectory import Step

MAX_PROGRAM_CHARS = 64 * 1024
"""The longest program (in characters) accepted from an answer. A sampled program is a few
thousand (2,000 tokens are about 8,000); a longer one than this is rejected rather than run in
the sandbox, kept among the particles and printed."""


class LLMProposer(Proposer):
    """Programs written by a language model through any `Backend`."""

    name: ClassVar[str] = "llm"

    def __init__(
        self,
        backend: Backend,
        *,
        sampling: Sampling | None = None,
        variant: str = "plain",
        repairs: int = 2,
        sandbox: Sandbox | None = None,
    ) -> None:
        super().__init__()
        if variant not in prompts.VARIANTS:
            raise ValueError(f"prompt variant must be one of {', '.join(prompts.VARIANTS)}")
        if repairs < 0:
            raise ValueError(f"repairs must be >= 0, not {repairs}")
        self.backend = backend
        self.sampling = sampling or Sampling()
        self.variant = variant
        self.repairs = repairs
        self._sandbox = sandbox
        self._owns_sandbox = sandbox is None
        self.origin = f"llm:{backend.model}"

    @classmethod
    def from_config(cls, config: LLMConfig) -> LLMProposer:
        """The proposer a configuration describes, behind its replay cache."""
        return cls(
            config.backend(),
            sampling=config.sampling,
            variant=config.variant,
            repairs=config.repairs,
        )

    @property
    def sandbox(self) -> Sandbox:
        if self._sandbox is None:
            self._sandbox = Sandbox(workers=1)
        return self._sandbox

    def _propose(self, request: ProposalRequest) -> list[Program]:
        sampling = replace(self.sampling, seed=request.seed)
        helpers = prompts.describe_helpers(registration(request.env).skills)
        base = prompts.messages_for(request.env, request.history, helpers, self.variant)
        if request.failing:
            conversations = self._rejuvenation(request, base)
            answers = [self._complete(c, 1, sampling)[0] for c in conversations]
        else:
            answers = self._complete(base, request.n, sampling)
            conversations = [base] * len(answers)
            if self.variant == "two-stage":
                conversations = [
                    prompts.code_from_description(base, description, request.env)
                    for description in answers
                ]
                answers = [self._complete(c, 1, sampling)[0] for c in conversations]
        programs = []
        for conversation, answer in zip(conversations, answers, strict=True):
            program = self._working(request, conversation, answer, sampling)
            if program is not None:
                programs.append(program)
        if isinstance(self.backend, CachedBackend):
            self.usage.cache_hits = self.backend.hits
        return programs

    def _complete(self, messages: list[Message], n: int, sampling: Sampling) -> list[str]:
        completion = self.backend.complete(messages, n, sampling)
        self.usage.llm_requests += 1
        self.usage.prompt_tokens += completion.prompt_tokens
        self.usage.completion_tokens += completion.completion_tokens
        return completion.texts

    def _working(
        self, request: ProposalRequest, conversation: list[Message], answer: str, sampling: Sampling
    ) -> Program | None:
        """The answer's program, repaired while it fails on the history and repairs remain.
        None when no answer ever contained a program, or the last one is too long."""
        source = prompts.extract_code(answer)
        for _ in range(self.repairs):
            if source is not None and len(source) > MAX_PROGRAM_CHARS:
                # No repair: its prompt would send the whole oversized answer back to the model.
                break
            error = (
                "the answer has no ```python block defining class Agent"
                if source is None
                else self._error(source, request.env, request.history)
            )
            if error is None:
                break
            conversation = prompts.repair(conversation, answer, error)
            answer = self._complete(conversation, 1, sampling)[0]
            source = prompts.extract_code(answer) or source
        if source is None or len(source) > MAX_PROGRAM_CHARS:
            self.usage.rejected += 1
            return None
        return Program(source, origin=self.origin, prompt_hash=prompts.prompt_hash(conversation))

    def _error(self, source: str, env: EnvSpec, history: Sequence[Step]) -> str | None:
        observations = [step.observation for step in history]
        result = self.sandbox.replay([source], observations, env.action_names)[0]
        return result.error

    def _rejuvenation(self, request: ProposalRequest, base: list[Message]) -> list[list[Message]]:
        """One conversation per requested program, cycling through the failing programs, each
        shown with the steps it got wrong."""
        failing = list(request.failing)
        observations = [step.observation for step in request.history]
        results = self.sandbox.replay(
            [program.source for program in failing], observations, request.env.action_names
        )
        shown = []
        for program, result in zip(failing, results, strict=True):
            pairs = zip(result.outputs, request.history, strict=True)
            misses = [
                (t, str(output), step.action or "")
                for t, (output, step) in enumerate(pairs)
                if output != step.action
            ]
            shown.append(prompts.rejuvenate(base, program.source, misses))
        return [shown[i % len(shown)] for i in range(request.n)]

    def close(self) -> None:
        if self._owns_sandbox and self._sandbox is not None:
            self._sandbox.close()
        self.backend.close()
