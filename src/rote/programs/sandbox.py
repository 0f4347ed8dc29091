"""Run untrusted behaviour programs in confined worker processes, and keep them running.

A program's source is hostile until proven otherwise, so it only ever runs in `_worker.py`: a
separate interpreter under OS confinement (`rote.programs.confinement`) that forks one process
per program. Two ways to use it:

- `Sandbox.replay`: run programs once over a trajectory (what proposers need);
- `Sandbox.session`: *live* programs for one observed agent. `Session.add` brings programs to
  the present by replaying the history once; from then on `Session.step` advances every program
  by one observation, so a step costs the same at step 20 and at step 2,000. `Session.peek`
  evaluates an observation without committing to it: when the same observation is then stepped
  (the paper's protocol: predict, then observe), nothing runs twice.

A program's state is a function of its source and the observations it has seen (the sandbox
makes replays repeatable), so equal sources are one live program, whatever the number of
particles that hold it. A worker that dies loses its programs; they are rebuilt on a fresh worker
by replaying the history, and `Session.rebuilds` counts it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from rote import skills
from rote.closing import Closeable
from rote.programs import confinement as os_layer

Action = str | dict[str, float]
Output = Action | None

_WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
_START_SECONDS = 30.0
"""For a worker to start: bubblewrap, the interpreter, the skills, the filters."""
_MARGIN_SECONDS = 2.0
"""Slack beyond what a worker needs in the worst case before the parent gives up on it: the
worker times and kills programs itself, so the parent only steps in when the worker cannot."""
_MAX_MESSAGE_BYTES = 1 << 28
_CLOSE_SECONDS = 2.0
"""How long a closed worker may take to end its programs and exit before it is killed."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for each program."""

    call_seconds: float = 0.2
    """CPU budget for one act() call (and for compiling the source and constructing Agent)."""
    replay_seconds: float = 5.0
    """CPU budget for replaying the history when a program joins."""
    memory_mb: int = 512
    """RLIMIT_AS of each program's process, on top of what it needs at start."""

    def __post_init__(self) -> None:
        if not (self.call_seconds > 0 and self.replay_seconds > 0 and self.memory_mb > 0):
            raise ValueError(f"sandbox limits must be positive, got {self}")


class ReplayResult(NamedTuple):
    """What one program did over one trajectory."""

    outputs: list[Output]
    """One per observation: an action name or a normalised distribution; None from the first
    failure on."""
    error: str | None
    """One line, e.g. "step 3: ZeroDivisionError: division by zero"; None if all went well."""
    failed_at: int | None
    """Index of the failing step (0 for compile/__init__ failures, and when the worker was
    lost, since the parent cannot tell which step it was on)."""


class StepResult(NamedTuple):
    """What every program of a session did with one observation."""

    outputs: dict[str, Output]
    """By key, every program of the session: None for one that has failed."""
    errors: dict[str, str]
    """By key, the programs that failed at this step, with the one-line reason."""


class _LostError(Exception):
    """The worker died, overran or broke the protocol; the message says how, when known."""


def _encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def _lost_worker(status: int) -> str:
    if status < 0:
        with contextlib.suppress(ValueError):
            return f"worker crashed ({signal.Signals(-status).name})"
    return f"worker crashed (exit status {status})"


class _Worker:
    """One worker process and the parent's end of its pipes."""

    def __init__(
        self, limits: Limits, confinement: os_layer.Confinement, python_checks: bool
    ) -> None:
        filters = os_layer.filters() if confinement.seccomp else None
        self.directory = tempfile.mkdtemp(prefix="rote-sandbox-")
        self._process = subprocess.Popen(
            os_layer.worker_command(confinement, _WORKER_SCRIPT),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"PYTHONHASHSEED": "0"},  # set iteration order equal in every worker
            cwd=self.directory,
            start_new_session=True,
            bufsize=0,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._in = self._process.stdin.fileno()
        self._out = self._process.stdout.fileno()
        os.set_blocking(self._in, False)  # writes wait in poll, with a deadline
        self._buffer = bytearray()
        self._scanned = 0
        hello = {
            "limits": dataclasses.asdict(limits),
            "skills": skills.sources(),
            "checks": python_checks,
            "host_filter": filters[0].hex() if filters else None,
            "particle_filter": filters[1].hex() if filters else None,
        }
        try:
            deadline = time.monotonic() + _START_SECONDS
            self.send(_encode(hello), deadline)
            ready = self.receive(deadline)
            if not isinstance(ready, dict) or ready.get("ready") is not True:
                raise _LostError("worker sent a malformed greeting")
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
            _wait(poller, deadline, "worker stopped reading its input")
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
            _wait(poller, deadline, "worker did not answer in time (killed)")
            chunk = os.read(self._out, 1 << 20)
            if not chunk:
                raise _LostError()
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        self._scanned = 0
        try:
            return json.loads(line)
        except (ValueError, RecursionError):
            raise _LostError("worker sent a malformed message") from None

    def kill(self, grace: float = 0.0) -> int:
        """Stop the worker and every program in it, reap it and return its exit status.

        With `grace`, first close its input and give it that long to exit by itself. Without,
        or after that, kill every process under it: inside bubblewrap they have their own
        session and process group, so only that reaches them, and it leaves the namespace's
        init to reap them (killing bubblewrap first would orphan its init as a zombie)."""
        if self._process.returncode is None and grace > 0:
            self._process.stdin.close()  # type: ignore[union-attr]  # set in __init__
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(grace)
        if self._process.returncode is None:
            for pid in _descendants(self._process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            try:
                self._process.wait(_START_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        return self._process.returncode


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    found, frontier = [], [pid]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return found


def _wait(poller: select.poll, deadline: float, overrun: str) -> None:
    while not poller.poll(max(0.0, deadline - time.monotonic()) * 1000):
        if time.monotonic() >= deadline:
            raise _LostError(overrun)


class _Slot:
    """A place for one worker: empty until first use, refilled after a loss. `generation`
    changes with every new worker, so a session can tell that its programs there are gone."""

    def __init__(self) -> None:
        self.worker: _Worker | None = None
        self.generation = 0


class _Pool:
    """The workers, apart from Sandbox so that weakref.finalize can hold them without keeping
    the Sandbox alive."""

    def __init__(self, size: int) -> None:
        self.slots = [_Slot() for _ in range(size)]
        self.closed = False
        self.owner = os.getpid()

    def discard(self, slot: _Slot, grace: float = 0.0) -> int:
        worker, slot.worker = slot.worker, None
        return worker.kill(grace) if worker is not None else 0

    def close(self) -> None:
        if os.getpid() != self.owner:  # a forked child exiting must not kill its parent's workers
            return
        self.closed = True
        for slot in self.slots:
            self.discard(slot, grace=_CLOSE_SECONDS)


class Sandbox(Closeable):
    """Confined worker processes that run untrusted programs, once or live.

    Workers start on first use and persist; calls are serialised. `close()` (or leaving the
    `with` block, or interpreter exit) kills the workers and every program in them.
    """

    def __init__(
        self,
        workers: int | None = None,
        limits: Limits = Limits(),
        *,
        python_checks: bool = True,
        confinement: os_layer.Confinement | None = None,
    ) -> None:
        """`python_checks=False` switches the Python layer off, so tests can show that the OS
        layer alone contains raw Python; never use it otherwise. `confinement` defaults to the
        strongest this machine offers."""
        size = (os.cpu_count() or 1) if workers is None else workers
        if size < 1:
            raise ValueError(f"a sandbox needs at least one worker, got {size}")
        self.limits = limits
        self.python_checks = python_checks
        self.confinement = confinement or os_layer.detect()
        self._pool = _Pool(size)
        self._lock = threading.RLock()
        self._sessions = 0
        self._finalizer = weakref.finalize(self, self._pool.close)

    def replay(
        self,
        sources: Sequence[str],
        observations: Sequence[Mapping[str, Any]],
        action_names: Sequence[str],
    ) -> list[ReplayResult]:
        """Instantiate each program once and call `act` on each observation in order.

        Returns one result per source, in input order. A program's failure (compile error,
        exception, invalid action, timeout, crash) is reported in its result and never stops
        the others. Equal sources run once.
        """
        with self.session(action_names) as session:
            for observation in observations:
                session.step(observation)  # no program yet: only the history grows
            distinct = {source: str(index) for index, source in enumerate(dict.fromkeys(sources))}
            found = session.add({key: source for source, key in distinct.items()}, live=False)
        return [found[distinct[source]] for source in sources]

    def session(self, action_names: Sequence[str]) -> Session:
        """Live programs for one agent, over the env's action names."""
        with self._lock:
            if self._pool.closed:
                raise RuntimeError("the sandbox is closed")
            self._sessions += 1
            return Session(self, self._sessions, list(action_names))

    def _worker(self, slot: _Slot) -> _Worker:
        if self._pool.closed:
            raise RuntimeError("the sandbox is closed")
        if slot.worker is None:
            slot.worker = _Worker(self.limits, self.confinement, self.python_checks)
            slot.generation += 1
        return slot.worker

    def close(self) -> None:
        """Kill the workers and every program in them; the sandbox cannot be used after."""
        with self._lock:
            self._finalizer()


@dataclass
class _Placement:
    """What a session has on one slot: its programs, and how far the worker there knows the
    history (for the generation of worker it was sent to)."""

    keys: dict[str, str] = dataclasses.field(default_factory=dict)
    """Live programs here: key -> source."""
    generation: int = -1
    shipped: int = 0
    """Observations of the history the worker has."""


class _Pending(NamedTuple):
    encoded: bytes
    result: StepResult
    sent: list[int]
    """The slots whose workers have the observation."""


class Session(Closeable):
    """Live programs advancing in step with one observed agent (see the module docstring)."""

    def __init__(self, sandbox: Sandbox, number: int, action_names: list[str]) -> None:
        self._sandbox = sandbox
        self._number = number
        self.action_names = action_names
        self._actions = frozenset(action_names)
        self.history: list[bytes] = []
        """The committed observations, encoded once each."""
        self._placements = [_Placement() for _ in sandbox._pool.slots]
        self._failed: set[str] = set()
        self._pending: _Pending | None = None
        self.rebuilds = 0
        """Workers lost and rebuilt by replaying the history, over the session's life."""
        self._closed = False

    # -- the history and the programs ------------------------------------------------------------

    def add(self, programs: Mapping[str, str], *, live: bool = True) -> dict[str, ReplayResult]:
        """Start programs (key -> source) and replay the history into them: each one's outputs
        over the history. Keys already in the session are replaced. With `live=False` the
        programs end after the replay (a one-off run)."""
        with self._sandbox._lock:
            self._resolve_pending()
            self.drop(programs)
            shares: dict[int, dict[str, str]] = {}
            for key, source in programs.items():
                index = min(
                    range(len(self._placements)),
                    key=lambda i: len(self._placements[i].keys) + len(shares.get(i, {})),
                )
                shares.setdefault(index, {})[key] = source
            results: dict[str, ReplayResult] = {}
            for index, share in shares.items():
                results.update(self._add_on(index, share, live))
            return {key: results[key] for key in programs}

    def drop(self, keys: Iterable[str]) -> None:
        """End programs; unknown keys are ignored."""
        keys = set(keys)
        with self._sandbox._lock:
            self._resolve_pending()
            for index, placement in enumerate(self._placements):
                gone = [key for key in keys if key in placement.keys]
                for key in gone:
                    del placement.keys[key]
                slot = self._sandbox._pool.slots[index]
                if gone and slot.worker is not None and placement.generation == slot.generation:
                    self._send(slot, {"op": "drop", "session": self._number, "keys": gone})
            self._failed.difference_update(keys)

    # -- stepping --------------------------------------------------------------------------------

    def step(self, observation: Mapping[str, Any]) -> StepResult:
        """Advance every program by one observation, for good."""
        encoded = _encode(observation)
        with self._sandbox._lock:
            pending, self._pending = self._pending, None
            if pending is None or pending.encoded != encoded:
                if pending is not None:
                    self._pending = pending
                    self._undo()
                pending = _Pending(encoded, *self._advance(encoded))
            self.history.append(encoded)
            for index in pending.sent:
                self._placements[index].shipped += 1
            self._settle(pending.result)
            return pending.result

    def peek(self, observation: Mapping[str, Any]) -> StepResult:
        """What every program does with an observation, without committing to it: a `step` of
        the same observation next costs nothing; any other call first rebuilds the programs
        as they were (by replay), which is slow."""
        encoded = _encode(observation)
        with self._sandbox._lock:
            if self._pending is not None:
                if self._pending.encoded == encoded:
                    return self._pending.result
                self._undo()
            self._pending = _Pending(encoded, *self._advance(encoded))
            return self._pending.result

    def _resolve_pending(self) -> None:
        with self._sandbox._lock:
            if self._pending is not None:
                self._undo()

    def _settle(self, result: StepResult) -> None:
        """A committed step's failures: those programs are gone from their workers."""
        for key in result.errors:
            for placement in self._placements:
                placement.keys.pop(key, None)
            self._failed.add(key)

    def _advance(self, encoded: bytes) -> tuple[StepResult, list[int]]:
        """Send one observation to every worker holding programs; gather their answers, and
        which workers now have the observation."""
        if len(encoded) > _MAX_MESSAGE_BYTES:
            raise ValueError(f"an observation of {len(encoded)} bytes is too large to send")
        outputs: dict[str, Output] = dict.fromkeys(self._failed)
        errors: dict[str, str] = {}
        message = _encode({"op": "step", "session": self._number}) + encoded
        busy = {
            index: (message, self._step_seconds(len(placement.keys)))
            for index, placement in enumerate(self._placements)
            if placement.keys
        }
        sent = []
        for index, answer in self._exchange_each(busy).items():
            share = self._placements[index].keys
            try:
                if isinstance(answer, _LostError):
                    raise answer
                found, failed = self._checked_step(answer, share)
                sent.append(index)
            except _LostError as lost:
                step = len(self.history)
                found = dict.fromkeys(share)
                failed = dict.fromkeys(share, f"step {step}: sandbox: {lost}")
            outputs.update(found)
            errors.update(failed)
        return StepResult(outputs, errors), sent

    def _undo(self) -> None:
        """Forget the pending step in every worker: their programs are rebuilt by replay."""
        self._pending = None
        header = _encode({"op": "undo", "session": self._number})
        for index, placement in enumerate(self._placements):
            slot = self._sandbox._pool.slots[index]
            if not placement.keys or placement.generation != slot.generation:
                continue  # a worker lost meanwhile is rebuilt from the committed history anyway
            seconds = self._replay_seconds(len(placement.keys))
            answer = self._exchange(index, header, seconds, undo=True)
            found = self._checked_replays(answer, placement.keys, len(self.history))
            for key, result in found.items():
                if result.error is not None:
                    del placement.keys[key]
                    self._failed.add(key)

    # -- talking to workers ----------------------------------------------------------------------

    def _add_on(self, index: int, share: dict[str, str], live: bool) -> dict[str, ReplayResult]:
        message = _encode(
            {"op": "add", "session": self._number, "particles": list(share.items()), "live": live}
        )
        try:
            answer = self._exchange(index, message, self._replay_seconds(len(share)))
            results = self._checked_replays(answer, share, len(self.history))
        except _LostError as lost:
            failed = ReplayResult([None] * len(self.history), f"sandbox: {lost}", 0)
            results = dict.fromkeys(share, failed)
        if live:
            placement = self._placements[index]
            for key, result in results.items():
                if result.error is None:
                    placement.keys[key] = share[key]
                else:
                    self._failed.add(key)
        return results

    def _exchange(
        self, index: int, message: bytes, seconds: float, *, undo: bool = False, tries: int = 2
    ) -> Any:
        """Send one command to the worker of a slot (bringing it up to date first) and return
        its answer. A lost worker is replaced and its programs rebuilt, then the command is
        tried again, `tries` times in all; the last loss is raised."""
        slot = self._sandbox._pool.slots[index]
        for attempt in range(1, tries + 1):
            try:
                worker = self._sandbox._worker(slot)
                rebuilt = self._sync(index, slot, worker)
                if rebuilt and undo:
                    return None  # rebuilt from the committed history: nothing left to undo
                worker.send(message, time.monotonic() + _START_SECONDS + seconds)
                return worker.receive(time.monotonic() + seconds)
            except _LostError as lost:
                status = self._sandbox._pool.discard(slot)
                if attempt == tries:
                    raise _LostError(str(lost) or _lost_worker(status)) from None
        raise AssertionError("unreachable")

    def _exchange_each(self, messages: dict[int, tuple[bytes, float]]) -> dict[int, Any]:
        """`_exchange` with several workers at once: every command is sent before any answer
        is awaited, so the workers run in parallel. A lost worker's answer is the _LostError."""
        answers: dict[int, Any] = {}
        waiting: dict[int, _Worker] = {}
        for index, (message, seconds) in messages.items():
            slot = self._sandbox._pool.slots[index]
            try:
                worker = self._sandbox._worker(slot)
                self._sync(index, slot, worker)
                worker.send(message, time.monotonic() + _START_SECONDS + seconds)
                waiting[index] = worker
            except _LostError:
                pass  # tried again below, on a fresh worker
        for index, worker in waiting.items():
            with contextlib.suppress(_LostError):
                answers[index] = worker.receive(time.monotonic() + messages[index][1])
        for index, (message, seconds) in messages.items():
            if index not in answers:
                self._sandbox._pool.discard(self._sandbox._pool.slots[index])
                try:
                    answers[index] = self._exchange(index, message, seconds, tries=1)
                except _LostError as lost:
                    answers[index] = lost
        return answers

    def _sync(self, index: int, slot: _Slot, worker: _Worker) -> bool:
        """Bring a worker's copy of this session up to date: a new worker gets the history and
        the session's programs there (a rebuild, counted); a known one gets the observations
        it has not seen. Whether it rebuilt."""
        placement = self._placements[index]
        rebuilt = placement.generation != slot.generation
        if rebuilt:
            placement.generation, placement.shipped = slot.generation, 0
        missing = self.history[placement.shipped :]
        if rebuilt or missing:
            header = {"op": "history", "session": self._number, "actions": self.action_names}
            header["count"] = len(missing)
            worker.send(_encode(header) + b"".join(missing), time.monotonic() + _START_SECONDS)
            placement.shipped = len(self.history)
        if rebuilt and placement.keys:
            self.rebuilds += 1
            share = placement.keys
            message = {"op": "add", "session": self._number, "particles": list(share.items())}
            worker.send(_encode({**message, "live": True}), time.monotonic() + _START_SECONDS)
            answer = worker.receive(time.monotonic() + self._replay_seconds(len(share)))
            for key, result in self._checked_replays(answer, share, len(self.history)).items():
                if result.error is not None:
                    del placement.keys[key]
                    self._failed.add(key)
        return rebuilt and bool(placement.keys)

    def _send(self, slot: _Slot, message: Mapping[str, Any]) -> None:
        """A command without an answer (drop, close); a lost worker is noticed later."""
        if slot.worker is None:
            return
        with contextlib.suppress(_LostError):
            slot.worker.send(_encode(message), time.monotonic() + _START_SECONDS)

    def _step_seconds(self, programs: int) -> float:
        """The longest a worker may take over one step: every program at its budget, a core
        each at best, plus the worker's own kill margins."""
        limits = self._sandbox.limits
        return _MARGIN_SECONDS + (limits.call_seconds + _MARGIN_SECONDS) * (1 + programs)

    def _replay_seconds(self, programs: int) -> float:
        limits = self._sandbox.limits
        each = 2 * limits.call_seconds + limits.replay_seconds + _MARGIN_SECONDS
        return _START_SECONDS + each * (1 + programs)

    # -- checking answers (a worker that ran hostile code is not trusted either) -----------------

    def _valid_output(self, output: object) -> bool:
        """The worker's own check of a program's output, made again on this side: the worker
        is no more trusted than the programs it runs."""
        if isinstance(output, str):
            return output in self._actions
        return (
            isinstance(output, dict)
            and bool(output)
            and all(key in self._actions and type(p) is float for key, p in output.items())
        )

    def _checked_replays(
        self, answer: Any, share: Mapping[str, str], steps: int
    ) -> dict[str, ReplayResult]:
        if answer is None:  # an undo answered by a rebuild
            return {}
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise _LostError("worker sent a malformed result")
        found: dict[str, ReplayResult] = {}
        for item in results:
            if not (isinstance(item, list) and len(item) == 4 and item[0] in share):
                raise _LostError("worker sent a malformed result")
            key, outputs, error, failed_at = item
            if not (
                isinstance(outputs, list)
                and len(outputs) == steps
                and all(o is None or self._valid_output(o) for o in outputs)
                and (error is None) == (failed_at is None)
                and (error is None or isinstance(error, str))
                and (failed_at is None or type(failed_at) is int)
            ):
                raise _LostError("worker sent a malformed result")
            found[key] = ReplayResult(outputs, error, failed_at)
        if set(found) != set(share):
            raise _LostError("worker sent a malformed result")
        return found

    def _checked_step(
        self, answer: Any, share: Mapping[str, str]
    ) -> tuple[dict[str, Output], dict[str, str]]:
        if not isinstance(answer, dict):
            raise _LostError("worker sent a malformed step")
        outputs, errors = answer.get("outputs"), answer.get("errors")
        if not (
            isinstance(outputs, dict)
            and isinstance(errors, dict)
            and set(outputs) | set(errors) == set(share)
            and not set(outputs) & set(errors)
            and all(self._valid_output(output) for output in outputs.values())
            and all(isinstance(error, str) for error in errors.values())
        ):
            raise _LostError("worker sent a malformed step")
        return {**outputs, **dict.fromkeys(errors)}, errors

    def close(self) -> None:
        """End every program of the session."""
        with self._sandbox._lock:
            if self._closed:
                return
            self._closed = True
            for index, placement in enumerate(self._placements):
                slot = self._sandbox._pool.slots[index]
                if placement.generation == slot.generation:
                    self._send(slot, {"op": "close", "session": self._number})
                placement.keys.clear()
