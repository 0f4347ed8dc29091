"""Plugins: a user's own envs, vocabularies and agents, loaded before a `rote` command runs.

A plugin is a Python file or an importable module that registers what it brings when imported
(one `rote.register` call per env family); docs/bring-your-own-env.md shows one.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path

from rote.errors import RoteError

_LOADED: list[str] = []
"""Every plugin loaded in this process, as `load_plugin` was given it (a file as an absolute
path), so that worker processes can load the same ones."""


def loaded_plugins() -> tuple[str, ...]:
    """The plugins loaded so far, in order, for `load_plugin` in another process."""
    return tuple(_LOADED)


def load_plugin(name: str) -> None:
    """Import `name`: a path to a .py file (as module `rote_plugin_<stem>`, once), or a dotted
    module name. Whatever goes wrong is one RoteError line naming the plugin."""
    path = Path(name)
    try:
        if name.endswith(".py"):
            if not path.is_file():
                raise RoteError(f"plugin {name}: no such file")
            module_name = f"rote_plugin_{path.stem}"
            if module_name in sys.modules:  # loaded already: registering twice would fail
                return
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise RoteError(f"plugin {name}: cannot be loaded as a Python module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
            _LOADED.append(str(path.resolve()))
        else:
            importlib.import_module(name)
            if name not in _LOADED:
                _LOADED.append(name)
    except RoteError:
        raise
    except Exception as error:  # a plugin's own bug must still end as one line
        where = _where(name, error)
        raise RoteError(f"plugin {where} failed to load: {type(error).__name__}: {error}") from None
    except SystemExit as exit_:  # sys.exit() in a plugin would end rote silently
        where = _where(name, exit_)
        raise RoteError(f"plugin {where} called exit({exit_.code!r}) while loading") from None


def in_plugin(error: RoteError) -> str:
    """The error's message, led by `file:line` of the last line of a loaded plugin file its
    traceback passed through: rote raises a plugin's mistakes (a spec with duplicate action
    names) in its own code, where the plugin's author would not look."""
    files = {plugin for plugin in _LOADED if plugin.endswith(".py")}
    frames = traceback.extract_tb(error.__traceback__)
    lines = [f"{frame.filename}:{frame.lineno}" for frame in frames if frame.filename in files]
    return f"{lines[-1]}: {error}" if lines else str(error)


def _where(name: str, error: BaseException) -> str:
    """`name:line` for a plugin file: the line of the plugin's own code that raised (the last
    frame in the file, or a SyntaxError's line), so the user need not read a traceback; just
    `name` for a module or when no frame is in the file."""
    if not name.endswith(".py"):
        return name
    path = str(Path(name).resolve())
    if isinstance(error, SyntaxError) and error.filename == path and error.lineno:
        return f"{name}:{error.lineno}"
    frames = traceback.extract_tb(error.__traceback__)
    lines = [frame.lineno for frame in frames if frame.filename == path and frame.lineno]
    return f"{name}:{lines[-1]}" if lines else name
