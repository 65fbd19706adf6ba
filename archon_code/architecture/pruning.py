"""No wasted model calls: components whose result cannot change the run's outcome are skipped.

The outcome is the program the runner returns. Two components only ever feed others:

* a **critic** writes critiques that only a fuser reads: with no fuser in a later layer,
  its calls cannot change anything;
* a **unit-test generator**'s tests only reorder candidates (and allow early exit). When no
  later layer adds candidates (no generator or fuser, and no third-party component, which
  may), the choice is already fixed if no candidate passes every public test (whichever is
  chosen fails) or exactly one candidate passes the most public tests (it stays first,
  since public tests passed is the first key of the evidence order).

Each skip is traced (event ``skipped``) and counted in :attr:`SolveResult.skipped`.
"""

from __future__ import annotations

from typing import Optional, Sequence

from archon_code.components import Component, State
from archon_code.components.evidence import evidence

__all__ = ["ADDS_CANDIDATES", "skip_reason"]

ADDS_CANDIDATES = frozenset({"generator", "fuser", "differential"})
"""Shipped component types that add candidates (differential: its extra samples)."""
_KNOWN = ADDS_CANDIDATES | {"unit_test_generator", "evaluator", "ranker", "verifier", "critic"}


def _later_types(later: Sequence[Sequence[object]]) -> set[str]:
    return {getattr(settings, "type", "") for layer in later for settings in layer}


def _adds_candidates(types: set[str]) -> bool:
    return bool(types & ADDS_CANDIDATES) or bool(types - _KNOWN)


def skip_reason(component: Component, problem, state: State, later: Sequence[Sequence[object]]) -> tuple[
        Optional[str], State]:
    """Why ``component`` cannot change the outcome (None: run it), and the state after any
    judging the decision needed (the unit-test generator would judge the same candidates)."""
    kind = getattr(component.config, "type", "")
    types = _later_types(later)
    if kind == "critic" and not (types & {"fuser"}) and not (types - _KNOWN):
        return "no fuser follows to read the critiques", state
    if kind != "unit_test_generator" or _adds_candidates(types) or not state.candidates:
        return None, state
    state = component.evaluate(problem, state, only_missing=True)
    n_public = len(problem.public_tests)
    passed = sorted((keys[0] for keys in evidence(state, n_public).values()), reverse=True)
    if passed[0] < n_public:
        return f"no candidate passes every public test (best {passed[0]}/{n_public}) and none is added later", state
    if len(passed) == 1 or passed[1] < passed[0]:
        return "one candidate alone passes every public test and none is added later", state
    return None, state
