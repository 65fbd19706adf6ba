"""Generator: N samples per model, code extracted from each answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.state import Failure, Rejected, State
from archon_code.extract import PROGRAM_STOP, ends_in_open_fence, extract_code, looks_whole
from archon_code.types import Candidate, Problem

__all__ = ["Generator", "GeneratorConfig", "sample_programs"]


class GeneratorConfig(LLMComponentConfig):
    """Settings of a generator."""

    samples: int = Field(default=1, ge=1, le=200)
    """Samples per model."""
    models: tuple[str, ...] = ()
    """Several models to sample from (each ``samples`` times); empty: just ``model``."""
    parallel: Optional[int] = Field(default=None, ge=1, le=64)
    """Model calls in flight at once; empty: every sample at once, so they decode in one batch
    over the embedded server's slots (``parallel: 2`` was the earlier default)."""


def sample_programs(component: Component, problem: Problem, template: str, jobs: list[tuple[str, int]],
                    origin: str, **variables: object) -> tuple[list[Candidate], list[Rejected], list[Failure]]:
    """Ask for one program per (model, sample) job; extract the code of each answer."""
    messages = component.messages(template, problem, **variables)
    parallel = getattr(component.config, "parallel", None) or len(jobs)

    def one(job: tuple[str, int]) -> tuple[Optional[str], Optional[Failure]]:
        model, sample = job
        sub = component if model == component.model else _with_model(component, model)
        text, failure = sub.ask(messages, sample=sample, stop=PROGRAM_STOP)
        if failure is None and not _whole(text or "", component.lang, problem.entry_point):
            # cut after a helper block (or no program at all): the whole answer, without the stop
            text, failure = sub.ask(messages, sample=sample)
        return text, failure

    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(jobs)))) as pool:
        answers = list(pool.map(one, jobs))
    candidates, rejected, failures = [], [], []
    for index, ((model, sample), (text, failure)) in enumerate(zip(jobs, answers)):
        if failure is not None:
            failures.append(failure)
            continue
        found = extract_code(text or "", component.lang, problem.entry_point)
        if found.code is None:
            rejected.append(Rejected(tag=component.tag, model=model, sample=sample, reason=found.reason,
                                     text=(text or "")[:2000]))
            continue
        candidates.append(Candidate(id=f"{component.tag}#{index}", source=found.code, lang=component.lang,
                                    origin=f"{origin}:{model}#{sample}"))
    return candidates, rejected, failures


def _whole(text: str, lang, entry_point: Optional[str]) -> bool:
    """False for an answer cut at the stop string whose program is not whole (a helper block came
    first); an answer the model ended itself is what it is, asking again would not change it."""
    if not ends_in_open_fence(text):
        return True
    found = extract_code(text, lang, entry_point)
    return found.code is not None and looks_whole(found.code, lang, entry_point)


def _with_model(component: Component, model: str) -> Component:
    clone = object.__new__(type(component))
    clone.__dict__.update(component.__dict__, model=model)
    return clone


class Generator(Component):
    """Samples ``samples`` programs from each model at ``temperature``."""

    config_class = GeneratorConfig
    config: GeneratorConfig

    def run(self, problem: Problem, state: State) -> State:
        models = self.config.models or (self.model,)
        jobs = [(model, sample) for model in models for sample in range(self.config.samples)]
        candidates, rejected, failures = sample_programs(self, problem, "generator", jobs, "generator")
        return state.model_copy(update={
            "candidates": state.candidates + tuple(candidates),
            "rejected": state.rejected + tuple(rejected),
            "failures": state.failures + tuple(failures),
        })
