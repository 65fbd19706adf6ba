"""Fuser: writes repaired candidates from the top-k candidates, their critiques and failures.

Fused candidates have no verdicts yet: put an evaluator in the layer after a fuser (and a
ranker after it, which runs them on the differential inputs: clustered again). After a
differential layer the prompt shows the inputs on which the candidates disagree.
"""

from __future__ import annotations

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.clusters import disagreements
from archon_code.components.differential import observe
from archon_code.components.evidence import best_distinct, public_passed, rank_by_evidence
from archon_code.components.feedback import failures_of
from archon_code.components.generator import sample_programs
from archon_code.components.state import State
from archon_code.types import Problem

__all__ = ["Fuser", "FuserConfig"]


class FuserConfig(LLMComponentConfig):
    """Settings of a fuser."""

    top_k: int = Field(default=3, ge=1, le=50)
    """Fuse the ``top_k`` best candidates by execution evidence, one per distinct program
    (``evidence.best_distinct``)."""
    samples: int = Field(default=1, ge=1, le=50)
    """Fused candidates to write."""
    failures: int = Field(default=2, ge=0, le=20)
    """Most failing tests shown per candidate."""
    parallel: int = Field(default=2, ge=1, le=64)
    """Model calls in flight at once."""
    disagreements: int = Field(default=3, ge=0, le=20)
    """Most differential inputs shown on which candidates disagree (after a differential layer)."""
    distinct: bool = True
    """Skip a candidate whose program equals a better one's (``evidence.best_distinct``);
    False: the ``top_k`` best as ranked, copies included (the behaviour before stop 23)."""


class Fuser(Component):
    """Adds ``samples`` fused candidates (origin ``fuser:MODEL#i``)."""

    config_class = FuserConfig
    config: FuserConfig

    def run(self, problem: Problem, state: State) -> State:
        if not state.candidates:
            return state.note(f"{self.tag}: no candidates to fuse")
        state = observe(self.judge, problem, self.evaluate(problem, state, only_missing=True))
        tests = self.tests_for(problem, state)
        n_public = len(problem.public_tests)
        items = []
        chosen = (best_distinct(state, n_public, self.config.top_k, state.ranking) if self.config.distinct
                  else rank_by_evidence(state, n_public, state.ranking)[: self.config.top_k])
        names = {cid: f"candidate {k}" for k, cid in enumerate(chosen, 1)}
        cases = disagreements(state, n_public, names, self.config.disagreements)
        for cid in chosen:
            judgement = state.verdicts.get(cid)
            passed = public_passed(judgement, n_public) + sum(
                1 for t in (judgement.tests if judgement else ()) if t.kind == "generated" and t.verdict.value == "AC")
            items.append({
                "source": state.candidate(cid).source,
                "passed": passed,
                "total": state.coverage.get(cid, len(tests)),
                "critique": state.critiques.get(cid, ""),
                "failures": failures_of(judgement, tests, limit=self.config.failures),
            })
        jobs = [(self.model, sample) for sample in range(self.config.samples)]
        candidates, rejected, failures = sample_programs(self, problem, "fuser", jobs, "fuser", items=items,
                                                         disagreements=cases)
        return state.model_copy(update={
            "candidates": state.candidates + tuple(candidates),
            "rejected": state.rejected + tuple(rejected),
            "failures": state.failures + tuple(failures),
        })
