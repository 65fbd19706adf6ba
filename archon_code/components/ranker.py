"""Ranker: order candidates by execution evidence; an LLM only breaks exact ties."""

from __future__ import annotations

import re
from typing import Optional

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.differential import observe
from archon_code.components.evidence import evidence, rank_by_evidence, score_value
from archon_code.components.state import State
from archon_code.types import Problem

__all__ = ["Ranker", "RankerConfig", "parse_ranking"]


class RankerConfig(LLMComponentConfig):
    """Settings of a ranker."""

    top_k: Optional[int] = Field(default=None, ge=1)
    """Keep only the best ``top_k`` candidates (empty: keep all, just order them)."""
    llm_tiebreak: bool = False
    """Ask the model to order the best candidates when their evidence is exactly equal."""
    tie_limit: int = Field(default=4, ge=2, le=10)
    """Most tied candidates shown to the model at once."""


def parse_ranking(text: str, count: int) -> list[int]:
    """0-based indices from an answer like ``Ranking: 2, 1, 3`` (unknown or repeated numbers ignored)."""
    match = re.search(r"ranking\s*:?\s*([\d,\s>]+)", text, re.I)
    numbers = re.findall(r"\d+", match.group(1) if match else text)
    order: list[int] = []
    for raw in numbers:
        index = int(raw) - 1
        if 0 <= index < count and index not in order:
            order.append(index)
    return order


class Ranker(Component):
    """Orders by execution evidence (:mod:`~archon_code.components.evidence`): public tests
    passed, agreement with the brute force and behaviour-cluster size on the differential
    inputs (new candidates, e.g. fused ones, are run on them first), trust-weighted generated
    tests, verdict-cluster size. Optionally cuts to ``top_k``."""

    config_class = RankerConfig
    config: RankerConfig

    def run(self, problem: Problem, state: State) -> State:
        state = observe(self.judge, problem, self.evaluate(problem, state, only_missing=True))
        n_public = len(problem.public_tests)
        keys = evidence(state, n_public)
        order = rank_by_evidence(state, n_public, state.ranking)
        if self.config.llm_tiebreak and self.llm is not None:
            order, state = self._break_tie(problem, state, order, keys)
        dropped: tuple[str, ...] = ()
        if self.config.top_k is not None and len(order) > self.config.top_k:
            dropped = tuple(order[self.config.top_k:])
            order = order[: self.config.top_k]
        return state.model_copy(update={
            "ranking": tuple(order),
            "scores": {cid: score_value(keys[cid]) for cid in order},
            "candidates": tuple(c for c in state.candidates if c.id not in dropped),
            "dropped": state.dropped + dropped,
        })

    def _break_tie(self, problem: Problem, state: State, order: list[str], keys: dict) -> tuple[list[str], State]:
        tied = [cid for cid in order if keys[cid] == keys[order[0]]][: self.config.tie_limit] if order else []
        if len(tied) < 2:
            return order, state
        candidates = [state.candidate(cid) for cid in tied]
        text, failure = self.ask(self.messages("ranker", problem, candidates=candidates))
        if failure is not None:
            return order, state.model_copy(update={"failures": state.failures + (failure,)})
        picked = [tied[i] for i in parse_ranking(text or "", len(tied))]
        head = picked + [cid for cid in tied if cid not in picked]
        return head + [cid for cid in order if cid not in head], state
