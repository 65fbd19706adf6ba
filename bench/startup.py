#!/usr/bin/env python3
"""Start-up time of the CLI, against a bare interpreter measured in the same run.

Runs, alternating, ``python -c pass`` (the floor no command can beat), ``archon-code --help``
and each command's ``--help``, and prints the median wall time of each, its ratio to the bare
interpreter, and the load average. The issue-10 target is ``archon-code --help`` under 150 ms
median on an idle machine.

    python bench/startup.py [--rounds 21] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = ("--help", "solve --help", "judge --help", "bench --help", "search --help", "suggest --help")


def _exe() -> list[str]:
    found = shutil.which("archon-code")
    return [found] if found else [sys.executable, "-m", "archon_code"]


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def measure(rounds: int) -> list[dict]:
    cases = {"python -c pass": [sys.executable, "-c", "pass"]}
    cases.update({f"archon-code {c}": _exe() + c.split() for c in COMMANDS})
    for argv in cases.values():  # warm the page cache and the bytecode
        _once(argv)
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):  # interleaved, so a change of load hits every case alike
        for name, argv in cases.items():
            times[name].append(_once(argv))
    bare = statistics.median(times["python -c pass"])
    return [{"case": name, "median_ms": round(statistics.median(t) * 1000, 1), "min_ms": round(min(t) * 1000, 1),
             "x_bare": round(statistics.median(t) / bare, 2)} for name, t in times.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.rounds)
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "load": load, "rows": rows}, indent=1))
        return
    print(f"{args.rounds} rounds, cores {os.cpu_count()}, load at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print("| command | median ms | min ms | x python -c pass |\n|---|---|---|---|")
    for r in rows:
        print(f"| `{r['case']}` | {r['median_ms']} | {r['min_ms']} | {r['x_bare']} |")


if __name__ == "__main__":
    main()
