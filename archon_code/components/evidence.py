"""Execution evidence: what the verdict matrix says about each candidate (pure functions).

A candidate's evidence, compared lexicographically (higher is better):

1. public tests passed;
2. agreement with the brute force on the differential inputs (probes where the candidate
   gave the brute force's value; 0 without a differential layer or a brute force);
3. behaviour cluster: how many public-passing candidates gave exactly the same outputs on
   every differential input (AlphaCode's clustering / MBR-exec; 0 without one);
4. trust-weighted agreement with generated tests (sum of the trust of generated tests passed);
5. verdict cluster size: how many candidates behave identically on every test (same
   verdicts and same outputs) -- CodeT's dual agreement.

LLM opinions never enter the key; they only order candidates whose keys are equal.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional, Sequence

from archon_code.components.state import State
from archon_code.types import TRUSTED, Candidate, Judgement, Problem, TestCase, Verdict

__all__ = [
    "public_passing_reference",
    "TRUSTED",
    "Evidence",
    "best_distinct",
    "evidence",
    "program_key",
    "passes_public",
    "public_passed",
    "rank_by_evidence",
    "score_value",
    "solved",
]

Evidence = tuple[int, int, int, float, int]


def public_passed(judgement: Optional[Judgement], n_public: int) -> int:
    """Public tests (the first ``n_public`` of the matrix) the candidate passed."""
    if judgement is None:
        return 0
    return sum(1 for t in judgement.tests if t.kind == "public" and t.index < n_public and t.verdict is Verdict.AC)


def public_passing_reference(judge, problem: Problem, brute: Optional[Candidate], tag: str,
                             notes: list[str]) -> Optional[Candidate]:
    """A brute-force reference, kept only when it passes every public test (else a note says why)."""
    if brute is None:
        return None
    [judgement] = judge.judge_many(problem, [brute], problem.public_tests)
    if not judgement.accepted:
        notes.append(f"{tag}: brute force dropped, it fails the public tests ({judgement.verdict.value})")
        return None
    return brute


def passes_public(judgement: Optional[Judgement], n_public: int) -> bool:
    """True only when the judgement covers and passes every public test."""
    return judgement is not None and public_passed(judgement, n_public) == n_public


def _generated_ac(judgement: Judgement, n_public: int, tests: Sequence[TestCase]) -> list[int]:
    return [t.index - n_public for t in judgement.tests
            if t.kind == "generated" and t.verdict is Verdict.AC and 0 <= t.index - n_public < len(tests)]


def _signature(judgement: Optional[Judgement]) -> tuple:
    if judgement is None or judgement.verdict is Verdict.CE:
        return ("none",)
    return tuple((t.index, t.verdict.value, " ".join(t.stdout.split())) for t in judgement.tests)


def _behaviour_keys(state: State, n_public: int) -> dict[str, tuple[int, int]]:
    """candidate id -> (brute-force agreement, behaviour cluster size), public-passing ones only."""
    behaviour = state.behaviour
    if behaviour is None:
        return {}
    ids = [c.id for c in state.candidates if c.id in behaviour.outputs
           and passes_public(state.verdicts.get(c.id), n_public)]
    sizes = Counter(behaviour.outputs[cid] for cid in ids)
    reference = behaviour.reference or ()
    return {cid: (sum(1 for r, o in zip(reference, behaviour.outputs[cid]) if r and r == o),
                  sizes[behaviour.outputs[cid]]) for cid in ids}


def evidence(state: State, n_public: int) -> dict[str, Evidence]:
    """Evidence key of every candidate in ``state``."""
    signatures = {c.id: _signature(state.verdicts.get(c.id)) for c in state.candidates}
    clusters = Counter(signatures.values())
    behaviour = _behaviour_keys(state, n_public)
    result: dict[str, Evidence] = {}
    for cand in state.candidates:
        judgement = state.verdicts.get(cand.id)
        if judgement is None:
            result[cand.id] = (0, 0, 0, 0.0, 0)
            continue
        gen = sum(state.tests[i].trust for i in _generated_ac(judgement, n_public, state.tests))
        cluster = clusters[signatures[cand.id]] if signatures[cand.id] != ("none",) else 0
        agree, size = behaviour.get(cand.id, (0, 0))
        result[cand.id] = (public_passed(judgement, n_public), agree, size, round(gen, 9), cluster)
    return result


def score_value(key: Evidence) -> float:
    """One number per evidence key, ordered as the keys (for display and ``State.scores``;
    differential agreement and cluster size are capped at 999 each)."""
    pub, agree, size, gen, cluster = key
    return (pub * 1e12 + min(agree, 999) * 1e9 + min(size, 999) * 1e6 + min(round(gen * 1000.0), 999_999)
            + min(cluster, 999) / 1000.0)


def rank_by_evidence(state: State, n_public: int, tiebreak: Sequence[str] = ()) -> list[str]:
    """Candidate ids best first; equal evidence is ordered by ``tiebreak`` then creation order."""
    keys = evidence(state, n_public)
    order = {cid: i for i, cid in enumerate(tiebreak)}
    position = {c.id: i for i, c in enumerate(state.candidates)}
    return sorted(keys, key=lambda cid: (tuple(-x for x in keys[cid]), order.get(cid, len(order)), position[cid]))


def program_key(candidate: Candidate) -> tuple[str, str]:
    """What makes two candidates the same program: language and source, trailing spaces and
    blank edges aside."""
    lines = candidate.source.strip().splitlines()
    return candidate.lang, "\n".join(line.rstrip() for line in lines)


def best_distinct(state: State, n_public: int, k: int, tiebreak: Sequence[str] = ()) -> list[str]:
    """The ``k`` best candidate ids (:func:`rank_by_evidence`) whose programs differ: one whose
    program (:func:`program_key`) equals a better one's is skipped.

    Decision: a critic or fuser shown the same program twice learns nothing from the second copy,
    and at temperature 0 two critiques of one program are the same answer, paid twice (samples
    of a small model often repeat each other: MBPP runs of ``full`` picked two identical programs
    for the critic). The duplicates stay candidates, so their votes still count in the evidence."""
    seen: set[tuple[str, str]] = set()
    chosen: list[str] = []
    for cid in rank_by_evidence(state, n_public, tiebreak):
        key = program_key(state.candidate(cid))
        if key not in seen:
            seen.add(key)
            chosen.append(cid)
            if len(chosen) == k:
                break
    return chosen


def solved(state: State, n_public: int) -> Optional[str]:
    """Id of a candidate passing every public and every trusted generated test, if any; after
    a differential layer only when its clusters are decisive (see ``clusters.decisive``)."""
    from archon_code.components.clusters import decisive

    if state.behaviour is not None and state.behaviour.probes and not decisive(state, n_public):
        return None
    trusted = [i for i, t in enumerate(state.tests) if t.trust >= TRUSTED]
    for cid in rank_by_evidence(state, n_public, state.ranking):
        judgement = state.verdicts.get(cid)
        if not passes_public(judgement, n_public):
            continue
        passed = set(_generated_ac(judgement, n_public, state.tests))
        if all(i in passed for i in trusted):
            return cid
    return None
