"""`rote report`'s pages: one self-contained HTML file (CSS, JS, data and figures inline, so it
opens from disk with no network and can be attached to a message), rendered from the Jinja2
templates in `templates/`. A trajectory page is drawn in the browser from its embedded JSON
(`trajectory_data`); a bench page is drawn here, from the tables `rote.evaluation.summary`
computes, with the bench's own PNG plots inlined."""

from __future__ import annotations

import base64
import json
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from rote.errors import RoteError
from rote.evaluation.bench import results_path
from rote.evaluation.records import CellResult
from rote.evaluation.suites import PROTOCOLS, Suite, suite_builders
from rote.evaluation.summary import by_family, protocol_scores, scored_in, summarize
from rote.files import atomic_write

PLOTS = ("accuracy.png", "cost.png", "particles.png")
"""The figures `rote bench` writes (`summary.write_outputs`), inlined in its page."""

_TEMPLATES = Environment(
    loader=PackageLoader("rote.report", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def script_json(value: Any) -> Markup:
    """JSON that is safe inside a `<script>` element: a string holding `</script>` (program
    source can) would otherwise end the element, as Django's `json_script` guards against.
    ASCII only, so U+2028 and U+2029 (line ends to older JavaScript) and lone surrogates (an
    LLM's program can hold them; UTF-8 cannot) are escapes too. NaN and infinities are
    refused: JSON.parse cannot read them."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_ESCAPES))  # escaped just above


def trajectory_page(data: dict[str, Any]) -> str:
    """The trajectory report: a step-through replay of `data` (`trajectory_data`'s object)."""
    return _TEMPLATES.get_template("trajectory.html").render(
        title=data["title"], data=script_json(data)
    )


def bench_page(directory: Path) -> str:
    """The bench report of a `rote bench --out` directory: its summary with intervals, the
    per-family tables, the plots, the methods and settings, and every cell's predictions."""
    config, results = read_bench(directory)
    suite = bench_suite(config)
    rows = summarize(suite, results)
    protocols = [p for p in PROTOCOLS if any(row.protocol == p for row in rows)]
    methods = list(dict.fromkeys(row.method for row in rows))
    return _TEMPLATES.get_template("bench.html").render(
        title=f"rote bench: {suite.name}",
        directory=str(directory),
        suite=suite,
        config=config,
        protocols=protocols,
        methods=methods,
        summary={(row.method, row.protocol): row for row in rows},
        families=_family_tables(by_family(suite, results)),
        plots=[
            (name, _data_uri(directory / name)) for name in PLOTS if (directory / name).is_file()
        ],
        cells=[_cell(suite, result) for result in results],
    )


def read_bench(directory: Path) -> tuple[dict[str, Any], list[CellResult]]:
    """A bench directory's suite settings (suite.json) and finished cells; a directory that is
    not one is a one-line error."""
    settings, log = directory / "suite.json", results_path(directory)
    if not settings.is_file() or not log.is_file():
        raise RoteError(f"{directory} is not a rote bench output (no suite.json and results.jsonl)")
    try:
        config = json.loads(settings.read_bytes())
    except ValueError:
        raise RoteError(f"{settings} is damaged: not JSON") from None
    if not isinstance(config, dict) or not isinstance(config.get("name"), str):
        raise RoteError(f"{settings} is not a bench's suite settings")
    results = finished_cells(log)
    if not results:
        raise RoteError(f"{log} holds no finished cell")
    return config, results


def finished_cells(log: Path) -> list[CellResult]:
    """The cells of results.jsonl, read only: `bench.load` repairs the file, which would cut
    the line a running bench is appending. A damaged or unfinished line is passed over (the
    bench reruns its cell); a cell recorded twice keeps its first record, as `load` does."""
    found: dict[str, CellResult] = {}
    for line in log.read_bytes().splitlines():
        try:
            result = CellResult.from_json(json.loads(line))
        except ValueError:
            continue
        found.setdefault(result.cell.name, result)
    return list(found.values())


def bench_suite(config: dict[str, Any]) -> Suite:
    """The suite a bench ran, from its suite.json: the registered suite of that name with the
    recorded settings, so the tables are scored over the steps that run scored."""
    name = config["name"].removesuffix("-quick")
    builders = suite_builders()
    if name not in builders:
        raise RoteError(
            f"the bench ran suite {config['name']!r}, which no loaded env provides "
            "(a plugin's suite needs --plugin)"
        )
    built = builders[name]()
    if config.get("kind") != type(built).__name__:
        raise RoteError(f"suite {config['name']!r} is not the kind of suite this rote builds")
    recorded: dict[str, Any] = {
        field.name: _from_json(config[field.name])
        for field in fields(built)
        if field.name in config
    }
    try:
        return replace(built, **recorded)
    except (TypeError, ValueError) as error:
        raise RoteError(f"suite settings of {config['name']!r} do not build: {error}") from None


def _from_json(value: Any) -> Any:
    """A suite field as JSON gave it back: its tuples came back as lists."""
    return tuple(value) if isinstance(value, list) else value


def _family_tables(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """`by_family`'s rows grouped by family, in the order they come."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        tables.setdefault(row["family"], []).append(row)
    return list(tables.items())


def _cell(suite: Suite, result: CellResult) -> dict[str, Any]:
    """One cell's detail: its scores on each protocol of its pass, and every prediction."""
    scores = {
        protocol: protocol_scores(suite, result, protocol)["accuracy"]
        for protocol in suite.protocols
        if scored_in(protocol) == result.updating
    }
    return {
        "name": result.cell.name,
        "anchor": "cell-" + result.cell.name.replace("/", "-"),
        "result": result,
        "scores": scores,
    }


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def write_page(path: Path, page: str) -> None:
    """Write a report whole or not at all: a reader never opens half a page."""
    with atomic_write(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
