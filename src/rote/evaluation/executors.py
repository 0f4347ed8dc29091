"""Where independent tasks run (a bench's cells, a batch's trajectories): `LocalPool`, processes
on this machine, or `RayCluster`, the workers of a Ray cluster (the `cluster` extra).

A task is a module-level function called as `task(shared, item)`: what crosses to a worker is
the function's name, the shared settings and one item, so each worker builds its own sandbox
and proposer. Results come back to the caller in completion order and the caller alone writes
them. A task whose worker dies (killed, out of memory, its node lost) is retried; after
`ATTEMPTS` deaths it comes back as `Failed`, never lost. An exception the task raises is a
result of the task, not of the worker, and is raised in the caller as it is.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import ModuleType
from typing import Any, NamedTuple, TypeVar

from rote.errors import RoteError
from rote.plugins import load_plugin, loaded_plugins

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Result = TypeVar("Result")

ATTEMPTS = 3
"""How many times a task runs before the deaths of its workers make it `Failed`."""

EXECUTORS = ("local", "ray")


class Failed(NamedTuple):
    """A task whose worker died on every attempt."""

    reason: str


class Executor(ABC):
    @abstractmethod
    def run(
        self,
        task: Callable[[Shared, Item], Result],
        shared: Shared,
        items: Sequence[Item],
    ) -> Iterator[tuple[Item, Result | Failed]]:
        """`task(shared, item)` for every item, each yielded with its result as it finishes."""


def make_executor(name: str, *, jobs: int | None = None, address: str | None = None) -> Executor:
    """The executor `--executor` names: `jobs` processes here, or the Ray cluster at `address`
    (None: a local one of `jobs` CPUs, started for the run)."""
    if name == "local":
        if address is not None:
            raise RoteError("--ray-address is for --executor ray")
        return LocalPool(jobs)
    if name == "ray":
        return RayCluster(address, jobs)
    raise RoteError(f"unknown executor {name!r}: choose from {', '.join(EXECUTORS)}")


class LocalPool(Executor):
    """`jobs` worker processes (default: one per core), spawned from fresh interpreters; with
    one, the tasks run in this process, in order.

    Each worker is a pool of its own, given one task at a time, so that a worker's death (which
    breaks its pool) names the one task it was running: that task alone is retried, in a new
    worker."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs

    def run(
        self,
        task: Callable[[Shared, Item], Result],
        shared: Shared,
        items: Sequence[Item],
    ) -> Iterator[tuple[Item, Result | Failed]]:
        workers = max(1, min(self.jobs or os.cpu_count() or 1, len(items)))
        if workers == 1:
            for item in items:
                yield item, task(shared, item)
            return
        todo = deque(range(len(items)))
        deaths = [0] * len(items)
        idle = [_worker() for _ in range(workers)]
        running: dict[Future[Result], tuple[ProcessPoolExecutor, int]] = {}
        try:
            while todo or running:
                while todo and idle:
                    worker, index = idle.pop(), todo.popleft()
                    running[worker.submit(task, shared, items[index])] = (worker, index)
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    worker, index = running.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        worker.shutdown(wait=False)
                        idle.append(_worker())
                        deaths[index] += 1
                        if deaths[index] < ATTEMPTS:
                            todo.appendleft(index)
                        else:
                            yield items[index], Failed(_died(ATTEMPTS))
                        continue
                    idle.append(worker)
                    yield items[index], result
        finally:
            for worker in (*idle, *(worker for worker, _ in running.values())):
                worker.shutdown(cancel_futures=True)


def _worker() -> ProcessPoolExecutor:
    spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
    return ProcessPoolExecutor(
        1, mp_context=spawn, initializer=_start_worker, initargs=(os.getpid(), loaded_plugins())
    )


def _died(times: int) -> str:
    return f"its worker died {times} times (killed, out of memory, or its node lost)"


_WATCH_SECONDS = 0.2
"""How long a worker may outlive a killed parent: a getppid call this often costs nothing."""


def _start_worker(parent: int, plugins: tuple[str, ...]) -> None:
    """Pool initializer: load the plugins the parent loaded (a spawned worker starts from a
    fresh interpreter, which knows no plugin env), and end the worker when the parent dies."""
    for plugin in plugins:
        load_plugin(plugin)
    _watch_parent(parent)


def _watch_parent(parent: int) -> None:
    """End this worker when its parent (a bench, a batch) dies. Nothing else would: a spawned
    worker holds both ends of the pipe it waits on for work, so it never sees end of file,
    and it holds multiprocessing's resource tracker's pipe open too, keeping that alive.
    A polling thread rather than prctl(PR_SET_PDEATHSIG): that is Linux only, and it fires
    when the thread that started the worker ends, not the parent."""

    def watch() -> None:
        # A dead parent's children are adopted (by init or a subreaper): the parent pid
        # changes. Checking before the first sleep covers a parent killed during start-up.
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


class RayCluster(Executor):
    """Ray tasks, one per item, on the cluster at `address` (as `ray start` prints it), or on
    a local cluster of `cpus` CPUs started for the run. Ray itself reruns a task whose worker
    died (`max_retries`); rote must be installed, with the same version, on every node."""

    def __init__(self, address: str | None = None, cpus: int | None = None) -> None:
        self.ray = _import_ray()
        self.address = address
        self.cpus = cpus

    def run(
        self,
        task: Callable[[Shared, Item], Result],
        shared: Shared,
        items: Sequence[Item],
    ) -> Iterator[tuple[Item, Result | Failed]]:
        ray = self.ray
        started = not ray.is_initialized()
        if started:
            try:
                ray.init(
                    address=self.address,
                    num_cpus=None if self.address else self.cpus,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                )
            except ConnectionError as error:
                raise RoteError(f"--ray-address {self.address}: {error}") from None
        try:
            remote = ray.remote(max_retries=ATTEMPTS - 1)(_ray_task)
            settings = ray.put(shared)  # stored once, not once per task
            plugins = loaded_plugins()
            refs = {remote.remote(task, settings, item, plugins): item for item in items}
            pending = list(refs)
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                for ref in ready:
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayTaskError as error:  # the task raised
                        cause = error.cause
                        raise cause if isinstance(cause, Exception) else error from None
                    except ray.exceptions.RayError as error:  # its worker or node died
                        yield refs[ref], Failed(f"{_died(ATTEMPTS)}: {type(error).__name__}")
                        continue
                    yield refs[ref], result
        finally:
            if started:
                ray.shutdown()


def _import_ray() -> ModuleType:
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise RoteError("--executor ray needs Ray: pip install 'minds-as-code[cluster]'") from None


_RAY_PLUGINS: set[str] = set()
"""The plugins this Ray worker process has loaded: a worker runs many tasks."""


def _ray_task(
    task: Callable[[Any, Any], Any], shared: Any, item: Any, plugins: tuple[str, ...]
) -> Any:
    """One task in a Ray worker, after loading the caller's plugins, once per worker: Ray's
    workers are long-lived interpreters rote did not start, so no initializer runs in them."""
    for plugin in plugins:
        if plugin not in _RAY_PLUGINS:
            load_plugin(plugin)
            _RAY_PLUGINS.add(plugin)
    return task(shared, item)
