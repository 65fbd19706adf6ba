#!/usr/bin/env python3
"""Sandbox throughput against a bare local subprocess, measured in one run.

Runs every recorded solution of a problem set on all its tests, ROUNDS times, once
through the hardened Docker sandbox and once through the same runner as plain host
subprocesses (no container, no hardening), with the same number of workers, and prints
tests/second for both and their ratio. Rounds alternate between the two, so a change in the
machine's load weighs on both; the first round of each is a warm-up (container start, page
cache) and is not counted. Measure on an otherwise idle machine: containers of other runs
share Docker's CPU weight, which makes the sandbox look slower than it is.

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


class Side:
    """One way of running the workload (bare or sandbox), timed round by round."""

    def __init__(self, runner, items) -> None:
        self.judge, self.items = Judge(runner), items
        self.pool = ThreadPoolExecutor(max_workers=runner.workers)
        self.tests = self.accepted = 0
        self.seconds = 0.0
        self.round_s: list[float] = []

    def round(self, counted: bool = True) -> None:
        start = time.perf_counter()
        results = list(self.pool.map(lambda it: self.judge.judge(*it), self.items))
        elapsed = time.perf_counter() - start
        if counted:
            self.tests += sum(len(r.tests) for r in results)
            self.accepted += sum(r.passed for r in results)
            self.seconds += elapsed
            self.round_s.append(elapsed)

    def stats(self) -> dict:
        return {"tests": self.tests, "accepted": self.accepted, "seconds": round(self.seconds, 3),
                "tests_per_s": round(self.tests / self.seconds, 2), "round_s": [round(x, 3) for x in self.round_s]}


def measure(bare_runner, box_runner, items, rounds: int) -> tuple[dict, dict, float]:
    """Rounds alternate (bare, sandbox, bare, sandbox, ...), so a machine whose load changes
    during the run (a shared 2-core box) weighs on both sides alike; the ratio is the median
    of the per-round ratios, the tests/s are over all rounds."""
    bare, box = Side(bare_runner, items), Side(box_runner, items)
    bare.round(counted=False)  # warm-up: container start, page cache
    box.round(counted=False)
    for _ in range(rounds):
        bare.round()
        box.round()
    ratios = sorted(b / s for b, s in zip(bare.round_s, box.round_s))
    median = ratios[len(ratios) // 2] if len(ratios) % 2 else sum(ratios[len(ratios) // 2 - 1:][:2]) / 2
    for side in (bare, box):
        side.pool.shutdown()
    return bare.stats(), box.stats(), median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problems", nargs="?", default=str(ROOT / "problems"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items = workload(Path(args.problems))
    config = SandboxConfig(workers=args.workers)
    with LocalProcessRunner(config) as bare, DockerSandbox(config) as sandbox:
        bare_stats, box_stats, ratio = measure(bare, sandbox, items, args.rounds)
    report = {"solutions": len(items), "workers": args.workers, "rounds": args.rounds,
              "bare": bare_stats, "sandbox": box_stats, "ratio": round(ratio, 3)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{len(items)} solutions x {args.rounds} rounds, {args.workers} workers")
    for name, stats in (("bare subprocess", bare_stats), ("docker sandbox", box_stats)):
        print(f"  {name:<16} {stats['tests']:>6} tests  {stats['seconds']:>8.2f} s  {stats['tests_per_s']:>8.2f} tests/s"
              f"  ({stats['accepted']} accepted)")
    print(f"  ratio sandbox/bare: {ratio:.3f} (median of per-round ratios; target >= 0.8)")


if __name__ == "__main__":
    main()
