"""Verifier: never passes a candidate that failed a public test."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.components import Verifier, VerifierConfig
from archon_code.components.verifier import parse_verdict
from tests.components.conftest import ADD, SUB, judgement, make_problem, state_with
from tests.support.scripted_llm import ScriptedLLM


def _verifier(llm=None, **config) -> Verifier:
    return Verifier(VerifierConfig(type="verifier", **config), llm, None, tag="layer7/verifier0", model="m")


def test_keeps_only_public_passing_candidates(problem):
    verdicts = {"a": judgement("a", "AW"), "b": judgement("b", "AA"), "c": judgement("c", "RA")}
    state = _verifier().run(problem, state_with({"a": SUB, "b": ADD, "c": SUB}, verdicts))
    assert state.verified == ("b",)
    assert [c.id for c in state.candidates] == ["b"]
    assert state.dropped == ("a", "c")


def test_when_none_passes_nothing_is_removed(problem):
    verdicts = {"a": judgement("a", "AW")}
    state = _verifier().run(problem, state_with({"a": SUB}, verdicts))
    assert state.verified == ()
    assert [c.id for c in state.candidates] == ["a"]
    assert state.notes == ("layer7/verifier0: no candidate passes every public test; none removed",)


def test_llm_check_drops_incorrect_unless_all(problem):
    verdicts = {"a": judgement("a", "AA"), "b": judgement("b", "AA")}
    llm = ScriptedLLM(["Looks fine.\nVerdict: CORRECT", "Off by one.\nVerdict: INCORRECT"])
    state = _verifier(llm, llm_check=True, ).run(problem, state_with({"a": ADD, "b": ADD}, verdicts))
    assert state.verified == ("a",)
    llm = ScriptedLLM(["Verdict: INCORRECT", "Verdict: INCORRECT"])
    state = _verifier(llm, llm_check=True).run(problem, state_with({"a": ADD, "b": ADD}, verdicts))
    assert state.verified == ("a", "b")


def test_parse_verdict():
    assert parse_verdict("blah\nVerdict: CORRECT") is True
    assert parse_verdict("Verdict: **INCORRECT**") is False
    assert parse_verdict("verdict: incorrect ... Verdict: correct") is True
    assert parse_verdict("no verdict line") is None


_row = st.text(alphabet="AWRT", min_size=2, max_size=2)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(_row, min_size=1, max_size=6), answers=st.lists(st.sampled_from(
    ["Verdict: CORRECT", "Verdict: INCORRECT", "garbage"]), min_size=6, max_size=6), llm_check=st.booleans())
def test_no_candidate_failing_a_public_test_is_ever_verified(rows, answers, llm_check):
    verdicts = {f"c{i}": judgement(f"c{i}", row) for i, row in enumerate(rows)}
    state = state_with({cid: ADD for cid in verdicts}, verdicts)
    llm = ScriptedLLM(answers)
    out = _verifier(llm, llm_check=llm_check).run(make_problem().without_hidden(), state)
    failed = {cid for cid, row in zip(verdicts, rows) if row != "AA"}
    assert not set(out.verified) & failed
    assert set(out.verified) <= {c.id for c in out.candidates}
    if set(verdicts) - failed:
        assert {c.id for c in out.candidates} == set(out.verified)


def test_llm_check_failure_is_recorded_and_keeps_the_candidate(problem):
    verdicts = {"a": judgement("a", "AA")}
    llm = ScriptedLLM([], failures={0: "timeout"})
    state = _verifier(llm, llm_check=True).run(problem, state_with({"a": ADD}, verdicts))
    assert state.verified == ("a",)
    assert [f.kind for f in state.failures] == ["llm"]
