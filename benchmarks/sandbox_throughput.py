"""Program-steps per second: replay through the sandbox vs plain in-process exec, one run.

    python benchmarks/sandbox_throughput.py [--programs 30] [--steps 50] [--repeats 5] [--out FILE]

Replays a batch of simple Construction programs over one generated trajectory, `repeats` times
each way, and writes the medians and their ratio as JSON (benchmarks/results/ by default). The
in-process figure is the ceiling: the sandbox's cost is the gap.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from rote import make_agent, make_env, rollout
from rote.programs import Sandbox

PROGRAM = """
MOVES = {{"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}}
OPPOSITE = {{"up": "down", "down": "up", "left": "right", "right": "left"}}


class Agent:
    def __init__(self):
        self.direction = "{start}"
        self.steps = 0

    def blocked(self, observation, direction):
        x, y = observation["agent"]
        dx, dy = MOVES[direction]
        nx, ny = x + dx, y + dy
        last = observation["size"] - 1
        return nx <= 0 or ny <= 0 or nx >= last or ny >= last or [nx, ny] in observation["walls"]

    def act(self, observation):
        self.steps += {variant}
        if self.blocked(observation, self.direction):
            self.direction = OPPOSITE[self.direction]
        return "stay" if self.blocked(observation, self.direction) else self.direction
"""


def sources(n: int) -> list[str]:
    starts = ("left", "right", "up", "down")
    return [PROGRAM.format(start=starts[i % 4], variant=i) for i in range(n)]


def in_process(programs: list[str], observations: list[dict[str, Any]]) -> None:
    for source in programs:
        namespace: dict[str, Any] = {}
        exec(compile(source, "<program>", "exec"), namespace)  # trusted: our own benchmark text
        agent = namespace["Agent"]()
        for observation in observations:
            agent.act(observation)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/sandbox_throughput.json")
    args = parser.parse_args()

    spec = make_env("construction")
    trajectory = rollout(spec, make_agent("construction", "snake"), steps=args.steps, seed=0)
    observations = [step.observation for step in trajectory.steps]
    programs = sources(args.programs)
    program_steps = len(programs) * len(observations)

    with Sandbox() as sandbox:
        start = time.perf_counter()
        sandbox.replay(programs, observations, spec.action_names)  # start workers, warm caches
        cold = time.perf_counter() - start
        sandboxed = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            results = sandbox.replay(programs, observations, spec.action_names)
            sandboxed.append(time.perf_counter() - start)
        assert all(result.error is None for result in results), results

    plain = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        in_process(programs, observations)
        plain.append(time.perf_counter() - start)

    sandbox_rate = program_steps / statistics.median(sandboxed)
    plain_rate = program_steps / statistics.median(plain)
    report = {
        "benchmark": "sandbox_throughput",
        "programs": len(programs),
        "steps": len(observations),
        "program_steps_per_replay": program_steps,
        "repeats": args.repeats,
        "sandbox_workers": os.cpu_count(),  # the pool's default size
        "first_replay_seconds": round(cold, 4),
        "sandbox_median_seconds": round(statistics.median(sandboxed), 5),
        "in_process_median_seconds": round(statistics.median(plain), 5),
        "sandbox_program_steps_per_second": round(sandbox_rate),
        "in_process_program_steps_per_second": round(plain_rate),
        "in_process_over_sandbox": round(plain_rate / sandbox_rate, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
