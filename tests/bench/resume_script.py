"""Run a small bench through the Python API (real sandbox, scripted model), for the kill -9 test.

Usage: python -m tests.bench.resume_script OUT_DIR CALL_LOG [DELAY_S]
Every solve appends "ARCH PROBLEM SAMPLE" to CALL_LOG (flushed) before it starts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from archon_code.bench.runner import OffsetLLM
from archon_code.bench.session import BenchOptions, run
from archon_code.judge import Judge
from archon_code.sandbox import DockerSandbox, SandboxConfig
from tests.bench.support import FUNCTION_NAMES, make_problem, one_shot_solver, right_answer, wrong_on_hidden
from tests.support.scripted_llm import ScriptedLLM


def main(out_dir: Path, log: Path, delay: float) -> None:
    problems = [make_problem(n) for n in FUNCTION_NAMES]

    def answer(messages, sample):
        name = messages[-1]["content"].split()[1].split("(")[0]
        time.sleep(delay)
        return right_answer(name) if FUNCTION_NAMES.index(name) % 2 == 0 else wrong_on_hidden(name)

    llm = ScriptedLLM(answer)

    def factory(arch, sample):
        solve = one_shot_solver(OffsetLLM(llm, sample), judge)

        def logged(problem):
            with open(log, "a") as handle:
                handle.write(f"{arch} {problem.id} {sample}\n")
                handle.flush()
            return solve(problem)

        return logged

    options = BenchOptions(problems="scripted", archs=("one", "two"))
    with DockerSandbox(SandboxConfig(workers=2)) as sandbox:
        judge = Judge(sandbox)
        result = run(options, {"one": None, "two": None}, out_dir, llm=llm, judge=judge,
                     problems=problems, factory=factory)
    print(f"{result.new} new of {len(result.records)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 0.0)
