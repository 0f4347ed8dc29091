"""The LLM proposer against our scripted OpenAI-compatible server: repair, rejuvenation, two-stage,
and `rote predict` replayed from the cache with zero HTTP calls."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from rote import make_env, rollout, write_trajectory
from rote.agents import make_agent
from rote.cli import main
from rote.programs import Sandbox
from rote.programs.program import Program
from rote.proposers import ProposalRequest
from rote.proposers.llm.cache import CachedBackend
from rote.proposers.llm.http import OpenAIBackend
from rote.proposers.llm.proposer import MAX_PROGRAM_CHARS, LLMProposer
from tests.proposers.llm.fake_server import FakeLLMServer, Trickle

SPEC = make_env("construction")
HISTORY = list(rollout(SPEC, make_agent("construction", "left-right"), steps=8, seed=0).steps)
RIGHT = 'class Agent:\n    def act(self, observation):\n        return "right"\n'
BROKEN = "class Agent:\n    def act(self, observation)\n        return 'right'\n"


def fence(code: str) -> str:
    return f"Here you go.\n```python\n{code}```\nHope it helps."


def proposer(server: FakeLLMServer, sandbox: Sandbox, **options: object) -> LLMProposer:
    backend = OpenAIBackend(server.base_url, "fake-model", retries=0)
    return LLMProposer(backend, sandbox=sandbox, **options)  # type: ignore[arg-type]


def request(n: int, failing: tuple[Program, ...] = ()) -> ProposalRequest:
    return ProposalRequest(SPEC, HISTORY, n, failing=failing, seed=5)


def test_a_failing_program_is_repaired_with_its_error(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    fake_llm.queue([fence(BROKEN)], [fence(RIGHT)])
    programs = proposer(fake_llm, sandbox).propose(request(1))
    assert [p.source for p in programs] == [RIGHT]
    assert programs[0].origin == "llm:fake-model" and programs[0].log_prior == 0.0
    first, repair = fake_llm.bodies
    assert first["n"] == 1 and first["seed"] == 5
    assert repair["messages"][: len(first["messages"])] == first["messages"]
    assert repair["messages"][-2] == {"role": "assistant", "content": fence(BROKEN)}
    assert "syntax error: line 2" in repair["messages"][-1]["content"]


def test_repairs_stop_at_the_limit_and_keep_the_last_program(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    fake_llm.queue([fence(BROKEN)], [fence(BROKEN)])
    model = proposer(fake_llm, sandbox, repairs=1)
    assert [p.source for p in model.propose(request(1))] == [BROKEN]
    assert fake_llm.request_count == 2 and model.usage.llm_requests == 2


def test_an_answer_without_a_program_is_rejected_and_counted(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    fake_llm.queue(["I would rather not.", fence(RIGHT)], ["Still no."], ["No."])
    model = proposer(fake_llm, sandbox)
    assert [p.source for p in model.propose(request(2))] == [RIGHT]
    assert model.usage.rejected == 1
    assert (model.usage.prompt_tokens, model.usage.completion_tokens) == (33, 28)


def test_two_stage_asks_for_a_description_then_for_its_code(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    fake_llm.queue(["It walks right until the wall, then left."], [fence(RIGHT)])
    programs = proposer(fake_llm, sandbox, variant="two-stage").propose(request(1))
    assert [p.source for p in programs] == [RIGHT]
    describe, code = fake_llm.bodies
    assert "Do not write code yet" in describe["messages"][-1]["content"]
    assert code["messages"][-2]["content"] == "It walks right until the wall, then left."


def test_rejuvenation_shows_a_failing_program_and_its_misses(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    stay = Program('class Agent:\n    def act(self, observation):\n        return "stay"\n', "x")
    fake_llm.queue([fence(RIGHT)], [fence(RIGHT)])
    proposer(fake_llm, sandbox).propose(request(2, failing=(stay,)))
    asked = fake_llm.bodies[0]["messages"]
    assert 'return "stay"' in asked[-2]["content"]
    assert "step 0: it returned 'stay', the agent did" in asked[-1]["content"]
    assert fake_llm.request_count == 2  # one conversation per program asked for


def trajectory_file(tmp_path: Path) -> Path:
    path = tmp_path / "left-right.jsonl"
    write_trajectory(
        path, rollout(SPEC, make_agent("construction", "left-right"), steps=12, seed=0)
    )
    return path


def predict(trajectory: Path, cache: Path, *flags: str) -> str:
    return " ".join(
        [
            "predict",
            f"--trajectory={trajectory}",
            "--observe=6",
            "--particles=4",
            f"--cache={cache}",
            "--json",
            *flags,
        ]
    )


@pytest.mark.parametrize("kind", ["llm", "hybrid"])
def test_a_run_replays_byte_identical_from_the_cache_with_no_http_calls(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trajectory = trajectory_file(tmp_path)
    cache = tmp_path / "llm.sqlite"
    with FakeLLMServer(default_text=fence(RIGHT)) as server:
        flags = [f"--proposer={kind}", f"--llm-base-url={server.base_url}", "--llm-model=fake"]
        assert main([*predict(trajectory, cache).split(), *flags, "--budget=500"]) == 0
        first = capsys.readouterr().out
        asked = server.request_count
        assert asked > 0
        flags.append("--cache-only")
        assert main([*predict(trajectory, cache).split(), *flags, "--budget=500"]) == 0
        again = capsys.readouterr().out
        assert server.request_count == asked  # nothing went over HTTP
    assert json.loads(first)["predictions"] == json.loads(again)["predictions"]
    assert first.split('"usage"')[0] == again.split('"usage"')[0]  # byte-identical up to timing
    report = json.loads(again)
    assert report["llm"]["base_url"] == server.base_url and "api_key" not in report["llm"]
    assert report["usage"]["cache_hits"] > 0
    calls = report["usage"]["per_call"]  # accounting per proposer call adds up to the totals
    assert len(calls) == report["usage"]["calls"]
    for field in ("prompt_tokens", "completion_tokens", "llm_requests", "cache_hits"):
        assert sum(call[field] for call in calls) == report["usage"][field]


def test_cache_only_with_a_miss_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trajectory = trajectory_file(tmp_path)
    cache = tmp_path / "llm.sqlite"
    CachedBackend(OpenAIBackend("http://127.0.0.1:9/v1", "fake"), cache).close()
    args = predict(trajectory, cache, "--proposer=llm", "--cache-only").split()
    args += ["--llm-base-url=http://127.0.0.1:9/v1", "--llm-model=fake"]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: --cache-only: ") and error.count("\n") == 1


def padded(lines: int) -> str:
    """RIGHT made `lines` comment lines longer (each 8 characters with its newline)."""
    return RIGHT + "# pad..\n" * lines


def test_a_program_over_the_size_limit_is_rejected_without_repair(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    fits = padded((MAX_PROGRAM_CHARS - len(RIGHT)) // 8)
    assert len(fits) <= MAX_PROGRAM_CHARS < len(fits + "# pad..\n")
    fake_llm.queue([fence(fits + "# pad..\n"), fence(fits)], [fence(RIGHT)])
    model = proposer(fake_llm, sandbox)
    assert [p.source for p in model.propose(request(2))] == [fits]
    assert model.usage.rejected == 1 and fake_llm.request_count == 1


def test_a_repair_answer_over_the_limit_is_rejected(
    fake_llm: FakeLLMServer, sandbox: Sandbox
) -> None:
    fake_llm.queue([fence(BROKEN)], [fence(padded(MAX_PROGRAM_CHARS))], [fence(RIGHT)])
    model = proposer(fake_llm, sandbox)
    assert model.propose(request(1)) == []
    assert model.usage.rejected == 1 and fake_llm.request_count == 2


def test_a_lone_surrogate_in_a_programs_error_reaches_the_repair_prompt_replaced(
    fake_llm: FakeLLMServer, sandbox: Sandbox, tmp_path: Path
) -> None:
    raising = 'class Agent:\n    def act(self, observation):\n        raise ValueError("\\ud800")\n'
    fake_llm.queue([fence(raising)], [fence(RIGHT)])
    backend = CachedBackend(OpenAIBackend(fake_llm.base_url, "fake-model"), tmp_path / "c.db")
    with LLMProposer(backend, sandbox=sandbox) as model:
        assert [p.source for p in model.propose(request(1))] == [RIGHT]
    assert "ValueError: \ufffd" in fake_llm.bodies[1]["messages"][-1]["content"]


def run_llm(
    tmp_path: Path, server: FakeLLMServer, capsys: pytest.CaptureFixture[str], *flags: str
) -> tuple[int, str, str]:
    args = predict(trajectory_file(tmp_path), tmp_path / "llm.sqlite").split()
    args += [f"--llm-base-url={server.base_url}", "--llm-model=fake", "--budget=200", *flags]
    code = main([*(arg for arg in args if arg != "--json"), "--source"])  # programs printed
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_with_a_trickling_server_fails_in_one_line_at_the_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "llm.toml"
    config.write_text("timeout = 0.5\nretries = 0\n")
    with FakeLLMServer([Trickle(0.05)]) as server:
        start = time.monotonic()
        code, out, err = run_llm(
            tmp_path, server, capsys, "--proposer=llm", f"--llm-config={config}"
        )
        assert time.monotonic() - start < 10
    reason = "timed out after 0.5 s (1 attempt)"
    assert code == 2 and out == ""
    assert err == f"error: cannot reach the LLM server at {server.base_url}: {reason}\n"


def test_predict_never_prints_a_program_over_the_size_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = padded(MAX_PROGRAM_CHARS)
    with FakeLLMServer(default_text=fence(huge)) as server:
        code, out, err = run_llm(tmp_path, server, capsys, "--proposer=hybrid")
    assert code == 0, err
    assert "# pad.." not in out and len(out) < 20_000
    assert re.search(r"completion tokens, [1-9]\d* answers without a program", out)


def test_predict_prints_and_caches_an_answer_with_lone_surrogates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = RIGHT.replace('return "right"', 'return "right"  # \ud800')
    with FakeLLMServer(default_text=fence(odd)) as server:
        code, out, err = run_llm(tmp_path, server, capsys, "--proposer=llm")
    assert code == 0, err
    assert 'return "right"  # \ufffd' in out


def test_predict_with_a_cache_of_another_kind_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "llm.sqlite").write_bytes(b"certainly not SQLite\n" * 50)
    with FakeLLMServer(default_text=fence(RIGHT)) as server:
        code, out, err = run_llm(tmp_path, server, capsys, "--proposer=llm")
        assert server.request_count == 0
    assert code == 2 and out == ""
    assert err == f"error: LLM cache {tmp_path / 'llm.sqlite'}: file is not a database\n"
