"""LLM settings in one place: defaults, then a TOML config file, then the environment, then flags.

    # rote-llm.toml (or --llm-config PATH, or ROTE_LLM_CONFIG)
    base_url = "http://localhost:8000/v1"   # omit for the embedded local model
    model = "Qwen/Qwen2.5-Coder-7B-Instruct"
    api_key_env = "OPENAI_API_KEY"          # the variable to read the key from
    temperature = 1.0
    max_tokens = 2000
    variant = "plain"                       # plain | fsm | two-stage
    repairs = 2
    cache = "~/.cache/rote/llm.sqlite"

Environment: ROTE_LLM_BASE_URL, ROTE_LLM_MODEL, ROTE_LLM_API_KEY. The API key is never written
anywhere: `describe()`, which goes into result files, leaves it out.
"""

from __future__ import annotations

import math
import os
import tomllib
import urllib.parse
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from rote.errors import RoteError
from rote.proposers.llm.base import Backend, Sampling
from rote.proposers.llm.cache import CachedBackend
from rote.proposers.llm.local import LlamaCppBackend
from rote.proposers.llm.prompts import VARIANTS

ENVIRONMENT = {
    "ROTE_LLM_BASE_URL": "base_url",
    "ROTE_LLM_MODEL": "model",
}
KEY_VARIABLE = "ROTE_LLM_API_KEY"


def default_cache() -> str:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(root) / "rote" / "llm.sqlite")


@dataclass(frozen=True)
class LLMConfig:
    """How to reach a model and how to sample from it."""

    base_url: str | None = None
    """An OpenAI-compatible endpoint (".../v1"); None for the embedded llama.cpp model."""
    model: str | None = None
    """The server's model name; for the embedded backend, a GGUF path (None: SmolLM2-135M)."""
    api_key_env: str = KEY_VARIABLE
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 2000
    variant: str = "plain"
    repairs: int = 2
    timeout: float = 120.0
    retries: int = 3
    cache: str = field(default_factory=default_cache)
    cache_only: bool = False

    def __post_init__(self) -> None:
        for setting in fields(self):
            value, kind = getattr(self, setting.name), _KINDS[str(setting.type)]
            if not (value is None and "None" in str(setting.type)) and not kind.holds(value):
                raise RoteError(
                    f"llm {setting.name} must be {kind.name}, not {type(value).__name__}"
                )
        if self.variant not in VARIANTS:
            choices = ", ".join(VARIANTS)
            raise RoteError(f"llm variant must be one of {choices}, not {self.variant!r}")
        if self.max_tokens < 1 or self.repairs < 0 or self.retries < 0 or self.timeout <= 0:
            raise RoteError("llm max_tokens, repairs, retries and timeout must be positive")
        if not all(map(math.isfinite, (self.temperature, self.top_p, self.timeout))):
            raise RoteError("llm temperature, top_p and timeout must be finite numbers")
        if self.base_url is not None:
            _check_url(self.base_url)

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> LLMConfig:
        """Defaults < config file < environment < overrides (flags; None means not given)."""
        values: dict[str, Any] = {}
        path = path or os.environ.get("ROTE_LLM_CONFIG")
        if path:
            values.update(_read(Path(path)))
        for variable, name in ENVIRONMENT.items():
            if os.environ.get(variable):
                values[name] = os.environ[variable]
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**values)

    @property
    def sampling(self) -> Sampling:
        return Sampling(temperature=self.temperature, top_p=self.top_p, max_tokens=self.max_tokens)

    def backend(self) -> Backend:
        """The configured backend behind the replay cache."""
        inner: Backend
        if self.base_url is None:
            inner = LlamaCppBackend(self.model)
        else:
            # imported here: the openai client takes most of a second to import, and only runs
            # that talk to a server should pay for it
            from rote.proposers.llm.http import OpenAIBackend

            if not self.model:
                raise RoteError("an LLM server needs a model name: --llm-model or ROTE_LLM_MODEL")
            inner = OpenAIBackend(
                self.base_url,
                self.model,
                api_key=os.environ.get(self.api_key_env),
                timeout=self.timeout,
                retries=self.retries,
            )
        return CachedBackend(inner, Path(self.cache).expanduser(), cache_only=self.cache_only)

    def describe(self) -> dict[str, Any]:
        """Every setting, for result files; the key itself is never among them."""
        return asdict(self)


class _Kind(NamedTuple):
    types: tuple[type, ...]
    name: str

    def holds(self, value: object) -> bool:
        """Whether `value` is of this kind; a bool is no number (TOML keeps them apart)."""
        return isinstance(value, self.types) and (type(value) is not bool or bool in self.types)


_KINDS = {
    "str | None": _Kind((str,), "a string"),
    "str": _Kind((str,), "a string"),
    "float": _Kind((int, float), "a number"),
    "int": _Kind((int,), "a whole number"),
    "bool": _Kind((bool,), "true or false"),
}
"""What each setting's annotation admits: a config file may hold anything TOML can say."""


def _check_url(url: str) -> None:
    """An http(s) URL with a host and, if given, a valid port: what the HTTP client would
    otherwise refuse with a traceback."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  # raises ValueError for a port out of range or not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise RoteError(f"llm base_url must be an http:// or https:// URL with a host, not {url!r}")


def _read(path: Path) -> Mapping[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))  # TOML is UTF-8, whatever the locale
    except OSError as error:
        raise RoteError(f"{path}: cannot read the LLM config: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise RoteError(
            f"{path}: the LLM config is not UTF-8 text (byte {error.start + 1})"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise RoteError(f"{path}: {error}") from None
    if "api_key" in data:
        raise RoteError(f"{path}: api_key: name an environment variable with api_key_env instead")
    known = {f.name for f in fields(LLMConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RoteError(f"{path}: unknown LLM config key {unknown[0]!r}")
    return data
