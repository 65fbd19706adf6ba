"""ITAS: search the space of architectures for the best pass@1 under a budget."""

from archon_code.search.itas import SearchResult, run_search
from archon_code.search.pareto import dominates, pareto_front, pick_best
from archon_code.search.space import SearchSpace, TrialParams, build_architecture, load_space, suggest
from archon_code.search.study import SearchOptions, TrialRow, split_problems

__all__ = [
    "SearchOptions",
    "SearchResult",
    "SearchSpace",
    "TrialParams",
    "TrialRow",
    "build_architecture",
    "dominates",
    "load_space",
    "pareto_front",
    "pick_best",
    "run_search",
    "split_problems",
    "suggest",
]
