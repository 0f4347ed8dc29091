"""How long `rote report`'s pages take to open in headless Chromium, and how large they are,
measured by the browser tests' code path (tests/report/browser.py); and the README's screenshot.

    python -m benchmarks.report_pages [--steps 1200] [--bench DIR ...]
        [--screenshot docs/report-screenshot.png] [--out benchmarks/results/report_pages.json]

Long trajectories: a Construction (snake) and an Overcooked (valid kitchens, as a recorded
human game holds about 1,200 steps) trajectory of `--steps` steps, explained by the tests' listed
programs. Each bench directory (`rote bench --out`) becomes a bench page. Each page is opened
`REPEATS` times in one browser, from a blank tab; the median time to its load event (its scripts
have run and drawn the first step) is reported, with the file's size (the issue's limits: 2 s,
5 MB). With --screenshot, `rote report` runs the synthesizer on 50 steps of snake observed for
20, and the page at step 25 is captured at 1400 x 1000 (the command is in the README).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from rote import make_env, rollout, write_trajectory
from rote.agents import make_agent
from rote.cli import main
from rote.files import atomic_write
from rote.report.html import bench_page, write_page
from tests.report.browser import chromium, console_errors, missing, open_page
from tests.report.pages import write_report

REPEATS = 5


def measure(driver: Any, page: Path) -> dict[str, Any]:
    seconds = []
    for _ in range(REPEATS):
        driver.get("about:blank")
        seconds.append(open_page(driver, page))
        errors = console_errors(driver)
        if errors:
            raise SystemExit(f"{page}: console errors: {errors}")
    return {
        "page": page.name,
        "bytes": page.stat().st_size,
        "load_seconds_median": round(statistics.median(seconds), 3),
        "load_seconds_max": round(max(seconds), 3),
    }


def screenshot(driver: Any, path: Path, work: Path) -> None:
    trajectory = rollout(
        make_env("construction"), make_agent("construction", "snake"), steps=50, seed=0, swap_at=30
    )
    source = work / "snake-000.jsonl"
    write_trajectory(source, trajectory)
    page = work / "snake.html"
    argv = ["report", "--trajectory", str(source), "--observe", "20", "--out", str(page)]
    if main(argv) != 0:
        raise SystemExit("rote report failed")
    open_page(driver, page, "#t=25")
    driver.save_screenshot(str(path))


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--bench", nargs="*", default=[], help="rote bench --out directories")
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/report_pages.json"))
    args = parser.parse_args()
    reason = missing()
    if reason is not None:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory() as tmp, chromium() as driver:
        work = Path(tmp)
        pages = [
            write_report(family, work / family, args.steps)
            for family in ("construction", "overcooked")
        ]
        for directory in map(Path, args.bench):
            page = work / f"bench-{directory.name}.html"
            write_page(page, bench_page(directory))
            pages.append(page)
        results = [measure(driver, page) for page in pages]
        if args.screenshot is not None:
            screenshot(driver, args.screenshot, work)
    for result in results:
        median, most = result["load_seconds_median"], result["load_seconds_max"]
        print(
            f"{result['page']}: {result['bytes'] / 1e6:.2f} MB, opens in {median:.2f} s "
            f"(median of {REPEATS}; max {most:.2f} s)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as tmp:
        tmp.write_text(json.dumps({"steps": args.steps, "pages": results}, indent=2) + "\n")


if __name__ == "__main__":
    run()
