"""The process tree, read from /proc: which sandbox processes are alive and what they may do."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple


class Process(NamedTuple):
    parent: int
    command: bytes


def table() -> dict[int, Process]:
    """Every live process now. Zombies are dead: a killed process whose parent died first stays
    one on machines whose init never reaps."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        if fields[0] != "Z":
            found[int(stat.parent.name)] = Process(int(fields[1]), command)
    return found


def descendants(pid: int | None = None, processes: dict[int, Process] | None = None) -> set[int]:
    """Every live process below `pid` (this one by default), but multiprocessing's resource
    tracker, which an earlier test's process pool leaves running until exit."""
    processes = table() if processes is None else processes
    below: set[int] = set()
    frontier = [os.getpid() if pid is None else pid]
    while frontier:
        parent = frontier.pop()
        for child, process in processes.items():
            tracker = b"multiprocessing.resource_tracker" in process.command
            if process.parent == parent and not tracker:
                below.add(child)
                frontier.append(child)
    return below


def programs(pid: int | None = None) -> set[int]:
    """The processes that run programs: children of a sandbox worker running the same worker."""
    processes = table()
    below = descendants(pid, processes)

    def python(pid: int) -> bool:
        return Path(processes[pid].command.split(b"\0")[0].decode()).name.startswith("python")

    return {
        child
        for child in below
        if python(child)
        and processes[child].parent in below
        and processes[child].command == processes[processes[child].parent].command
    }


def programs_settle(
    holds: Callable[[set[int]], bool], pid: int | None = None, seconds: float = 10.0
) -> bool:
    """Whether the program processes below `pid` come to satisfy `holds` within `seconds`.
    Dropping a program or closing a session sends the worker a message it reads in turn and
    does not answer, so the processes end just after the host has moved on, sooner or later
    as the machine is loaded."""
    deadline = time.monotonic() + seconds
    while not holds(programs(pid)):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def alive(pid: int) -> bool:
    return pid in table()


def limits_of(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/limits").read_text().splitlines()[1:]
    return {line[:26].strip(): line[26:47].strip() for line in lines}
