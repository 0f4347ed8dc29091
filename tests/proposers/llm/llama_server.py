"""Run llama-cpp-python's OpenAI-compatible server on a GGUF model, for tests of the HTTP path
against a real server rather than a scripted one: with the command line docs/llm.md gives users,
read from the doc, so a documented command that stops working fails the tests."""

from __future__ import annotations

import contextlib
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

STARTUP_TIMEOUT = 120.0
STOP_GRACE = 10.0
DOC = Path(__file__).parents[3] / "docs" / "llm.md"


def documented_arguments() -> list[str]:
    """The arguments of the `python -m llama_cpp.server` line in docs/llm.md."""
    (line,) = [
        line
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("python -m llama_cpp.server ")
    ]
    return shlex.split(line.removesuffix("&").strip())[3:]


def _with(arguments: list[str], flag: str, value: str) -> list[str]:
    """`arguments` with `flag`'s value replaced; the flag must be there."""
    index = arguments.index(flag)
    return [*arguments[: index + 1], value, *arguments[index + 2 :]]


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it, so parallel runs do not collide)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(log: IO[bytes], lines: int = 20) -> str:
    log.seek(0)
    return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def llama_server(model_path: str | Path) -> Iterator[str]:
    """Start the server as docs/llm.md says (with this model and a free port), wait until it
    answers GET /v1/models, yield its base URL, stop it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    arguments = _with(documented_arguments(), "--model", str(model_path))
    arguments = _with(arguments, "--port", str(port))
    command = [sys.executable, "-m", "llama_cpp.server", *arguments, "--verbose", "False"]
    # A file, not a pipe: nobody reads the server's output while it runs, and a full pipe would
    # block it.
    with tempfile.NamedTemporaryFile(prefix="llama_server_", suffix=".log") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"llama_cpp.server exited with code {process.returncode}:\n{_tail(log)}"
                    )
                try:
                    with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"llama_cpp.server did not answer on {base_url} within "
                        f"{STARTUP_TIMEOUT:.0f} s:\n{_tail(log)}"
                    )
                time.sleep(0.2)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
