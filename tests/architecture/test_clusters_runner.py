"""Presets that use behaviour clusters, end to end in the real sandbox with the scripted LLM."""

from __future__ import annotations

import pytest

from archon_code.architecture import ArchitectureRunner, load_architecture
from tests.components.conftest import fenced
from tests.components.test_differential import CONSTANT, DOUBLE, PLUS3, RIGHT, RIGHT_TOO
from tests.support.scripted_llm import ScriptedLLM

pytestmark = pytest.mark.docker

SAMPLES = [RIGHT, CONSTANT, PLUS3]
"""By sample index: the greedy generator's sample 0 and the sampling generator's 0, 1, 2."""


def _script(brute: str):
    def answer(messages, sample):
        user = messages[-1]["content"]
        if "simplest possible" in user:
            return brute
        if "Critique this" in user:
            return "It returns a constant."
        if "corrected, complete solution" in user:
            return fenced(RIGHT)
        return fenced(SAMPLES[sample] if sample < 3 else RIGHT)
    return answer


def _solve(judge, arch, brute):
    llm = ScriptedLLM(_script(brute))
    return ArchitectureRunner(load_architecture(arch), llm, judge, model="scripted").solve(DOUBLE), llm


def test_codet_with_a_brute_force_is_decisive_at_once(judge):
    result, llm = _solve(judge, "codet", fenced(RIGHT))
    assert len(llm.calls) == 5  # 4 samples + the brute force; decisive: no more samples
    assert result.program.id == "layer1/generator0#0"
    assert [c.source for c in result.candidates] == [RIGHT, RIGHT, CONSTANT, PLUS3]
    assert (result.candidates_seen, result.public_passed, result.public_total) == (4, 1, 1)


def test_codet_without_a_brute_force_samples_until_the_top_cluster_is_decisive(judge):
    result, llm = _solve(judge, "codet", "no program here")
    assert [c.sample for c in llm.calls][5:] == [500, 501]  # 2 of 4 agree: one more batch of 2
    assert len(llm.calls) == 7
    assert result.program.source == RIGHT
    assert result.candidates_seen == 6
    assert any("clusters [4, 1, 1] without a brute force, decisive" in n for n in result.notes)


def test_full_exits_early_when_decisive_and_repairs_otherwise(judge):
    result, llm = _solve(judge, "full", fenced(RIGHT))
    assert result.early_exit is True
    assert not any("Critique this" in c.messages[-1]["content"] for c in llm.calls)
    assert result.program.source == RIGHT


def test_clusters_work_through_the_pipeline_s_cached_judge(sandbox, tmp_path):
    from archon_code.exec_cache import build_judge

    cached = build_judge(sandbox, cache=True, directory=tmp_path)
    llm = ScriptedLLM(_script("no program here"))
    result = ArchitectureRunner(load_architecture("codet"), llm, cached, model="scripted").solve(DOUBLE)
    assert result.program.source == RIGHT
    assert any("clusters [4, 1, 1] without a brute force, decisive" in n for n in result.notes)
