#!/usr/bin/env python3
"""Sandbox throughput against a bare local subprocess, measured in one run.

Runs every recorded solution of a problem set on all its tests, ROUNDS times, once
through the hardened Docker sandbox and once through the same runner as plain host
subprocesses (no container, no hardening), with the same number of workers, and prints
tests/second for both and their ratio. The first round of each is a warm-up (container
start, page cache) and is not counted.

    python bench/throughput.py [PROBLEMS] [--rounds 3] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archon_code.judge import Judge  # noqa: E402
from archon_code.problems import load_problems  # noqa: E402
from archon_code.sandbox import DockerSandbox, SandboxConfig  # noqa: E402
from archon_code.sandbox.local import LocalProcessRunner  # noqa: E402
from archon_code.types import Candidate  # noqa: E402


def workload(path: Path) -> list[tuple]:
    """(problem, candidate, tests) for every recorded solution that is not meant to time out."""
    items = []
    for problem in load_problems(path):
        tests = problem.tests("all")
        for k, sol in enumerate(problem.solutions):
            if sol.correct and tests:
                items.append((problem, Candidate(id=f"{problem.id}#{k}", source=sol.source, lang=sol.lang), tests))
    return items


def measure(runner, items, rounds: int) -> dict:
    judge = Judge(runner)
    pool = ThreadPoolExecutor(max_workers=runner.workers)

    def one_round() -> tuple[int, int]:
        results = list(pool.map(lambda it: judge.judge(*it), items))
        return sum(len(r.tests) for r in results), sum(r.passed for r in results)

    one_round()  # warm-up
    start = time.perf_counter()
    tests = accepted = 0
    for _ in range(rounds):
        n, ok = one_round()
        tests, accepted = tests + n, accepted + ok
    seconds = time.perf_counter() - start
    pool.shutdown()
    return {"tests": tests, "accepted": accepted, "seconds": round(seconds, 3),
            "tests_per_s": round(tests / seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problems", nargs="?", default=str(ROOT / "problems"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items = workload(Path(args.problems))
    config = SandboxConfig(workers=args.workers)
    with LocalProcessRunner(config) as bare:
        bare_stats = measure(bare, items, args.rounds)
    with DockerSandbox(config) as sandbox:
        box_stats = measure(sandbox, items, args.rounds)
    ratio = box_stats["tests_per_s"] / bare_stats["tests_per_s"]
    report = {"solutions": len(items), "workers": args.workers, "rounds": args.rounds,
              "bare": bare_stats, "sandbox": box_stats, "ratio": round(ratio, 3)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{len(items)} solutions x {args.rounds} rounds, {args.workers} workers")
    for name, stats in (("bare subprocess", bare_stats), ("docker sandbox", box_stats)):
        print(f"  {name:<16} {stats['tests']:>6} tests  {stats['seconds']:>8.2f} s  {stats['tests_per_s']:>8.2f} tests/s"
              f"  ({stats['accepted']} accepted)")
    print(f"  ratio sandbox/bare: {ratio:.3f} (target >= 0.8)")


if __name__ == "__main__":
    main()
