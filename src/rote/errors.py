"""User-facing errors: each one renders as a single line naming what went wrong and where."""

from __future__ import annotations

MAX_MESSAGE_CHARS = 500
"""Longer messages keep their start and end: they quote user input (a key, a value, an id),
which may be megabytes long."""

_LINE_BREAKS = {ord(char): repr(char)[1:-1] for char in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
"""Every character str.splitlines breaks at, and its escape."""


class RoteError(Exception):
    """An error caused by the user's input (a file, a flag, an id), never by a bug in rote.

    The CLI prints `str(error)` on one line and exits with code 2, so the message must say
    what and where on its own. `str` escapes line breaks and shortens the middle of a message
    over MAX_MESSAGE_CHARS, so quoted input cannot break that line or flood the terminal.
    """

    def __str__(self) -> str:
        text = super().__str__().translate(_LINE_BREAKS)
        if len(text) <= MAX_MESSAGE_CHARS:
            return text
        half = (MAX_MESSAGE_CHARS - 5) // 2
        return f"{text[:half]} ... {text[-half:]}"


class EnvError(RoteError):
    """An unknown environment id, bad environment arguments, or an env used beyond its abilities."""


class AgentError(RoteError):
    """An unknown scripted agent or bad agent arguments."""
