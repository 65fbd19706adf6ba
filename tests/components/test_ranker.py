"""Ranker: evidence order, top-k cut, LLM only for exact ties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archon_code.components import Ranker, RankerConfig
from archon_code.components.ranker import parse_ranking
from tests.components.conftest import ADD, SUB, judgement, state_with
from tests.support.scripted_llm import ScriptedLLM


def _ranker(llm=None, **config) -> Ranker:
    return Ranker(RankerConfig(type="ranker", **config), llm, None, tag="layer3/ranker0", model="m")


def test_orders_by_public_tests_and_cuts_to_top_k(problem):
    verdicts = {"a": judgement("a", "WW"), "b": judgement("b", "AA"), "c": judgement("c", "AW")}
    state = _ranker(top_k=2).run(problem, state_with({"a": SUB, "b": ADD, "c": SUB}, verdicts))
    assert state.ranking == ("b", "c")
    assert [c.id for c in state.candidates] == ["b", "c"]
    assert state.dropped == ("a",)
    assert state.scores == {"b": 2_000_000_000_000.001, "c": 1_000_000_000_000.001}


def test_llm_breaks_only_the_exact_tie_at_the_top(problem):
    verdicts = {"a": judgement("a", "AW"), "b": judgement("b", "AA", stdout=("3", "10")),
                "c": judgement("c", "AA", stdout=("3", "10 ")), "d": judgement("d", "AA", stdout=("3", "11"))}
    llm = ScriptedLLM(["Ranking: 2, 1"])
    state = _ranker(llm, llm_tiebreak=True).run(problem, state_with({k: ADD for k in verdicts}, verdicts))
    # b and c agree (cluster of 2) so they tie above d; the model swaps only b and c.
    assert state.ranking == ("c", "b", "d", "a")
    assert len(llm.calls) == 1
    assert llm.calls[0].last_user.count("## Candidate") == 2


def test_no_llm_call_without_a_tie_and_failure_recorded(problem):
    verdicts = {"a": judgement("a", "AW"), "b": judgement("b", "AA")}
    llm = ScriptedLLM([])
    state = _ranker(llm, llm_tiebreak=True).run(problem, state_with({"a": ADD, "b": ADD}, verdicts))
    assert state.ranking == ("b", "a") and llm.calls == []
    tied = {"a": judgement("a", "AA"), "b": judgement("b", "AA")}
    failing = ScriptedLLM(["x"], failures={0: "timeout"})
    state = _ranker(failing, llm_tiebreak=True).run(problem, state_with({"a": ADD, "b": ADD}, tied))
    assert state.ranking == ("a", "b")
    assert [f.kind for f in state.failures] == ["llm"]


def test_parse_ranking():
    assert parse_ranking("I think Ranking: 3, 1, 2", 3) == [2, 0, 1]
    assert parse_ranking("ranking: 2 > 2 > 9 > 1", 3) == [1, 0]
    assert parse_ranking("no idea", 3) == []


@given(st.lists(st.integers(-5, 20), max_size=10), st.integers(1, 8))
def test_parse_ranking_gives_distinct_valid_indices(numbers, count):
    order = parse_ranking("Ranking: " + ", ".join(map(str, numbers)), count)
    assert len(order) == len(set(order))
    assert all(0 <= i < count for i in order)
