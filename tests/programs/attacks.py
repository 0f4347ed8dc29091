"""Attacks on the host from raw Python (the sandbox's Python layer off), and their evidence.

Each attack is a program that does something harmful and returns "up" only if it worked; the
evidence is checked outside the sandbox (a file, a listener, a process, a canary), so an attack
counts as contained only if the program failed *and* nothing happened. `run` is self-contained
(standard library and `rote.programs`) so that tests can run it as another user.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass
class Targets:
    """What the attacks aim at, set up outside the sandbox by `planted`."""

    directory: Path
    secret: Path
    written: Path
    executed: Path
    listener: socket.socket
    bystander: subprocess.Popen[bytes]

    def harmed(self) -> str | None:
        """What an attack did outside since the last look, if anything; the targets are then
        set up again, so that one attack's damage is not blamed on the next."""
        found = []
        if sorted(self.directory.iterdir()) != [self.secret]:
            found.append("a file was written or deleted outside")
        if Path("/pwned").exists():
            found.append("a file was written at /")
        if self.bystander.poll() is not None:
            found.append("the bystander was killed")
        # a connection is made (or refused) before the program answers
        if select.select([self.listener], [], [], 0)[0]:
            self.listener.accept()[0].close()
            found.append("the listener got a connection")
        if found:
            for path in self.directory.iterdir():
                path.unlink()
            self.secret.write_text(CANARY)
            Path("/pwned").unlink(missing_ok=True)
            if self.bystander.poll() is not None:
                self.bystander = _bystander()
        return "; ".join(found) or None


@contextmanager
def planted() -> Iterator[Targets]:
    """The targets for the length of the block, and the canary in the host's environment."""
    previous = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = CANARY
    with tempfile.TemporaryDirectory(prefix="rote-attack-") as directory:
        root = Path(directory)
        secret = root / "secret.txt"
        secret.write_text(CANARY)
        listener = socket.create_server(("127.0.0.1", 0))
        targets = Targets(root, secret, root / "written", root / "executed", listener, _bystander())
        try:
            yield targets
        finally:
            targets.bystander.kill()
            targets.bystander.wait()
            listener.close()
            if previous is None:
                del os.environ["OPENAI_API_KEY"]
            else:
                os.environ["OPENAI_API_KEY"] = previous


def _bystander() -> subprocess.Popen[bytes]:
    return subprocess.Popen(["sleep", "600"])


def _attacks(t: Targets) -> dict[str, str]:
    """name -> program body; `Targets.harmed` tells what each did outside."""
    port = t.listener.getsockname()[1]
    return {
        "read a file outside": (
            f"if {CANARY!r} not in open({str(t.secret)!r}).read():\n    raise ValueError('no')"
        ),
        "list a directory outside": (
            f"if 'secret.txt' not in os.listdir({str(t.directory)!r}):\n    raise ValueError"
        ),
        "delete a file outside": f"os.unlink({str(t.secret)!r})",
        "write a file outside": f"open({str(t.written)!r}, 'w').write('pwned')",
        "write anywhere but tmp": "open('/pwned', 'w').write('x')",
        "connect to a local listener": (
            f"socket.create_connection(('127.0.0.1', {port}), timeout=1).send(b'x')"
        ),
        "exec a binary": f"os.execv('/bin/sh', ['sh', '-c', 'echo pwned > {t.executed}'])",
        "run a subprocess": (
            f"subprocess.run(['/bin/sh', '-c', 'echo pwned > {t.executed}'], check=True)"
        ),
        "signal a process outside": f"os.kill({t.bystander.pid}, signal.SIGKILL)",
        "signal the host": (
            f"os.kill({os.getpid()}, signal.SIGKILL)\nos.kill(os.getppid(), signal.SIGKILL)"
        ),
        "read the host's environment": (
            "found = [open(f'/proc/{p}/environ', 'rb').read() for p in os.listdir('/proc')"
            " if p.isdigit()]\n"
            f"if {CANARY!r} not in repr(found) + repr(dict(os.environ)):\n    raise ValueError"
        ),
        "fork bomb": "while True:\n    os.fork()",
        "exhaust memory": (
            f"hoard = bytearray({4 * MEMORY_MB} * 2**20)\nhoard[::4096] = b'x' * len(hoard[::4096])"
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
    outcomes = []
    limits = Limits(call_seconds=1.0, replay_seconds=2.0, memory_mb=MEMORY_MB)
    with planted() as targets:
        for name, body in _attacks(targets).items():
            if name in skip:
                continue
            with Sandbox(1, limits, python_checks=False, confinement=confinement) as box:
                result = box.replay([program(body)], [{}], ACTIONS)[0]
            happened = targets.harmed()
            contained = result.error is not None and happened is None
            outcomes.append(Outcome(name, contained, happened or str(result.error)))
        if SIBLING in skip:
            return outcomes
        with Sandbox(1, limits, python_checks=False, confinement=confinement) as box:
            session = box.session(ACTIONS)
            session.add({"steady": STEADY, "killer": SIGNAL_SIBLING})
            time.sleep(0.1)
            after = session.step({})
        steady = after.outputs["steady"] == "stay" and "killer" in after.errors
        detail = f"steady: {after.outputs['steady']}, killer: {after.errors.get('killer')}"
        outcomes.append(Outcome(SIBLING, steady, detail))
    return outcomes
