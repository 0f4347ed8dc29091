"""Wall time of a bench on the local process pool vs a local Ray cluster with the same CPUs.

    python benchmarks/executors.py [--jobs 2] [--methods M,...] [--out FILE]

Runs `rote bench --suite construction --quick` into fresh directories: with `--executor local
--jobs N`; with `--executor ray --jobs N`, a Ray cluster of N CPUs started by the run (its
start counted); and with `--executor ray --ray-address`, on a cluster of N CPUs started before
(`ray start --head`, as a lab's cluster is already running; only the scheduling is counted).
Writes the times and their ratios to the local pool's as JSON (benchmarks/results/ by default).
The target is a ratio of at most 1.3.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rote.files import atomic_write


def bench_seconds(
    executor: str, jobs: int, methods: str | None, out: Path, address: str | None = None
) -> float:
    argv = [sys.executable, "-m", "rote.cli", "bench", "--suite", "construction", "--quick"]
    argv += ["--out", str(out), "--executor", executor, "--jobs", str(jobs)]
    argv += ["--methods", methods] if methods else []
    argv += ["--ray-address", address] if address else []
    # Ray 2.60's `ray start` turns on token authentication: a driver joining must say so
    env = {**os.environ, "RAY_AUTH_MODE": "token"} if address else None
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def running_cluster_seconds(jobs: int, methods: str | None, out: Path) -> float:
    """The bench on a Ray cluster started beforehand, on a free port, and stopped after."""
    port = "6391"
    ray = str(Path(sys.executable).parent / "ray")
    start = [ray, "start", "--head", f"--port={port}", f"--num-cpus={jobs}"]
    subprocess.run([*start, "--include-dashboard=false"], check=True, capture_output=True)
    try:
        return bench_seconds("ray", jobs, methods, out, address=f"127.0.0.1:{port}")
    finally:
        subprocess.run([ray, "stop", "--force"], check=False, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--methods", help="the bench's --methods (default: the suite's)")
    parser.add_argument("--out", default="benchmarks/results/executors.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        local = bench_seconds("local", args.jobs, args.methods, Path(scratch, "local"))
        ray = bench_seconds("ray", args.jobs, args.methods, Path(scratch, "ray"))
        running = running_cluster_seconds(args.jobs, args.methods, Path(scratch, "running"))
    result = {
        "command": "rote bench --suite construction --quick --executor {local,ray} "
        f"--jobs {args.jobs}" + (f" --methods {args.methods}" if args.methods else ""),
        "local_seconds": round(local, 1),
        "ray_seconds": round(ray, 1),
        "ray_over_local": round(ray / local, 3),
        "running_ray_seconds": round(running, 1),
        "running_ray_over_local": round(running / local, 3),
        "target": 1.3,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(Path(args.out)) as tmp:
        tmp.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
