"""Behaviour programs: untrusted Python that defines `class Agent`, and the sandbox that runs it."""

from rote.programs.sandbox import Limits, ReplayResult, Sandbox

__all__ = ["Limits", "ReplayResult", "Sandbox"]
