"""User-facing errors: each one renders as a single line naming what went wrong and where."""

from __future__ import annotations


class RoteError(Exception):
    """An error caused by the user's input (a file, a flag, an id), never by a bug in rote.

    The CLI prints `str(error)` on one line and exits with code 2, so the message must say
    what and where on its own.
    """


class EnvError(RoteError):
    """An unknown environment id, bad environment arguments, or an env used beyond its abilities."""


class AgentError(RoteError):
    """An unknown scripted agent or bad agent arguments."""
