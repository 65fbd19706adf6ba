"""Scripted answers for benches on Ray in tests: the recorded solutions of the shipped problems.

The generator's prompt holds the problem statement; the answer is that problem's recorded
correct Python solution, or (for every other problem, in id order) its first incorrect one,
so a bench has both passes and fails. ``delay_s`` makes every call take that long, so a
test can kill a node while tasks run. Test-only: the stand-in of tests/support/scripted_llm.py.
"""

from __future__ import annotations

import time
from functools import lru_cache

from archon_code.errors import LLMError
from archon_code.resources import resource_dir
from tests.support.scripted_llm import ScriptedLLM


@lru_cache(maxsize=1)
def _answers() -> tuple[tuple[str, str, str], ...]:
    from archon_code.problems import load_problems

    answers = []
    for index, problem in enumerate(sorted(load_problems(resource_dir("problems")), key=lambda p: p.id)):
        py = [s for s in problem.solutions if s.lang == "py" and s.correct == (index % 2 == 0)]
        source = py[0].source if py else "print('no recorded Python solution')"
        answers.append((problem.id, problem.statement.strip()[:200], f"```python\n{source}\n```"))
    return tuple(answers)


def answer(messages, sample: int, unreachable: tuple[str, ...] = ()) -> str:
    prompt = "\n".join(str(m.get("content", "")) for m in messages)
    for problem_id, statement, text in _answers():
        if statement in prompt:
            if problem_id in unreachable:
                raise LLMError(f"scripted outage for {problem_id}")
            return text
    return "I do not know this problem."


def recorded_solutions_llm(delay_s: float = 0.0, unreachable: tuple[str, ...] = ()) -> ScriptedLLM:
    """A :class:`ScriptedLLM` answering with recorded solutions (``delay_s`` seconds per call);
    calls about the problems in ``unreachable`` fail as an unreachable model does."""

    def script(messages, sample: int) -> str:
        time.sleep(delay_s)
        return answer(messages, sample, unreachable)

    return ScriptedLLM(script)
