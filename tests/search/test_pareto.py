from hypothesis import given
from hypothesis import strategies as st

from archon_code.search.pareto import dominates, pareto_front, pick_best

POINTS = [("a", 0.5, 10.0), ("b", 0.7, 20.0), ("c", 0.4, 30.0), ("d", 0.7, 15.0), ("e", 0.2, 1.0),
          ("f", 0.5, 10.0)]


def test_known_front():
    assert pareto_front(POINTS) == ["e", "a", "f", "d"]


def test_best_prefers_score_then_cost_then_order():
    assert pick_best(POINTS) == "d"
    assert pick_best([("x", 0.5, 3.0), ("y", 0.5, 3.0)]) == "x"


def test_dominates():
    assert dominates((0.5, 1.0), (0.5, 2.0))
    assert not dominates((0.5, 1.0), (0.5, 1.0))
    assert not dominates((0.6, 2.0), (0.5, 1.0))


points = st.lists(st.tuples(st.integers(0, 10).map(lambda v: v / 10), st.integers(0, 20).map(float)),
                  min_size=1, max_size=25).map(lambda ps: [(i, s, c) for i, (s, c) in enumerate(ps)])


@given(points)
def test_front_is_exactly_the_non_dominated_points(ps):
    front = set(pareto_front(ps))
    for key, s, c in ps:
        dominated = any(dominates((s2, c2), (s, c)) for _, s2, c2 in ps)
        assert (key in front) == (not dominated)


@given(points)
def test_best_is_on_the_front_with_the_top_score(ps):
    best = pick_best(ps)
    assert best in pareto_front(ps)
    assert dict((k, s) for k, s, _ in ps)[best] == max(s for _, s, _ in ps)


@given(points)
def test_front_is_invariant_to_order(ps):
    assert set(pareto_front(ps)) == set(pareto_front(list(reversed(ps))))
