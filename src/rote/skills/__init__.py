"""Skills: the stdlib-only modules behaviour programs may import, in the sandbox and out.

Each module here is sent to the sandbox workers and exposed to programs under its own name, so
`from rote.skills.construction import walk` means the same thing wherever a program runs. A
skills module imports only the standard library and other skills modules.
"""

from __future__ import annotations

import functools
from importlib import resources

MODULES: tuple[str, ...] = ("grid", "overcooked", "minigrid", "construction", "generic", "games")
"""Skills modules in dependency order (a module may import only those before it)."""


@functools.cache
def sources() -> tuple[tuple[str, str], ...]:
    """(dotted name, source) of every skills module, in dependency order; read once, since
    every sandbox worker that starts is sent them."""
    package = resources.files(__name__)
    return tuple(
        (f"{__name__}.{name}", package.joinpath(f"{name}.py").read_text(encoding="utf-8"))
        for name in MODULES
    )
