"""Critic: per-candidate critiques that see the failing tests (input, expected, actual, stderr)
and, after a differential layer, the inputs on which the candidates disagree."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.clusters import disagreements
from archon_code.components.differential import observe
from archon_code.components.evidence import best_distinct, program_key, rank_by_evidence
from archon_code.components.feedback import failures_of
from archon_code.components.state import State
from archon_code.extract import CODE_START_STOP
from archon_code.types import Problem

__all__ = ["Critic", "CriticConfig"]


class CriticConfig(LLMComponentConfig):
    """Settings of a critic."""

    top_k: int = Field(default=3, ge=1, le=50)
    """Critique the ``top_k`` best candidates by execution evidence, one per distinct program
    (``evidence.best_distinct``)."""
    failures: int = Field(default=3, ge=0, le=20)
    """Most failing tests shown per candidate."""
    parallel: int = Field(default=2, ge=1, le=64)
    """Model calls in flight at once."""
    disagreements: int = Field(default=3, ge=0, le=20)
    """Most differential inputs shown on which candidates disagree (after a differential layer)."""
    distinct: bool = True
    """Skip a candidate whose program equals a better one's (``evidence.best_distinct``);
    False: the ``top_k`` best as ranked, copies included (the behaviour before stop 23)."""
    stop_at_code: bool = True
    """End a critique where the model opens a program's code block (``extract.CODE_START_STOP``).

    Decision: the prompt asks for no program, yet the 1.5B model writes its analysis, then a
    whole corrected program and an explanation of it: 430-500 answer tokens on MBPP problems,
    more than half of them after the first ```python (docs/models.md, "Critic answers"). The
    fuser writes the program itself and sees the critique in its prompt, so the code costs
    decoding time twice (critic answer and fuser prompt) and has never been run. False: the
    whole answer, as before stop 23."""


class Critic(Component):
    """Writes a critique of each of the best ``top_k`` candidates into ``state.critiques``."""

    config_class = CriticConfig
    config: CriticConfig

    def run(self, problem: Problem, state: State) -> State:
        state = observe(self.judge, problem, self.evaluate(problem, state, only_missing=True))
        tests = self.tests_for(problem, state)
        n_public = len(problem.public_tests)
        chosen = (best_distinct(state, n_public, self.config.top_k, state.ranking) if self.config.distinct
                  else rank_by_evidence(state, n_public, state.ranking)[: self.config.top_k])

        def one(cid: str):
            failures = failures_of(state.verdicts.get(cid), tests, limit=self.config.failures)
            total = state.coverage.get(cid, len(tests))
            cases = disagreements(state, n_public, {cid: "this solution"}, self.config.disagreements)
            messages = self.messages("critic", problem, candidate=state.candidate(cid), failures=failures,
                                     total=total, disagreements=cases)
            return self.ask(messages, stop=CODE_START_STOP if self.config.stop_at_code else ())

        with ThreadPoolExecutor(max_workers=max(1, min(self.config.parallel, len(chosen)))) as pool:
            answers = list(pool.map(one, chosen))
        critiques = dict(state.critiques)
        failed = []
        written: dict[tuple[str, str], str] = {}
        for cid, (text, failure) in zip(chosen, answers):
            if failure is not None:
                failed.append(failure)
            else:
                written[program_key(state.candidate(cid))] = critiques[cid] = (text or "").strip()
        for cand in state.candidates:  # a copy of a critiqued program has its critique too
            if cand.id not in critiques and program_key(cand) in written:
                critiques[cand.id] = written[program_key(cand)]
        return state.model_copy(update={"critiques": critiques, "failures": state.failures + tuple(failed)})
