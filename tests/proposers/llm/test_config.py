"""LLM settings: a config file or flags with values of the wrong kind are one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from rote.errors import RoteError
from rote.proposers.llm.config import LLMConfig
from tests.conftest import assert_one_line_exit_2, run_rote


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


def test_a_config_that_is_not_utf8_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Found by tests/test_cli_fuzz.py: a binary (or Latin-1) file given as --llm-config was a
    UnicodeDecodeError traceback."""
    config = tmp_path / "llm.toml"
    config.write_bytes(b'model = "caf\xe9"\n')
    result = run_rote("generate", "--agent", "snake", "--episodes", "1", "--steps", "3",
                      "--out", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    trajectory = tmp_path / "snake-000.jsonl"
    argv = ["predict", "--trajectory", str(trajectory), "--observe", "1", "--proposer", "llm"]
    result = run_rote(*argv, "--llm-config", str(config))
    assert_one_line_exit_2(result, f"error: {config}: the LLM config is not UTF-8 text (byte 13)")
