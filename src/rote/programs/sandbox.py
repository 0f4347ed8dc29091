"""Replay untrusted behaviour programs in a pool of locked-down worker processes.

A program's source is hostile until proven otherwise, so it only ever runs in `_worker.py`: a
separate interpreter (`-I`, empty environment, own session, throwaway cwd) that checks and
restricts the code, times every call and sits under rlimits. This side distributes a batch over
the workers, one round trip each, and is the last line of defence: a program that overruns its
replay budget (a C-level loop ignores the worker's timers) has its worker's process group killed,
is reported as a timeout, and the worker is replaced for the rest of the batch.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rote import skills
from rote.closing import Closeable

Action = str | dict[str, float]

_WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
_START_SECONDS = 10.0
"""For a worker to start, import the standard library and lock itself down."""
_KILL_MARGIN_SECONDS = 1.0
"""Slack beyond a program's own budget before its worker is killed: the worker times programs
itself and reports, so the parent only steps in when the worker cannot."""
_MAX_MESSAGE_BYTES = 1 << 26


@dataclass(frozen=True)
class Limits:
    """Resource limits for each program, and for the workers that run them."""

    call_seconds: float = 0.2
    """Budget for one act() call (and for compiling the source and constructing the Agent)."""
    replay_seconds: float = 5.0
    """Budget for one program's whole replay."""
    memory_mb: int = 512
    """RLIMIT_AS of each worker, on top of what the worker needs at start."""

    def __post_init__(self) -> None:
        if not (self.call_seconds > 0 and self.replay_seconds > 0 and self.memory_mb > 0):
            raise ValueError(f"sandbox limits must be positive, got {self}")


class ReplayResult(NamedTuple):
    """What one program did over one trajectory."""

    outputs: list[Action | None]
    """One per observation: an action name or a normalised distribution; None from the first
    failure on."""
    error: str | None
    """One line, e.g. "step 3: ZeroDivisionError: division by zero"; None if all went well."""
    failed_at: int | None
    """Index of the failing step (0 for compile/__init__ failures, and when the worker was
    lost, since the parent cannot tell which step it was on)."""


class _OverrunError(Exception):
    """The worker did not answer in time."""


class _LostError(Exception):
    """The worker died or broke the protocol; the message says how, when known."""


class _Worker:
    """One worker process and the parent's end of its pipes."""

    def __init__(self, directory: str, limits: Limits) -> None:
        # -s -P instead of -I: the same isolation (no user site, no script dir on the path,
        # an environment holding nothing else) but PYTHONHASHSEED is honoured, so a program
        # that iterates over a set of strings replays identically in every worker.
        self._process = subprocess.Popen(
            [sys.executable, "-s", "-P", str(_WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"PYTHONHASHSEED": "0"},
            cwd=directory,
            start_new_session=True,
            bufsize=0,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._in = self._process.stdin.fileno()
        self._out = self._process.stdout.fileno()
        os.set_blocking(self._in, False)  # writes wait in poll, with a deadline
        self._buffer = bytearray()
        self._scanned = 0
        try:
            deadline = time.monotonic() + _START_SECONDS
            hello = {"limits": dataclasses.asdict(limits), "skills": skills.sources()}
            self.send(_encode(hello), deadline)
            if self.receive(deadline) != {"ready": True}:
                raise _LostError("worker sent a malformed greeting")
        except _OverrunError:
            self.kill()
            raise RuntimeError(
                f"sandbox worker did not start within {_START_SECONDS:g} s"
            ) from None
        except _LostError as lost:
            status = self.kill()
            raise RuntimeError(
                f"sandbox worker failed to start: {str(lost) or _lost_worker(status)}"
            ) from None

    def send(self, data: bytes, deadline: float) -> None:
        poller = select.poll()
        poller.register(self._in, select.POLLOUT)
        view = memoryview(data)
        while view:
            try:
                _wait(poller, deadline)
            except _OverrunError:
                raise _LostError("worker stopped reading its input") from None
            try:
                view = view[os.write(self._in, view) :]
            except BlockingIOError:
                continue
            except OSError:  # BrokenPipeError and friends: the worker is gone
                raise _LostError() from None

    def receive(self, deadline: float) -> Any:
        """The next message, waiting until the deadline at most."""
        poller = select.poll()
        poller.register(self._out, select.POLLIN)
        while (end := self._buffer.find(b"\n", self._scanned)) < 0:
            self._scanned = len(self._buffer)
            if self._scanned > _MAX_MESSAGE_BYTES:
                raise _LostError("worker sent an oversized message")
            _wait(poller, deadline)
            chunk = os.read(self._out, 1 << 16)
            if not chunk:
                raise _LostError()
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        self._scanned = 0
        try:
            return json.loads(line)
        except ValueError:
            raise _LostError("worker sent a malformed message") from None

    def kill(self) -> int:
        """Kill the worker's whole process group and reap it; return its exit status."""
        if self._process.returncode is None:
            # Not reaped yet, so the group id is still ours to signal.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
        return self._process.returncode


def _wait(poller: select.poll, deadline: float) -> None:
    while not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
        if time.monotonic() >= deadline:
            raise _OverrunError


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def _lost_worker(status: int) -> str:
    if status < 0:
        with contextlib.suppress(ValueError):
            return f"worker crashed ({signal.Signals(-status).name})"
    return f"worker crashed (exit status {status})"


class _Batch(NamedTuple):
    episode: bytes
    """The observations and action names, encoded once for every worker."""
    steps: int
    actions: frozenset[str]
    program_seconds: float
    """How long the parent waits for one program's result."""


def _valid_output(output: object, actions: frozenset[str]) -> bool:
    if output is None or isinstance(output, str):
        return output is None or output in actions
    return isinstance(output, dict) and all(
        key in actions and isinstance(value, float) for key, value in output.items()
    )


def _decode(message: Any, batch: _Batch) -> ReplayResult:
    """Check a result message (a worker that ran hostile code is not trusted either)."""
    try:
        outputs, error, failed_at = message["outputs"], message["error"], message["failed_at"]
        valid = (
            isinstance(outputs, list)
            and len(outputs) == batch.steps
            and all(_valid_output(output, batch.actions) for output in outputs)
            and (error is None) == (failed_at is None)
            and (error is None or isinstance(error, str))
            and (failed_at is None or isinstance(failed_at, int))
        )
    except (TypeError, KeyError):
        valid = False
    if not valid:
        raise _LostError("worker sent a malformed result")
    return ReplayResult(outputs, error, failed_at)


class _Pool:
    """The worker processes and their directory, apart from Sandbox so that weakref.finalize can
    hold them without keeping the Sandbox alive."""

    def __init__(self, size: int, limits: Limits) -> None:
        self.limits = limits
        self.workers: list[_Worker | None] = [None] * size
        self.directory: str | None = None
        self.closed = False
        self.owner = os.getpid()

    def worker(self, slot: int) -> _Worker:
        worker = self.workers[slot]
        if worker is None:
            assert self.directory is not None
            worker = self.workers[slot] = _Worker(self.directory, self.limits)
        return worker

    def prepare(self) -> None:
        """Create the workers' directory, before threads race to start workers."""
        if self.closed:
            raise RuntimeError("the sandbox is closed")
        if self.directory is None:
            self.directory = tempfile.mkdtemp(prefix="rote-sandbox-")

    def discard(self, slot: int) -> int:
        worker = self.workers[slot]
        assert worker is not None
        self.workers[slot] = None
        return worker.kill()

    def close(self) -> None:
        if os.getpid() != self.owner:  # a forked child exiting must not kill its parent's workers
            return
        self.closed = True
        for slot, worker in enumerate(self.workers):
            if worker is not None:
                self.discard(slot)
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


class Sandbox(Closeable):
    """A pool of worker processes that replay untrusted programs over a trajectory.

    Workers start on first use and persist between replays. Calls to `replay` are serialised;
    `close()` (or leaving the `with` block, or interpreter exit) kills the workers and removes
    their directory.
    """

    def __init__(self, workers: int | None = None, limits: Limits = Limits()) -> None:
        size = (os.cpu_count() or 1) if workers is None else workers
        if size < 1:
            raise ValueError(f"a sandbox needs at least one worker, got {size}")
        self.limits = limits
        self._pool = _Pool(size, limits)
        self._lock = threading.Lock()
        self._finalizer = weakref.finalize(self, self._pool.close)

    def replay(
        self,
        sources: Sequence[str],
        observations: Sequence[dict[str, Any]],
        action_names: Sequence[str],
    ) -> list[ReplayResult]:
        """Instantiate each program once and call `act` on each observation in order.

        Returns one result per source, in input order. A program's failure (compile error,
        exception, invalid action, timeout, crash) is reported in its result and never stops
        the others.
        """
        with self._lock:
            self._pool.prepare()
            if not sources:
                return []
            episode = {"observations": list(observations), "action_names": list(action_names)}
            batch = _Batch(
                _encode(episode),
                len(observations),
                frozenset(action_names),
                self.limits.replay_seconds + self.limits.call_seconds + _KILL_MARGIN_SECONDS,
            )
            slots = min(len(self._pool.workers), len(sources))
            found: dict[int, ReplayResult] = {}
            with ThreadPoolExecutor(slots, thread_name_prefix="rote-sandbox") as executor:
                shares = [
                    executor.submit(
                        self._run, slot, range(slot, len(sources), slots), sources, batch
                    )
                    for slot in range(slots)
                ]
                for share in shares:
                    found.update(share.result())
            return [found[index] for index in range(len(sources))]

    def _run(
        self, slot: int, indices: range, sources: Sequence[str], batch: _Batch
    ) -> dict[int, ReplayResult]:
        """Replay one worker's share; when the worker is lost, fail the program it was running
        and carry on with a fresh worker."""
        results: dict[int, ReplayResult] = {}
        pending = collections.deque(indices)
        while pending:
            worker = self._pool.worker(slot)
            try:
                program = _encode({"sources": [sources[index] for index in pending]})
                worker.send(batch.episode + program, time.monotonic() + _START_SECONDS)
                while pending:
                    message = worker.receive(time.monotonic() + batch.program_seconds)
                    results[pending[0]] = _decode(message, batch)
                    pending.popleft()
            except _OverrunError:
                self._pool.discard(slot)
                error = f"timeout: replay exceeded {self.limits.replay_seconds:g} s (worker killed)"
                results[pending.popleft()] = ReplayResult([None] * batch.steps, error, 0)
            except _LostError as lost:
                status = self._pool.discard(slot)
                error = str(lost) or _lost_worker(status)
                results[pending.popleft()] = ReplayResult([None] * batch.steps, error, 0)
        return results

    def close(self) -> None:
        """Kill the workers and remove their directory; the sandbox cannot be used after."""
        with self._lock:
            self._finalizer()
