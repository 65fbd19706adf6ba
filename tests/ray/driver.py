"""A bench driver for tests, run inside the cluster's network namespace:
``python -m tests.ray.driver ADDRESS OUT [--ids a,b] [--delay S] [--unreachable a,b] [--local] [--search]``.

It runs :func:`archon_code.bench.session.run` of the ``single`` preset on the shipped
problems with the scripted recorded-solutions LLM (no model), on Ray through
:func:`archon_code.distributed.ray_backend` or, with ``--local``, here on one sandbox, and
prints the records (wall seconds and execution counts left out) as JSON; ``--search`` runs a small random search
(:func:`archon_code.search.run_search`) instead and prints its trials and result.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

from archon_code.bench.session import BenchOptions, load_configs, run
from archon_code.resources import resource_dir
from tests.ray.scripted import recorded_solutions_llm


COST_ONLY = {"seconds", "total_seconds", "executions", "cached_executions", "total_executions",
             "total_cached_executions"}
"""What depends on the machine's load and on the per-node execution caches, not on the results."""


def records_json(records) -> list[dict]:
    return sorted((r.model_dump(exclude=COST_ONLY) for r in records), key=lambda r: (r["arch"], r["problem"], r["sample"]))


def _search(args, engine: dict) -> dict:
    """A small random search (2 trials, 6 problems) of the default space; its rows and result."""
    from archon_code.problems import load_problems
    from archon_code.search import SearchOptions, load_space, run_search

    options = SearchOptions(problems=str(resource_dir("problems")), strategy="random", trials=2, limit=6, seed=0)
    space = load_space().model_copy(update={"models": ("scripted",), "samples": (1, 2)})
    loaded = load_problems(resource_dir("problems"), limit=6)
    result = run_search(options, space, args.out, loaded, **engine)
    rows = [row.model_dump(exclude=COST_ONLY) for row in result.trials]
    test = result.test_summary.model_dump(exclude=COST_ONLY) if result.test_summary else None
    return {"new": result.new_trials, "trials": rows, "front": list(result.front), "best": result.best,
            "best_config": result.best_config, "dev": list(result.dev), "test": list(result.test), "test_summary": test}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("out", type=Path)
    parser.add_argument("--ids", default=None)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--local", action="store_true")
    parser.add_argument("--search", action="store_true", help="a small search instead of a bench")
    parser.add_argument("--unreachable", default="", help="problem ids whose model calls fail")
    args = parser.parse_args()
    ids = tuple(args.ids.split(",")) if args.ids else None
    unreachable = tuple(i for i in args.unreachable.split(",") if i)
    options = BenchOptions(problems=str(resource_dir("problems")), archs=("single",), ids=ids)
    configs = load_configs(options.archs)
    if args.local:
        from archon_code.judge import Judge
        from archon_code.sandbox import DockerSandbox, SandboxConfig

        with DockerSandbox(SandboxConfig.from_env(workers=2)) as sandbox:
            if args.search:
                engine = {"llm": recorded_solutions_llm(args.delay, unreachable), "judge": Judge(sandbox), "workers": 2}
                print(json.dumps(_search(args, engine)))
                return
            result = run(options, configs, args.out, llm=recorded_solutions_llm(args.delay, unreachable), judge=Judge(sandbox),
                         workers=2, report=False)
    else:
        from archon_code.distributed import WorkerSettings, ray_backend

        worker = WorkerSettings(llm_factory=functools.partial(recorded_solutions_llm, args.delay, unreachable))
        log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731 - as the CLI logs
        with ray_backend(args.address, worker=worker, log=log) as backend:
            if args.search:
                print(json.dumps(_search(args, {"llm": None, "judge": None, "backend": backend})))
                return
            result = run(options, configs, args.out, llm=None, judge=None, backend=backend, report=False)
    print(json.dumps({"new": result.new, "records": records_json(result.records)}))


if __name__ == "__main__":
    main()
