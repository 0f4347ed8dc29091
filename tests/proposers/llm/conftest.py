"""Fixtures for the LLM proposer's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.proposers.llm.fake_server import FakeLLMServer


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    """A started scripted OpenAI-compatible server with an empty script (so a 500 by default);
    `fake_llm.queue(...)` adds responses."""
    with FakeLLMServer() as server:
        yield server
