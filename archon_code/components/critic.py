"""Critic: per-candidate critiques that see the failing tests (input, expected, actual, stderr)
and, after a differential layer, the inputs on which the candidates disagree."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.clusters import disagreements
from archon_code.components.differential import observe
from archon_code.components.evidence import rank_by_evidence
from archon_code.components.feedback import failures_of
from archon_code.components.state import State
from archon_code.types import Problem

__all__ = ["Critic", "CriticConfig"]


class CriticConfig(LLMComponentConfig):
    """Settings of a critic."""

    top_k: int = Field(default=3, ge=1, le=50)
    """Critique the ``top_k`` best candidates by execution evidence."""
    failures: int = Field(default=3, ge=0, le=20)
    """Most failing tests shown per candidate."""
    parallel: int = Field(default=2, ge=1, le=64)
    """Model calls in flight at once."""
    disagreements: int = Field(default=3, ge=0, le=20)
    """Most differential inputs shown on which candidates disagree (after a differential layer)."""


class Critic(Component):
    """Writes a critique of each of the best ``top_k`` candidates into ``state.critiques``."""

    config_class = CriticConfig
    config: CriticConfig

    def run(self, problem: Problem, state: State) -> State:
        state = observe(self.judge, problem, self.evaluate(problem, state, only_missing=True))
        tests = self.tests_for(problem, state)
        n_public = len(problem.public_tests)
        chosen = rank_by_evidence(state, n_public, state.ranking)[: self.config.top_k]

        def one(cid: str):
            failures = failures_of(state.verdicts.get(cid), tests, limit=self.config.failures)
            total = state.coverage.get(cid, len(tests))
            cases = disagreements(state, n_public, {cid: "this solution"}, self.config.disagreements)
            messages = self.messages("critic", problem, candidate=state.candidate(cid), failures=failures,
                                     total=total, disagreements=cases)
            return self.ask(messages)

        with ThreadPoolExecutor(max_workers=max(1, min(self.config.parallel, len(chosen)))) as pool:
            answers = list(pool.map(one, chosen))
        critiques = dict(state.critiques)
        failed = []
        for cid, (text, failure) in zip(chosen, answers):
            if failure is not None:
                failed.append(failure)
            else:
                critiques[cid] = (text or "").strip()
        return state.model_copy(update={"critiques": critiques, "failures": state.failures + tuple(failed)})
