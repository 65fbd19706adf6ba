"""Evaluator in the real sandbox: the verdict matrix over public + generated tests."""

from __future__ import annotations

import pytest

from archon_code.components import Evaluator, EvaluatorConfig, State
from archon_code.types import Candidate, TestCase, Verdict
from tests.components.conftest import ADD, CRASH, SUB, make_problem

pytestmark = pytest.mark.docker


def test_matrix_covers_public_then_generated_and_is_refreshed(judge):
    problem = make_problem().without_hidden()
    cands = (Candidate(id="add", source=ADD), Candidate(id="sub", source=SUB), Candidate(id="crash", source=CRASH))
    evaluator = Evaluator(EvaluatorConfig(type="evaluator"), None, judge, tag="layer3/evaluator0", model="m")
    out = evaluator.run(problem, State(candidates=cands))
    assert {cid: [t.verdict for t in j.tests] for cid, j in out.verdicts.items()} == {
        "add": [Verdict.AC, Verdict.AC], "sub": [Verdict.WA, Verdict.WA], "crash": [Verdict.RE, Verdict.RE]}
    assert out.coverage == {"add": 2, "sub": 2, "crash": 2}
    again = evaluator.run(problem, out)
    assert again is out  # nothing stale, nothing re-run
    gen = TestCase(input="4 4\n", output="8\n", kind="generated", trust=0.8, source="brute-force")
    more = evaluator.run(problem, out.model_copy(update={"tests": (gen,)}))
    assert [(t.kind, t.verdict) for t in more.verdicts["add"].tests] == [
        ("public", Verdict.AC), ("public", Verdict.AC), ("generated", Verdict.AC)]
    assert [t.verdict for t in more.verdicts["sub"].tests] == [Verdict.WA, Verdict.WA, Verdict.WA]
    assert more.coverage == {"add": 3, "sub": 3, "crash": 3}
