"""The shell commands in README.md and docs/*.md run as written, so a doc that stops working fails
the tests (issue 18).

Every fenced shell block carries a mark on the line just before its fence, an HTML comment that
GitHub does not show:

    <!-- runnable -->              the block runs here, offline, in a few seconds or minutes
    <!-- not run: REASON -->       it cannot (an LLM server, a download, ten minutes), and why

A shell block with neither mark fails `test_every_shell_block_is_marked`, so a new doc cannot
escape silently. The runnable blocks of one file run in document order, in one fresh directory per
file (a later block may read what an earlier one wrote), each with `bash -euo pipefail`, with this
checkout's `rote` first on PATH and HOME in that directory (the LLM cache, matplotlib's config).
They need what `make test` installs: every extra, the embedded model, the Overcooked data.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import BIN

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELLS = {"sh", "bash", "shell", "console"}
RUNNABLE = "<!-- runnable -->"
NOT_RUN = re.compile(r"<!-- not run: \S.*-->")
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
BLOCK_TIMEOUT = 240.0
"""Seconds for one block; the slowest (the --quick bench, the embedded LLM) take about a minute
on 2 busy cores."""
TAIL = 20


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, the line before its fence, its text."""

    doc: Path
    line: int
    language: str
    mark: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.mark == RUNNABLE


def blocks(doc: Path) -> list[Block]:
    """The fenced code blocks of `doc` in document order (a fence closes on the same kind of
    fence, at least as long, as CommonMark says)."""
    found: list[Block] = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, language = opening["fence"], (opening["info"].split() or [""])[0]
        end = index + 1
        while end < len(lines) and not re.fullmatch(
            rf" {{0,3}}{fence[0]}{{{len(fence)},}}\s*", lines[end]
        ):
            end += 1
        mark = lines[index - 1].strip() if index > 0 else ""
        found.append(Block(doc, index + 1, language, mark, "\n".join(lines[index + 1 : end])))
        index = end + 1
    return found


ALL = [block for doc in DOCS for block in blocks(doc)]
RUN = [block for block in ALL if block.language in SHELLS and block.runnable]


def test_every_shell_block_is_marked() -> None:
    """Marked runnable, or not run with a reason; and a mark stands only before a shell block."""
    unmarked = [
        b.name
        for b in ALL
        if b.language in SHELLS and not b.runnable and not NOT_RUN.fullmatch(b.mark)
    ]
    assert not unmarked, (
        f"shell blocks with neither {RUNNABLE} nor <!-- not run: REASON --> on the line before "
        f"the fence: {', '.join(unmarked)}"
    )
    stray = [
        b.name
        for b in ALL
        if b.language not in SHELLS and (b.runnable or NOT_RUN.fullmatch(b.mark))
    ]
    assert not stray, f"run marks before blocks that are not shell: {', '.join(stray)}"


@dataclass
class Workspace:
    """A doc's directory and what its blocks did there, so that a block selected alone first runs
    the blocks before it, and a block after a failed one is skipped rather than failed again."""

    path: Path
    ran: dict[int, bool] = field(default_factory=dict)


@pytest.fixture(scope="session")
def workspaces() -> dict[Path, Workspace]:
    """Each doc's workspace, by doc."""
    return {}


def _environment(home: Path) -> dict[str, str]:
    """A user's shell with this checkout's rote: the venv's bin first on PATH (its console
    script), the worktree's source on PYTHONPATH, and no ROTE_* settings of the developer's (a
    ROTE_LLM_BASE_URL would send the embedded model's example to their server)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROTE_")}
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["PYTHONPATH"] = str(ROOT / "src")
    env["HOME"] = str(home)
    return env


def _run(block: Block, cwd: Path) -> tuple[int | None, str, str]:
    """Run `block` with bash in `cwd`; the exit code (None on timeout), stdout and stderr. bash
    traces each command to stderr with its line in the doc, so the tail shows which one failed;
    the block runs in a session of its own, so a timeout kills every process it started."""
    doc = block.doc.relative_to(ROOT)
    # The trace is the script's line 1, so the block's first line (the doc's line+1) is its 2.
    trace = f"PS4='+ {doc}:$(({block.line} - 1 + LINENO)): '; set -x\n"
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", trace + block.code],
        cwd=cwd,
        env=_environment(cwd / "home"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=BLOCK_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        return None, out, err
    return process.returncode, out, err


def _tail(text: str) -> str:
    return "\n".join(text.splitlines()[-TAIL:])


def _workspace(
    workspaces: dict[Path, Workspace], doc: Path, factory: pytest.TempPathFactory
) -> Workspace:
    """The doc's fresh directory, created on first use, holding a copy of docs/examples: the
    docs' commands run from a checkout, and some name the example plugin by that path."""
    if doc not in workspaces:
        path = factory.mktemp(doc.stem)
        examples = path / "docs" / "examples"
        shutil.copytree(
            ROOT / "docs" / "examples", examples, ignore=shutil.ignore_patterns("__pycache__")
        )
        (path / "home").mkdir()
        workspaces[doc] = Workspace(path)
    return workspaces[doc]


@pytest.mark.parametrize("block", RUN, ids=[b.name for b in RUN])
def test_documented_commands_run(
    block: Block, workspaces: dict[Path, Workspace], tmp_path_factory: pytest.TempPathFactory
) -> None:
    workspace = _workspace(workspaces, block.doc, tmp_path_factory)
    earlier = [b for b in RUN if b.doc == block.doc and b.line < block.line]
    for before in earlier:
        if before.line not in workspace.ran:
            workspace.ran[before.line] = _run(before, workspace.path)[0] == 0
        if not workspace.ran[before.line]:
            pytest.skip(f"{before.name} failed, and this block may need what it writes")
    code, out, err = _run(block, workspace.path)
    workspace.ran[block.line] = code == 0
    if code != 0:
        status = f"timed out after {BLOCK_TIMEOUT:.0f} s" if code is None else f"exit code {code}"
        pytest.fail(
            f"{block.name}: {status}\n$ {block.code}\n"
            f"--- stdout (last {TAIL} lines)\n{_tail(out)}\n"
            f"--- stderr (last {TAIL} lines)\n{_tail(err)}",
            pytrace=False,
        )
