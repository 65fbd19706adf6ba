#!/usr/bin/env python3
"""``full`` with the current defaults against the earlier defaults, on the same problems.

Issue 10's end-to-end figure. Runs (resumably, one after the other, both ``--no-cache``)

* ``after``:  ``archon-code bench DATA --limit N --arch full --workers W``, today's defaults
  (the default model, ``--model`` to choose another);
* ``before``: the same with the earlier defaults: the shipped 1.5B file
  (``--before-model local/qwen2.5-coder-1.5b``), ``ARCHON_CODE_LOCAL_SLOTS=2``,
  ``ARCHON_CODE_LOCAL_THREADS=1``, ``ARCHON_CODE_LOCAL_BATCH=0``, ``ARCHON_CODE_LOCAL_REPACK=1``
  and ``full`` with the generator's former ``parallel: 2``, a critic and fuser with
  ``distinct: false``, a critic with ``stop_at_code: false`` and a differential layer with
  ``overlap: false`` and ``brute_force_candidate: false`` (written to ``OUT/full-legacy.yaml``);

then prints, per run, pass@1, oracle, calls and seconds per problem (the mean wall time of one
problem's task, as ``bench`` prints ``s/p``) and the ratio before / after, over the problems both
runs finished; also the median and geometric mean of the per-problem ratios (a few long
problems whose sampled answers happen to be much longer in one run weigh heavily on the mean)
and completion tokens per task second.

    python bench/speed_compare.py [--data ../shared/data/mbpp.jsonl] [--limit 30] [--workers 2]
                                  [--model MODEL] [--before-model local/qwen2.5-coder-1.5b]
                                  [--out bench-runs/speed]
                                  [--only after|before] [--report]

``--report`` only compares what ``OUT/after`` and ``OUT/before`` already hold.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEGACY_ENV = {"ARCHON_CODE_LOCAL_SLOTS": "2", "ARCHON_CODE_LOCAL_THREADS": "1", "ARCHON_CODE_LOCAL_BATCH": "0",
              "ARCHON_CODE_LOCAL_REPACK": "1"}


def legacy_arch(out: Path) -> Path:
    """``full`` with the generator's earlier default ``parallel: 2``, a critic and fuser that
    take the top candidates copies included (``distinct: false``), a critic that writes its
    whole answer (``stop_at_code: false``) and a differential layer that asks for one thing at
    a time and keeps the brute force as a reference only (``overlap: false``,
    ``brute_force_candidate: false``)."""
    import yaml

    from archon_code.architecture import load_architecture

    config = load_architecture("full").model_dump(mode="json", exclude_none=True)
    for layer in config["layers"]:
        for component in layer:
            if component["type"] == "generator":
                component["parallel"] = 2
            if component["type"] in ("critic", "fuser"):
                component["distinct"] = False
            if component["type"] == "critic":
                component["stop_at_code"] = False
            if component["type"] == "differential":
                component["overlap"] = False
                component["brute_force_candidate"] = False
    config["name"] = "full-legacy"
    path = out / "full-legacy.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def bench(args, label: str) -> None:
    out = Path(args.out)
    arch = str(legacy_arch(out)) if label == "before" else "full"
    env = dict(os.environ, **(LEGACY_ENV if label == "before" else {}))
    model = args.before_model if label == "before" else args.model
    command = ["archon-code", "bench", args.data, "--limit", str(args.limit), "--arch", arch, "--model", model,
               "--workers", str(args.workers), "--no-cache", "--out", str(out / label)]
    print(f"{label}: {' '.join(command)}", file=sys.stderr, flush=True)
    subprocess.run(command, env=env, check=True)


def report(out: Path) -> str:
    from archon_code.bench.store import ResultStore
    from archon_code.bench.summary import summarize

    runs = {label: {r.problem: r for r in ResultStore(out / label / "results.jsonl").load().values()}
            for label in ("before", "after")}
    common = sorted(set(runs["before"]) & set(runs["after"]))
    if not common:
        return "no problem finished in both runs yet"
    lines = [f"{len(common)} problems finished in both runs", "",
             "| run | pass@1 | oracle | calls/p | s/p (mean task wall) | total task s |", "|---|---|---|---|---|---|"]
    totals = {}
    for label in ("before", "after"):
        [arch] = summarize([runs[label][p] for p in common]).archs
        totals[label] = arch
        lines.append(f"| {label} | {arch.pass_at_1:.3f} | {arch.oracle:.3f} | {arch.calls:.1f} | {arch.seconds:.1f} | "
                     f"{arch.total_seconds:.0f} |")
    ratios = sorted(runs["before"][p].seconds / max(runs["after"][p].seconds, 1e-9) for p in common)
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    tokens = {label: sum(runs[label][p].completion_tokens for p in common) for label in runs}
    lines += ["", f"speed-up (before s/p / after s/p): {totals['before'].seconds / totals['after'].seconds:.2f}x",
              f"per-problem ratios before/after: median {statistics.median(ratios):.2f}x, geometric mean {geo:.2f}x, "
              f"range {ratios[0]:.2f}-{ratios[-1]:.2f}",
              "completion tokens per task second: " + ", ".join(
                  f"{label} {tokens[label] / max(totals[label].total_seconds, 1e-9):.2f}" for label in ("before", "after"))]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "mbpp.jsonl"))
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default=None, help="model of the 'after' run (default: the default model)")
    parser.add_argument("--before-model", default="local/qwen2.5-coder-1.5b",
                        help="model of the 'before' run (default: the earlier default, the shipped 1.5B file)")
    parser.add_argument("--out", default="bench-runs/speed")
    parser.add_argument("--only", choices=("after", "before"))
    parser.add_argument("--report", action="store_true", help="only compare the runs already in --out")
    args = parser.parse_args()
    if args.model is None:
        from archon_code.llm.local import DEFAULT_MODEL

        args.model = DEFAULT_MODEL
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not args.report:
        for label in ("after", "before"):
            if args.only in (None, label):
                bench(args, label)
    print(report(out))


if __name__ == "__main__":
    main()
