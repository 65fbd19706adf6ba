#!/usr/bin/env python3
"""Tasks per second of ``problems validate`` locally and on Ray with 1 and 2 nodes, measured here.

One task = one problem: every recorded solution on every test in the sandbox (no model).
The workload is ``problems/`` repeated ``--copies`` times (ids made unique). Ray clusters are
real: ``ray start --num-cpus 1`` nodes inside a network namespace this script creates and
removes (tests/ray/netns.py, as the tests do; needs root). Seconds exclude connecting and
starting the per-node workers, which are reported apart.

    python bench/ray_scaling.py [--copies 4] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archon_code.problems import load_problems  # noqa: E402


def workload(copies: int) -> list:
    problems = load_problems(ROOT / "problems")
    return [p.model_copy(update={"id": f"{p.id}~{c}"}) for c in range(copies) for p in problems]


def local(problems: list, workers: int) -> dict:
    from archon_code.judge import Judge
    from archon_code.problems.validate import validate_problem
    from archon_code.sandbox import open_sandbox

    start = time.monotonic()
    with open_sandbox(workers=workers) as sandbox:
        judge = Judge(sandbox)
        ready = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            reports = list(pool.map(lambda p: validate_problem(judge, p), problems))
        done = time.monotonic()
    return {"setup_s": ready - start, "seconds": done - ready, "tasks": len(reports), "ok": sum(r.ok for r in reports)}


def driver(address: str, copies: int) -> dict:
    """Runs inside the namespace: connect, start workers, validate; times apart."""
    from archon_code.distributed import RayBackend, RayCluster, RaySettings

    problems = workload(copies)
    start = time.monotonic()
    with RayCluster(RaySettings.from_env(address), log=lambda message: None) as cluster:
        ready = time.monotonic()
        reports = [r for _, r in RayBackend(cluster).validate(problems, 1.0)]
        done = time.monotonic()
        calls = list(cluster.map("info", [()] * 200))  # empty units: the scheduling round trip alone
        overhead = (time.monotonic() - done) / len(calls)
    return {"setup_s": ready - start, "seconds": done - ready, "tasks": len(reports),
            "ok": sum(getattr(r, "ok", False) for r in reports), "ms_per_empty_task": 1000 * overhead}


def on_ray(nodes: int, copies: int) -> dict:
    from tests.ray.netns import NetnsCluster

    with NetnsCluster(workers=nodes - 1, port=6399) as cluster:
        done = cluster.netns(sys.executable, str(Path(__file__).resolve()), "--driver", cluster.address,
                             "--copies", str(copies), timeout=1800)
        if done.returncode != 0:
            raise SystemExit(f"driver failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=4, help="times problems/ is repeated (13 problems each)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--driver", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.driver:
        print(json.dumps(driver(args.driver, args.copies)))
        return
    problems = workload(args.copies)
    runs = {
        "local, 1 worker": lambda: local(problems, 1),
        "local, 2 workers": lambda: local(problems, 2),
        "ray, 1 node (1 CPU)": lambda: on_ray(1, args.copies),
        "ray, 2 nodes (1 CPU each)": lambda: on_ray(2, args.copies),
    }
    rows = {}
    for name, measure in runs.items():
        row = rows[name] = measure()
        row["tasks_per_s"] = row["tasks"] / row["seconds"]
        row["load_avg_1m"] = os.getloadavg()[0]  # the machine may be shared: say how busy it was
        print(f"{name}: {json.dumps(row)}", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| run | tasks | setup s | seconds | tasks/s | load average |")
    print("|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['tasks']} | {row['setup_s']:.1f} | {row['seconds']:.1f} | {row['tasks_per_s']:.2f} "
              f"| {row['load_avg_1m']:.1f} |")


if __name__ == "__main__":
    main()
