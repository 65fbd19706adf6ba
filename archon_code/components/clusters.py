"""Behaviour clusters: candidates grouped by what they did on the differential inputs (pure).

Two candidates are in one cluster when they gave the same behaviour key on every probe
(plain-data values compared by their canonical encoding, floats to 9 significant digits;
stdout by whitespace tokens; crashes by exception type or exit status). Only candidates
passing every public test are clustered (AlphaCode: filter, then cluster).

Expected outputs per probe: the brute force's value when one passed the public tests,
else the largest cluster's (trust = its share of the clustered candidates). Never the
model's own prediction.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Optional, Sequence

from archon_code.components.evidence import passes_public
from archon_code.components.state import Behaviour, State
from archon_code.functions import CallOutcome, canonical, encode, short_repr
from archon_code.types import BRUTE_TRUST, ExecResult, Frozen

__all__ = ["Cluster", "Disagreement", "Expected", "clusters", "decisive", "disagreements", "expected_outputs",
           "failed", "function_key", "reference_agreement", "stdio_key"]


class Cluster(Frozen):
    keys: tuple[str, ...]
    """The behaviour shared by the members, one key per probe."""
    members: tuple[str, ...]
    """Candidate ids, in creation order."""


class Expected(Frozen):
    key: str
    source: str
    """``brute-force`` or ``cluster``."""
    trust: float


class Disagreement(Frozen):
    """One probe on which the shown candidates do not all agree, as prompts show it."""

    input: str
    groups: tuple[tuple[str, str], ...]
    """(who, what they did), e.g. ("candidates 1, 2", "return 3")."""
    reference: Optional[str] = None
    """What the brute force did, when there is one."""
    expected: Optional[str] = None
    """What the largest cluster did, with its share, when there is no brute force."""


def _round_floats(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, (list, tuple)):
        return type(value)(_round_floats(v) for v in value)
    if isinstance(value, dict):
        return {k: _round_floats(v) for k, v in value.items()}
    return value


def function_key(outcome: CallOutcome) -> tuple[str, str]:
    """(behaviour key, how prompts show it) of one function call's outcome."""
    if outcome.status == "value":
        return "=" + canonical(encode(_round_floats(outcome.value))), f"return {short_repr(outcome.value)}"
    if outcome.status == "error":
        kind = (outcome.detail or "Exception").split(":")[0]
        return "!" + kind, f"raise {kind}"
    if outcome.status == "unserializable":
        return "?" + (outcome.detail or ""), f"return a {outcome.detail} (not plain data)"
    return "-", "stop before answering"


def stdio_key(result: ExecResult) -> tuple[str, str]:
    """(behaviour key, how prompts show it) of one stdio run."""
    if result.timed_out:
        return "T", "exceed the time limit"
    if result.stdout_truncated:  # only its first MiB came back: not comparable (an "L" is no answer)
        return "L", "print more than the sandbox returns"
    if result.exit_code == 0 and not result.signal:
        tokens = " ".join(result.stdout.split())
        shown = tokens if len(tokens) <= 120 else tokens[:117] + "..."
        return "=" + tokens, f"print {shown!r}"
    return f"!{result.exit_code}", f"crash (exit status {result.exit_code})"


def failed(key: str) -> bool:
    """True for keys that are not an answer (crash, limit, no result)."""
    return not key.startswith("=")


def _clustered(state: State, n_public: int) -> list[str]:
    behaviour = state.behaviour
    if behaviour is None:
        return []
    return [c.id for c in state.candidates if c.id in behaviour.outputs
            and passes_public(state.verdicts.get(c.id), n_public)]


def clusters(state: State, n_public: int) -> list[Cluster]:
    """Clusters of the public-passing candidates, largest first (ties: the earlier-made first)."""
    behaviour = state.behaviour
    groups: dict[tuple[str, ...], list[str]] = {}
    for cid in _clustered(state, n_public):
        groups.setdefault(behaviour.outputs[cid], []).append(cid)
    found = [Cluster(keys=k, members=tuple(v)) for k, v in groups.items()]
    return sorted(found, key=lambda c: -len(c.members))  # stable: creation order among equals


def reference_agreement(behaviour: Optional[Behaviour], cid: str) -> int:
    """Probes on which ``cid`` gave the brute force's value (0 without a brute force)."""
    if behaviour is None or behaviour.reference is None or cid not in behaviour.outputs:
        return 0
    return sum(1 for ref, out in zip(behaviour.reference, behaviour.outputs[cid]) if ref and ref == out)


def decisive(state: State, n_public: int) -> bool:
    """The evidence is decisive: a public-passing candidate agrees with the brute force on every
    probe it answered, or the top cluster holds ``min_size`` candidates and ``min_share`` of the
    clustered ones and (with a brute force) agrees with it on at least half the probes it
    answered. (A brute force written by a small model often differs on order or duplicates.)"""
    behaviour = state.behaviour
    if behaviour is None:
        return True
    found = clusters(state, n_public)
    if not found:
        return False
    answered = sum(1 for r in behaviour.reference or () if r)
    if answered and any(reference_agreement(behaviour, c.members[0]) == answered for c in found):
        return True
    total = sum(len(c.members) for c in found)
    top = found[0]
    if answered and 2 * reference_agreement(behaviour, top.members[0]) < answered:
        return False  # a big cluster that contradicts the brute force on most inputs is no evidence
    return len(top.members) >= behaviour.min_size and len(top.members) / total >= behaviour.min_share


def expected_outputs(state: State, n_public: int) -> list[Optional[Expected]]:
    """Per probe: the brute force's key, else the largest cluster's (trust = its share)."""
    behaviour = state.behaviour
    if behaviour is None:
        return []
    found = clusters(state, n_public)
    total = sum(len(c.members) for c in found)
    result: list[Optional[Expected]] = []
    for i in range(len(behaviour.probes)):
        ref = behaviour.reference[i] if behaviour.reference else ""
        if ref:
            result.append(Expected(key=ref, source="brute-force", trust=BRUTE_TRUST))
            continue
        votes = Counter()
        for cluster in found:
            votes[cluster.keys[i]] += len(cluster.members)
        top = votes.most_common(1)
        if top and not failed(top[0][0]):
            result.append(Expected(key=top[0][0], source="cluster", trust=round(top[0][1] / total, 6)))
        else:
            result.append(None)
    return result


def _who(ids: Sequence[str], names: Mapping[str, str]) -> str:
    """``candidate 1, candidate 3 and 2 other candidates`` (names are whole phrases)."""
    named = [names[i] for i in ids if i in names]
    others = len(ids) - len(named)
    parts = [", ".join(named)] if named else []
    if others:
        parts.append(f"{others} other candidate{'s' if others != 1 else ''}")
    return " and ".join(parts)


def disagreements(state: State, n_public: int, names: Mapping[str, str], limit: int = 3) -> list[Disagreement]:
    """Probes where the named candidates disagree with each other or with the expected output
    (the brute force, else the largest cluster), shown with every candidate's behaviour."""
    behaviour = state.behaviour
    if behaviour is None or limit <= 0:
        return []
    expected = expected_outputs(state, n_public)
    ran = [c.id for c in state.candidates if c.id in behaviour.outputs]
    views = []
    for i, probe in enumerate(behaviour.probes):
        mine = {behaviour.outputs[cid][i] for cid in names if cid in behaviour.outputs}
        want = expected[i].key if i < len(expected) and expected[i] else None
        if not mine or (len(mine) == 1 and (want is None or mine == {want})):
            continue
        by_key: dict[str, list[str]] = {}
        for cid in ran:
            by_key.setdefault(behaviour.outputs[cid][i], []).append(cid)
        groups = tuple((_who(ids, names), behaviour.shown.get(key, key)) for key, ids in by_key.items())
        ref = behaviour.reference[i] if behaviour.reference else ""
        majority = None
        if not ref and expected[i] is not None:
            shown = behaviour.shown.get(expected[i].key, expected[i].key)
            majority = f"{shown} ({expected[i].trust:.0%} of the candidates passing the public tests)"
        views.append(Disagreement(input=probe.label, groups=groups,
                                  reference=behaviour.shown.get(ref, ref) if ref else None, expected=majority))
        if len(views) >= limit:
            break
    return views
