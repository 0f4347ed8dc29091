"""Program-steps per second: replay through the sandbox vs plain in-process exec, one run.

    python benchmarks/sandbox_throughput.py [--programs 30] [--steps 50] [--repeats 5] [--out FILE]

Replays a batch of the Construction family programs over one generated trajectory, `repeats` times
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
from rote.agents import agent_source
from rote.agents.construction import MODULES
from rote.files import atomic_write
from rote.programs import Sandbox


def sources(n: int) -> list[str]:
    """`n` distinct programs: the ten Construction family programs in turn, each copy marked so
    that no cache can merge them."""
    families = list(MODULES)
    return [
        f"{agent_source('construction', families[i % len(families)])}\n# copy {i}\n"
        for i in range(n)
    ]


def in_process(programs: list[str], observations: list[dict[str, Any]]) -> None:
    for text in programs:
        namespace: dict[str, Any] = {}
        exec(compile(text, "<program>", "exec"), namespace)  # trusted: our own family programs
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
    with atomic_write(out) as tmp:
        tmp.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
