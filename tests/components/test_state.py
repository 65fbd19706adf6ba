"""Merging the outputs of one layer's components."""

from __future__ import annotations

from archon_code.components import Failure, State, merge_states
from archon_code.types import Candidate, TestCase
from tests.components.conftest import judgement


def _c(cid: str) -> Candidate:
    return Candidate(id=cid, source=f"print({cid!r})\n")


def test_merge_adds_new_items_of_every_output_in_order():
    base = State(candidates=(_c("a"),), notes=("n0",))
    one = base.model_copy(update={"candidates": (_c("a"), _c("b")), "notes": ("n0", "n1")})
    two = base.model_copy(update={
        "candidates": (_c("a"), _c("c")),
        "tests": (TestCase(input="1\n", output="1\n", kind="generated", trust=0.8, source="brute-force"),),
        "failures": (Failure(tag="t", model="m", kind="llm", message="down"),),
    })
    merged = merge_states(base, [one, two])
    assert [c.id for c in merged.candidates] == ["a", "b", "c"]
    assert merged.notes == ("n0", "n1")
    assert [t.input for t in merged.tests] == ["1\n"]
    assert merged.failures == (Failure(tag="t", model="m", kind="llm", message="down"),)


def test_merge_removes_ids_any_output_dropped_and_keeps_the_ranking():
    base = State(candidates=(_c("a"), _c("b"), _c("c")))
    verifier = base.model_copy(update={"candidates": (_c("a"), _c("c")), "dropped": ("b",), "verified": ("a", "c")})
    ranker = base.model_copy(update={"ranking": ("c", "b", "a"), "scores": {"a": 1.0, "b": 2.0, "c": 3.0}})
    merged = merge_states(base, [verifier, ranker])
    assert [c.id for c in merged.candidates] == ["a", "c"]
    assert merged.ranking == ("c", "a")
    assert merged.verified == ("a", "c")
    assert merged.dropped == ("b",)
    assert merged.scores == {"a": 1.0, "b": 2.0, "c": 3.0}


def test_merge_takes_new_verdicts_and_coverage():
    base = State(candidates=(_c("a"), _c("b")))
    out = base.model_copy(update={"verdicts": {"a": judgement("a", "AA")}, "coverage": {"a": 2}})
    merged = merge_states(base, [out, base])
    assert merged.verdicts == {"a": judgement("a", "AA")}
    assert merged.coverage == {"a": 2}


def test_merge_of_no_change_is_the_base():
    base = State(candidates=(_c("a"),), notes=("x",))
    assert merge_states(base, [base, base]) == base
