"""Ranking by execution evidence: exact orders and hypothesis invariances."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.components.evidence import evidence, rank_by_evidence, score_value, solved
from archon_code.types import TestCase
from tests.components.conftest import ADD, judgement, state_with

GEN = (TestCase(input="7 8\n", output="15\n", kind="generated", trust=0.8, source="brute-force"),
       TestCase(input="0 0\n", output="0\n", kind="generated", trust=0.3, source="prediction"))


def test_public_first_then_trusted_generated_then_cluster():
    verdicts = {
        "a": judgement("a", "AWAA", "ppgg", ("3", "1", "15", "0")),
        "b": judgement("b", "AAWA", "ppgg", ("3", "10", "14", "0")),
        "c": judgement("c", "AAAW", "ppgg", ("3", "10", "15", "1")),
        "d": judgement("d", "AAAW", "ppgg", ("3", "10", "15", "1")),
        "e": judgement("e", "AAWA", "ppgg", ("3", "10", "16", "0")),
    }
    state = state_with({k: ADD for k in verdicts}, verdicts, GEN)
    assert evidence(state, 2) == {"a": (1, 0, 0, 1.1, 1), "b": (2, 0, 0, 0.3, 1), "c": (2, 0, 0, 0.8, 2),
                                  "d": (2, 0, 0, 0.8, 2), "e": (2, 0, 0, 0.3, 1)}
    assert rank_by_evidence(state, 2) == ["c", "d", "b", "e", "a"]
    assert rank_by_evidence(state, 2, tiebreak=["e", "d"]) == ["d", "c", "e", "b", "a"]
    assert score_value((2, 0, 0, 0.8, 2)) == 2_000_000_000_800.002
    assert score_value((1, 3, 2, 0.0, 0)) == 1_003_002_000_000.0


def test_unjudged_candidates_rank_last_in_creation_order():
    state = state_with({"x": ADD, "y": ADD, "z": ADD}, {"y": judgement("y", "AW")})
    assert rank_by_evidence(state, 2) == ["y", "x", "z"]


def test_solved_needs_every_public_and_every_trusted_generated_test():
    almost = {"a": judgement("a", "AAWA", "ppgg")}
    assert solved(state_with({"a": ADD}, almost, GEN), 2) is None
    untrusted_fail = {"a": judgement("a", "AAAW", "ppgg")}
    assert solved(state_with({"a": ADD}, untrusted_fail, GEN), 2) == "a"
    assert solved(state_with({"a": ADD}, {"a": judgement("a", "AA")}, GEN), 2) is None  # not yet run on GEN


_rows = st.lists(st.text(alphabet="AW", min_size=4, max_size=4), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None)
@given(rows=_rows, tiebreak=st.permutations(list(range(8))))
def test_ranking_invariances(rows, tiebreak):
    verdicts = {f"c{i}": judgement(f"c{i}", row, "ppgg") for i, row in enumerate(rows)}
    state = state_with({cid: ADD for cid in verdicts}, verdicts, GEN)
    order = rank_by_evidence(state, 2, [f"c{i}" for i in tiebreak])
    assert sorted(order) == sorted(verdicts)
    public = {cid: row[:2].count("A") for cid, row in zip(verdicts, rows)}
    for better, worse in zip(order, order[1:]):
        assert public[better] >= public[worse]
    plain = rank_by_evidence(state, 2)
    keys = evidence(state, 2)
    assert [keys[c] for c in order] == [keys[c] for c in plain]
