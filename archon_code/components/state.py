"""The state a layer of components reads and returns, and how a layer merges its outputs."""

from __future__ import annotations

from typing import Optional, Sequence

from archon_code.llm.base import Usage
from archon_code.types import Candidate, Frozen, Judgement, TestCase

__all__ = ["Behaviour", "Failure", "Probe", "Rejected", "State", "merge_states"]


class Failure(Frozen):
    """A model call that failed (rate limit, timeout, budget): recorded, never a wrong answer."""

    tag: str
    """Which component made the call, e.g. ``layer1/generator0``."""
    model: str
    kind: str
    """``llm`` (the client gave up) or ``budget`` (the run's budget was used up)."""
    message: str


class Rejected(Frozen):
    """A model answer that held no usable program (garbage), recorded instead of judged."""

    tag: str
    model: str
    sample: int
    reason: str
    text: str
    """The answer's first 2,000 characters."""


class Probe(Frozen):
    """One differential input every candidate is run on (no expected output)."""

    input: str
    """stdio: the stdin text; function style: the call as canonical JSON (``Call.to_json``)."""
    label: str
    """How prompts show it: ``f(2, [1])`` or the (truncated) input text."""


class Behaviour(Frozen):
    """What every candidate did on the differential inputs (see :mod:`archon_code.components.clusters`)."""

    probes: tuple[Probe, ...] = ()
    outputs: dict[str, tuple[str, ...]] = {}
    """candidate id -> one behaviour key per probe (``=`` + canonical value / stdout tokens, ``!`` +
    exception type or exit status, ``T`` time limit, ``-`` no result)."""
    shown: dict[str, str] = {}
    """behaviour key -> how prompts show it (``returns 3``, ``raises ValueError``, ``prints 3``)."""
    reference: Optional[tuple[str, ...]] = None
    """The brute force's keys ('' where it gave no value), when one passed the public tests."""
    min_size: int = 3
    """Decisive: the top cluster holds at least this many public-passing candidates ..."""
    min_share: float = 0.5
    """... and at least this share of the public-passing candidates that were run."""


class State(Frozen):
    """Everything the components of an architecture know about one problem so far."""

    candidates: tuple[Candidate, ...] = ()
    """Candidate programs still in play, in the order they were made."""
    tests: tuple[TestCase, ...] = ()
    """Generated tests (kind ``generated``), with their source and trust."""
    verdicts: dict[str, Judgement] = {}
    """Verdict matrix: candidate id -> Judgement over the public tests followed by ``tests``."""
    coverage: dict[str, int] = {}
    """candidate id -> how many tests (public, then generated) its Judgement was run on."""
    critiques: dict[str, str] = {}
    """candidate id -> the critic's text."""
    scores: dict[str, float] = {}
    """candidate id -> the ranker's evidence score (higher is better)."""
    ranking: tuple[str, ...] = ()
    """Candidate ids best first, as the last ranker ordered them."""
    verified: Optional[tuple[str, ...]] = None
    """Ids the verifier accepted (None: no verifier ran)."""
    dropped: tuple[str, ...] = ()
    """Ids removed by a verifier or a ranker's top-k cut."""
    usage: Usage = Usage()
    """Model usage of the run so far (kept by the runner)."""
    failures: tuple[Failure, ...] = ()
    rejected: tuple[Rejected, ...] = ()
    notes: tuple[str, ...] = ()
    """Human-readable remarks of components (why tests were dropped, ...)."""
    behaviour: Optional[Behaviour] = None
    """Outputs of every candidate on the differential inputs (None: no differential layer ran)."""

    def candidate(self, candidate_id: str) -> Candidate:
        for cand in self.candidates:
            if cand.id == candidate_id:
                return cand
        raise KeyError(candidate_id)

    def note(self, text: str) -> "State":
        return self.model_copy(update={"notes": self.notes + (text,)})


def _new(base: tuple, out: tuple) -> tuple:
    return out[len(base):] if out[: len(base)] == base else tuple(x for x in out if x not in base)


def merge_states(base: State, outputs: Sequence[State]) -> State:
    """Merge what the components of one layer returned from the same ``base`` state.

    New candidates, tests, verdicts, critiques, failures and notes of every output are
    added; an id dropped by any output is removed; the last output that re-ranked decides
    the ranking and scores.
    """
    candidates, tests = list(base.candidates), list(base.tests)
    verdicts, critiques, coverage = dict(base.verdicts), dict(base.critiques), dict(base.coverage)
    dropped, verified = list(base.dropped), base.verified
    scores, ranking = base.scores, base.ranking
    failures, rejected, notes = list(base.failures), list(base.rejected), list(base.notes)
    behaviour = base.behaviour
    for out in outputs:
        if out.behaviour != base.behaviour:
            behaviour = out.behaviour
        seen = {c.id for c in candidates}
        candidates += [c for c in out.candidates if c.id not in seen]
        known = {t.input for t in tests}
        tests += [t for t in out.tests if t.input not in known]
        verdicts.update({k: v for k, v in out.verdicts.items() if base.verdicts.get(k) != v})
        critiques.update({k: v for k, v in out.critiques.items() if base.critiques.get(k) != v})
        coverage.update({k: v for k, v in out.coverage.items() if base.coverage.get(k) != v})
        dropped += [d for d in out.dropped if d not in dropped]
        if out.verified != base.verified:
            verified = out.verified
        if out.ranking != base.ranking or out.scores != base.scores:
            scores, ranking = out.scores, out.ranking
        failures += _new(base.failures, out.failures)
        rejected += _new(base.rejected, out.rejected)
        notes += _new(base.notes, out.notes)
    gone = set(dropped)
    return State(
        candidates=tuple(c for c in candidates if c.id not in gone),
        tests=tuple(tests),
        verdicts=verdicts,
        coverage=coverage,
        critiques=critiques,
        scores=scores,
        ranking=tuple(r for r in ranking if r not in gone),
        verified=verified,
        dropped=tuple(dropped),
        usage=base.usage,
        failures=tuple(failures),
        rejected=tuple(rejected),
        notes=tuple(notes),
        behaviour=behaviour,
    )
