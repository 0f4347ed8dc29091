"""Attacks on the host from raw Python (the sandbox's Python layer off), and their evidence.

Each attack is a program that does something harmful and returns "up" only if it worked; the
evidence is checked outside the sandbox (a file, a listener, a process, a canary), so an attack
counts as contained only if the program failed *and* nothing happened. `run` is self-contained
(standard library and `rote.programs`) so that tests can run it as another user.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from rote.programs.confinement import Confinement
from rote.programs.sandbox import Limits, Sandbox

ACTIONS = ["stay", "up"]
MEMORY_MB = 64
CANARY = "canary-3f1d9c"
"""Planted in a secret file and in the host's environment (as an API key would be)."""


class Outcome(NamedTuple):
    attack: str
    contained: bool
    detail: str


def program(body: str) -> str:
    indented = "".join(f"        {line}\n" for line in body.splitlines())
    return (
        "import os, socket, subprocess, signal\n"
        "class Agent:\n"
        "    def act(self, observation):\n"
        f"{indented}"
        "        return 'up'\n"
    )


class Targets(NamedTuple):
    """What the attacks aim at, set up outside the sandbox."""

    directory: Path
    secret: Path
    written: Path
    executed: Path
    listener: socket.socket
    bystander: subprocess.Popen[bytes]


def _attacks(t: Targets) -> dict[str, tuple[str, Callable[[], str | None]]]:
    """name -> (program body, evidence: None if nothing happened outside, else what did)."""
    port = t.listener.getsockname()[1]

    def connected() -> str | None:
        try:
            t.listener.accept()[0].close()
        except (BlockingIOError, TimeoutError):
            return None
        return "the listener got a connection"

    return {
        "read a file outside": (
            f"if {CANARY!r} not in open({str(t.secret)!r}).read():\n    raise ValueError('no')",
            lambda: None,
        ),
        "list a directory outside": (
            f"if 'secret.txt' not in os.listdir({str(t.directory)!r}):\n    raise ValueError",
            lambda: None,
        ),
        "delete a file outside": (
            f"os.unlink({str(t.secret)!r})",
            lambda: None if t.secret.exists() else "the file was deleted",
        ),
        "write a file outside": (
            f"open({str(t.written)!r}, 'w').write('pwned')",
            lambda: "a file was written" if t.written.exists() else None,
        ),
        "write anywhere but tmp": (
            "open('/pwned', 'w').write('x')",
            lambda: "a file was written" if Path("/pwned").exists() else None,
        ),
        "connect to a local listener": (
            f"socket.create_connection(('127.0.0.1', {port}), timeout=1).send(b'x')",
            connected,
        ),
        "exec a binary": (
            f"os.execv('/bin/sh', ['sh', '-c', 'echo pwned > {t.executed}'])",
            lambda: "the binary ran" if t.executed.exists() else None,
        ),
        "run a subprocess": (
            f"subprocess.run(['/bin/sh', '-c', 'echo pwned > {t.executed}'], check=True)",
            lambda: "the binary ran" if t.executed.exists() else None,
        ),
        "signal a process outside": (
            f"os.kill({t.bystander.pid}, signal.SIGKILL)",
            lambda: None if t.bystander.poll() is None else "the bystander was killed",
        ),
        "signal the host": (
            f"os.kill({os.getpid()}, signal.SIGKILL)\nos.kill(os.getppid(), signal.SIGKILL)",
            lambda: None,  # the host is this process: still here to check
        ),
        "read the host's environment": (
            "found = [open(f'/proc/{p}/environ', 'rb').read() for p in os.listdir('/proc')"
            " if p.isdigit()]\n"
            f"if {CANARY!r} not in repr(found) + repr(dict(os.environ)):\n    raise ValueError",
            lambda: None,
        ),
        "fork bomb": (
            "while True:\n    os.fork()",
            lambda: None,
        ),
        "exhaust memory": (
            f"hoard = bytearray({4 * MEMORY_MB} * 2**20)\n"
            "hoard[::4096] = b'x' * len(hoard[::4096])",
            lambda: None,
        ),
    }


SIGNAL_SIBLING = program(
    "for pid in range(1, 4096):\n"
    "    try:\n"
    "        os.kill(pid, signal.SIGKILL)\n"
    "    except ProcessLookupError:\n"
    "        pass"
)
"""A program that kills every process it can name in its PID space, siblings included."""

SIBLING = "signal a sibling program"
STEADY = "class Agent:\n    def act(self, observation):\n        return 'stay'\n"


def run(confinement: Confinement, skip: frozenset[str] = frozenset()) -> list[Outcome]:
    """Every attack but those skipped, each in a fresh worker; then a program that signals its
    sibling. The host's environment holds the canary meanwhile."""
    previous = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = CANARY
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="rote-attack-") as directory:
        root = Path(directory)
        secret = root / "secret.txt"
        secret.write_text(CANARY)
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.5)
        bystander = subprocess.Popen(["sleep", "600"])
        targets = Targets(root, secret, root / "written", root / "executed", listener, bystander)
        limits = Limits(call_seconds=1.0, replay_seconds=2.0, memory_mb=MEMORY_MB)
        try:
            for name, (body, evidence) in _attacks(targets).items():
                if name in skip:
                    continue
                with Sandbox(1, limits, python_checks=False, confinement=confinement) as box:
                    result = box.replay([program(body)], [{}], ACTIONS)[0]
                happened = evidence()
                contained = result.error is not None and happened is None
                outcomes.append(Outcome(name, contained, happened or str(result.error)))
            with Sandbox(1, limits, python_checks=False, confinement=confinement) as box:
                if SIBLING in skip:
                    return outcomes
                session = box.session(ACTIONS)
                session.add({"steady": STEADY, "killer": SIGNAL_SIBLING})
                time.sleep(0.1)
                after = session.step({})
            steady = after.outputs["steady"] == "stay" and "killer" in after.errors
            detail = f"steady: {after.outputs['steady']}, killer: {after.errors.get('killer')}"
            outcomes.append(Outcome(SIBLING, steady, detail))
        finally:
            bystander.kill()
            bystander.wait()
            listener.close()
            if previous is None:
                del os.environ["OPENAI_API_KEY"]
            else:
                os.environ["OPENAI_API_KEY"] = previous
    return outcomes
