"""The package's layering: every module imports on its own, and rote's packages import one another
in one direction only, so no import hides inside a function to dodge a cycle."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import rote

SOURCE = Path(rote.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[str]:
    """Every module of the package by dotted name (the sandbox's worker is a script, and is run,
    not imported)."""
    return [module_name(p) for p in sorted(SOURCE.rglob("*.py")) if p.stem != "_worker"]


KNOWN = frozenset(modules())


def unit(module: str) -> str:
    """The layer a module belongs to: its subpackage of rote, or itself at the top."""
    parts = module.split(".")
    return ".".join(parts[:2])


def top_level_imports(path: Path) -> Iterator[tuple[str, int]]:
    """(imported rote module, line) of the imports a module runs when imported: not those under
    `if TYPE_CHECKING:`, nor those inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for child in ast.walk(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                break
            if isinstance(child, ast.Import):
                yield from (
                    (a.name, child.lineno) for a in child.names if a.name.startswith("rote")
                )
            elif isinstance(child, ast.ImportFrom) and child.module:
                name = child.module  # absolute: ruff's TID252 bans relative imports
                for alias in child.names:  # `from rote import skills` imports a subpackage
                    full = f"{name}.{alias.name}"
                    if full.startswith("rote"):
                        yield (full if full in KNOWN else name), child.lineno


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    def load(module: str) -> tuple[str, str]:
        done = subprocess.run(  # this checkout's rote, whatever else is installed
            [sys.executable, "-c", f"import {module}"],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(SOURCE.parent)},
        )
        return module, done.stderr.strip().splitlines()[-1] if done.returncode else ""

    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f"{m}: {error}" for m, error in pool.map(load, modules()) if error]
    assert not failures, "\n".join(failures)


def test_packages_import_one_another_in_one_direction() -> None:
    edges: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        here = unit(module_name(path))
        for imported, _ in top_level_imports(path):
            there = unit(imported)
            if there != here:
                edges.setdefault(here, set()).add(there)
    state: dict[str, str] = {}

    def cycle_from(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for after in sorted(edges.get(node, ())):
            if state.get(after) == "open":
                return [*trail[trail.index(after) :], after] if after in trail else [node, after]
            if after not in state and (found := cycle_from(after, [*trail, after])):
                return found
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state:
            found = cycle_from(start, [start])
            assert found is None, "import cycle: " + " -> ".join(found)


def test_imports_inside_functions_say_why() -> None:
    """An import of rote deferred into a function must carry a comment with the reason (start-up
    time, an optional extra); none may be there only to dodge a cycle."""
    silent = []
    for path in SOURCE.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for child in ast.walk(node):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    names = [a.name for a in child.names] + [getattr(child, "module", "") or ""]
                    commented = "#" in lines[child.lineno - 1] or "#" in lines[child.lineno - 2]
                    if any(n.startswith("rote") for n in names) and not commented:
                        silent.append(f"{path.relative_to(SOURCE.parent)}:{child.lineno}")
    assert not silent, "imports inside functions without a reason: " + ", ".join(silent)
