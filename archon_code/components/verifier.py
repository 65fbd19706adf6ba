"""Verifier: keep only candidates that pass every public test; optionally ask a model too.

Invariant: a candidate that failed a public test is never in ``state.verified``. The LLM
check can only remove candidates from the verified set, never add one.
"""

from __future__ import annotations

import re

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.evidence import passes_public
from archon_code.components.state import State
from archon_code.types import Problem

__all__ = ["Verifier", "VerifierConfig", "parse_verdict", "verified_ids"]


class VerifierConfig(LLMComponentConfig):
    """Settings of a verifier."""

    llm_check: bool = False
    """Also ask the model whether each public-passing candidate is correct; candidates it
    calls incorrect are dropped unless that would drop all of them."""


def parse_verdict(text: str) -> bool | None:
    """True for ``Verdict: CORRECT``, False for ``Verdict: INCORRECT``, None when absent."""
    found = re.findall(r"verdict\s*:\s*\**\s*(in)?correct", text, re.I)
    if not found:
        return None
    return found[-1] == ""


def verified_ids(state: State, n_public: int) -> tuple[str, ...]:
    """Ids of candidates whose verdicts cover and pass every public test."""
    return tuple(c.id for c in state.candidates if passes_public(state.verdicts.get(c.id), n_public))


class Verifier(Component):
    """Filters candidates to those passing every public test (judging unjudged ones first).

    When no candidate passes, nothing is removed (the best attempt is still returned by the
    runner, and reported as failing), ``verified`` is empty and a note says so.
    """

    config_class = VerifierConfig
    config: VerifierConfig

    def run(self, problem: Problem, state: State) -> State:
        state = self.evaluate(problem, state, only_missing=True)
        passing = verified_ids(state, len(problem.public_tests))
        if not passing:
            return state.model_copy(update={"verified": ()}).note(
                f"{self.tag}: no candidate passes every public test; none removed")
        if self.config.llm_check and self.llm is not None:
            passing, state = self._llm_check(problem, state, passing)
        drop = tuple(c.id for c in state.candidates if c.id not in passing)
        return state.model_copy(update={
            "verified": passing,
            "candidates": tuple(c for c in state.candidates if c.id in passing),
            "dropped": state.dropped + drop,
        })

    def _llm_check(self, problem: Problem, state: State, passing: tuple[str, ...]) -> tuple[tuple[str, ...], State]:
        kept, failures = [], []
        for cid in passing:
            text, failure = self.ask(self.messages("verifier", problem, candidate=state.candidate(cid)))
            if failure is not None:
                failures.append(failure)
            if failure is not None or parse_verdict(text or "") is not False:
                kept.append(cid)
        state = state.model_copy(update={"failures": state.failures + tuple(failures)})
        return (tuple(kept) if kept else passing), state
