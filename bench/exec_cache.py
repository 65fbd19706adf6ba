"""What the execution cache saves: the shipped problems' recorded solutions judged on all their
tests three times through the real Docker sandbox — cache off, cache cold (filling a fresh
store), cache warm (a rerun) — with wall seconds, sandbox jobs and test executions of each.

\b
    python bench/exec_cache.py                      # problems/, 2 workers
    python bench/exec_cache.py --problems problems/ --workers 2 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archon_code.exec_cache import CachedJudge, ExecCount, ExecStore  # noqa: E402
from archon_code.problems import load_problems  # noqa: E402
from archon_code.sandbox import DockerSandbox, SandboxConfig  # noqa: E402
from archon_code.types import Candidate  # noqa: E402


class CountingSandbox:
    """The real sandbox, counting jobs."""

    def __init__(self, inner):
        self.inner, self.jobs = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    @property
    def workers(self):
        return self.inner.workers

    def run_job(self, job, files_dir=None, keep=None):
        self.jobs += 1
        return self.inner.run_job(job, files_dir=files_dir, keep=keep)


def units(problems):
    """(problem, candidate, all tests) for every recorded solution."""
    out = []
    for p in problems:
        tests = p.public_tests + p.hidden_tests + p.generated_tests
        for i, s in enumerate(p.solutions):
            if s.lang == "py" or p.style == "stdio":
                out.append((p, Candidate(id=f"{p.id}-{i}", source=s.source, lang=s.lang), tests))
    return out


def one_pass(judge: CachedJudge, work, workers: int) -> tuple[float, ExecCount]:
    start = time.monotonic()

    def run(unit):
        judge.judge(*unit)
        return judge.last_count()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        counts = list(pool.map(run, work))
    return time.monotonic() - start, sum(counts, ExecCount())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default=str(ROOT / "problems"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="repetitions; the median is printed")
    args = parser.parse_args()
    work = units([p for p in load_problems(Path(args.problems)) if not p.interactive])
    rows: dict[str, list[tuple[float, int, ExecCount]]] = {"off": [], "cold": [], "warm": []}
    with DockerSandbox(SandboxConfig(workers=args.workers)) as real:
        box = CountingSandbox(real)
        one_pass(CachedJudge(box), work[:2], args.workers)  # start the containers
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as folder:
                for mode in ("off", "cold", "warm"):
                    store = None if mode == "off" else ExecStore(Path(folder))
                    jobs = box.jobs
                    seconds, count = one_pass(CachedJudge(box, store=store), work, args.workers)
                    rows[mode].append((seconds, box.jobs - jobs, count))
    print(f"{len(work)} solutions of {len({p.id for p, _, _ in work})} problems, "
          f"{sum(len(t) for _, _, t in work)} test executions per pass, {args.workers} workers, "
          f"median of {args.rounds} rounds")
    print(f"{'cache':<6} {'seconds':>8} {'jobs':>5} {'executed':>9} {'cached':>7}")
    for mode, found in rows.items():
        seconds = statistics.median(s for s, _, _ in found)
        _, jobs, count = found[-1]
        print(f"{mode:<6} {seconds:8.2f} {jobs:5d} {count.executed:9d} {count.cached:7d}")
    off, warm = (statistics.median(s for s, _, _ in rows[m]) for m in ("off", "warm"))
    print(f"warm rerun: {off / warm:.0f}x faster than with the cache off ({off - warm:.2f} s saved)")


if __name__ == "__main__":
    main()
