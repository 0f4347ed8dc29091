"""LLM settings: a config file or flags with values of the wrong kind are one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rote.errors import RoteError
from rote.proposers.llm.config import LLMConfig


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('temperature = "hot"', "llm temperature must be a number, not str"),
        ("retries = 2.5", "llm retries must be a whole number, not float"),
        ("max_tokens = true", "llm max_tokens must be a whole number, not bool"),
        ("cache_only = 1", "llm cache_only must be true or false, not int"),
        ("model = [1]", "llm model must be a string, not list"),
        ("temperature = nan", "llm temperature, top_p and timeout must be finite numbers"),
        ("timeout = inf", "llm temperature, top_p and timeout must be finite numbers"),
        ('base_url = "not a url"', "llm base_url must be an http:// or https:// URL"),
        ('base_url = "ftp://host/v1"', "llm base_url must be an http:// or https:// URL"),
        ('base_url = "http://[::1"', "llm base_url must be an http:// or https:// URL"),
        ('base_url = "http://host:99999/v1"', "llm base_url must be an http:// or https:// URL"),
    ],
)
def test_settings_of_the_wrong_kind_are_one_line_errors(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "llm.toml"
    path.write_text(toml + "\n")
    with pytest.raises(RoteError) as error:
        LLMConfig.load(path)
    assert str(error.value).startswith(message)


def test_flags_are_checked_as_the_file_is() -> None:
    with pytest.raises(RoteError, match="must be finite"):
        LLMConfig.load(None, temperature=float("nan"))
    assert LLMConfig.load(None, base_url="https://host:8443/v1", temperature=0).temperature == 0
