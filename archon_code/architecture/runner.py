"""Run an architecture on a problem: layers in order, components of a layer concurrently.

The runner strips hidden tests before the first layer, meters model usage against the
budget, traces everything, exits early once a candidate passes every public and every
trusted generated test, and returns the best candidate by execution evidence.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Optional

from pydantic import BaseModel, ConfigDict

from archon_code.architecture.config import ArchitectureConfig
from archon_code.architecture.pruning import skip_reason
from archon_code.architecture.trace import Budget, GuardedJudge, MeteredLLM, Tracer
from archon_code.components import Component, State, component_class, merge_states
from archon_code.judge import JudgeLike
from archon_code.components.evidence import public_passed, rank_by_evidence, score_value, evidence, solved
from archon_code.components.state import Failure
from archon_code.errors import LLMError, ProblemError
from archon_code.llm.base import LLM, Usage
from archon_code.llm.local import default_model
from archon_code.textio import plural
from archon_code.types import Candidate, Lang, Problem

__all__ = ["ArchitectureRunner", "SolveResult"]


class SolveResult(BaseModel):
    """What one run produced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    problem_id: str
    architecture: str
    model: str
    program: Optional[Candidate]
    """The chosen program (None when no candidate was produced)."""
    public_passed: int
    public_total: int
    usage: Usage
    seconds: float
    candidates_seen: int
    early_exit: bool
    """True when the run stopped before its last layer because a candidate was proven."""
    stopped_by_budget: Optional[str]
    """calls, tokens, dollars or seconds when a budget stopped the run."""
    trace_path: Optional[str]
    generated_tests: int = 0
    failures: tuple[Failure, ...] = ()
    """Model calls that failed (never counted as wrong answers)."""
    executions: int = 0
    """Test executions run in the sandbox (one per candidate and test, or per input)."""
    cached_executions: int = 0
    """Test executions the execution cache answered without running anything."""
    notes: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    """Components not run because their result could not change the outcome (``tag: reason``)."""
    candidates: tuple[Candidate, ...] = ()
    """Every candidate the run produced, dropped ones included, in the order they were made
    (``bench`` grades them all on the hidden tests afterwards: the oracle)."""

    @property
    def solved_public(self) -> bool:
        return self.program is not None and self.public_passed == self.public_total


class ArchitectureRunner:
    """Runs ``config`` with ``llm`` and ``judge``; ``model`` overrides every component's model."""

    def __init__(self, config: ArchitectureConfig, llm: LLM, judge: JudgeLike, *, model: Optional[str] = None,
                 lang: Lang = "py", budget: Budget = Budget(), trace_path: Optional[Path] = None,
                 early_exit: bool = True, progress: Optional[Callable[[str], None]] = None) -> None:
        self.config = config
        self.llm = llm
        self.judge = judge
        self.model = model
        self.lang = lang
        self.budget = budget
        self.trace_path = Path(trace_path) if trace_path else None
        self.early_exit = early_exit
        self.progress = progress or (lambda _line: None)

    def _build(self, layer: int, index: int, settings, llm: MeteredLLM, judge: GuardedJudge) -> Component:
        cls = component_class(settings.type)
        tag = f"layer{layer}/{settings.type}{index}"
        model = self.model or getattr(settings, "model", None) or default_model()
        if self.model and getattr(settings, "models", ()):
            settings = settings.model_copy(update={"models": ()})
        return cls(settings, llm, judge, tag=tag, model=model, lang=self.lang)

    def _run_layer(self, components: list[Component], problem: Problem, state: State,
                   judge: GuardedJudge) -> State:
        def one(component: Component) -> State:
            judge.bind(component.tag)
            return component.run(problem, state)

        if not components:
            return state
        if len(components) == 1:
            return merge_states(state, [one(components[0])])
        with ThreadPoolExecutor(max_workers=len(components)) as pool:
            return merge_states(state, list(pool.map(one, components)))

    def solve(self, problem: Problem) -> SolveResult:
        """Run every layer (or until early exit / budget) and pick the final program."""
        if problem.style == "function" and self.lang != "py":
            raise ProblemError(f"{problem.origin or problem.id}: problem {problem.id!r} is function-style (Python); "
                               f"lang {self.lang!r} is only for stdio problems")
        tracer = Tracer(self.trace_path)
        try:
            return self._solve(problem.without_hidden(), tracer)
        finally:
            tracer.close()

    def run(self, problem: Problem, state: State = State()) -> State:
        """The architecture as a stage with the components' call shape: ``(problem, state) -> state``
        (hidden tests stripped, budget enforced, early exit honoured, no final choice)."""
        tracer = Tracer(None)
        llm, judge = MeteredLLM(self.llm, self.budget, tracer), GuardedJudge(self.judge, tracer)
        return self._layers(problem.without_hidden(), state, llm, judge, tracer)[0]

    def _solve(self, problem: Problem, tracer: Tracer) -> SolveResult:
        llm, judge = MeteredLLM(self.llm, self.budget, tracer), GuardedJudge(self.judge, tracer)
        tracer.event("run_start", problem=problem.id, architecture=self.config.name, model=self.model,
                     lang=self.lang, public_tests=len(problem.public_tests), budget=self.budget.model_dump())
        state, seen, early, stopped = self._layers(problem, State(), llm, judge, tracer)
        return self._finish(problem, state, llm, judge, tracer, seen, early, stopped)

    def _layers(self, problem: Problem, state: State, llm: MeteredLLM, judge: GuardedJudge,
                tracer: Tracer) -> tuple[State, int, bool, Optional[str]]:
        """Run the layers; returns the state, candidates seen, early exit, budget that stopped it."""
        n_public = len(problem.public_tests)
        early, stopped = False, None
        self.produced: dict[str, Candidate] = {c.id: c for c in state.candidates}
        self.skipped: list[str] = []
        for li, layer in enumerate(self.config.layers, 1):
            stopped = llm.exhausted()
            if stopped:
                break
            started = time.monotonic()
            self.progress(f"layer {li} ({'+'.join(c.type for c in layer)}): running")
            components = [self._build(li, ci, s, llm, judge) for ci, s in enumerate(layer)]
            if self.early_exit:  # early_exit=False runs every component of every layer
                components, state = self._prune(components, problem, state, judge, tracer, li)
            state = self._run_layer(components, problem, state, judge).model_copy(update={"usage": llm.usage})
            for cand in state.candidates:
                self.produced.setdefault(cand.id, cand)
            self._report_layer(tracer, li, layer, state, n_public, time.monotonic() - started)
            stopped = llm.stopped
            if stopped:
                break
            if self.early_exit and li < len(self.config.layers) and solved(state, n_public):
                early = True
                self.progress(f"early exit after layer {li}: a candidate passes every public and trusted test")
                break
        return state, len(self.produced), early, stopped

    def _prune(self, components: list[Component], problem: Problem, state: State, judge: GuardedJudge,
               tracer: Tracer, li: int) -> tuple[list[Component], State]:
        """Drop the components whose result cannot change the outcome (traced, counted)."""
        kept = []
        for component in components:
            judge.bind(component.tag)
            reason, state = skip_reason(component, problem, state, self.config.layers[li:])
            if reason is None:
                kept.append(component)
                continue
            self.skipped.append(f"{component.tag}: {reason}")
            tracer.event("skipped", component=component.tag, reason=reason)
            self.progress(f"skipped {component.tag}: {reason}")
        return kept, state

    def _report_layer(self, tracer: Tracer, li: int, layer, state: State, n_public: int, seconds: float) -> None:
        keys = evidence(state, n_public)
        rows = [{"id": c.id, "origin": c.origin, "public_passed": keys[c.id][0], "evidence": list(keys[c.id]),
                 "score": score_value(keys[c.id]), "source": c.source} for c in state.candidates]
        tracer.event("layer", index=li, components=[c.type for c in layer], seconds=round(seconds, 3),
                     candidates=rows, tests=len(state.tests), ranking=list(state.ranking),
                     verified=None if state.verified is None else list(state.verified),
                     failures=len(state.failures), rejected=len(state.rejected), usage=state.usage.model_dump())
        judged = [keys[c.id][0] for c in state.candidates if c.id in state.verdicts]
        best = f"best passes {max(judged)}/{n_public} public tests" if judged else "not run yet"
        self.progress(f"layer {li} ({'+'.join(c.type for c in layer)}): {plural(len(state.candidates), 'candidate')}, "
                      f"{best}, {plural(len(state.tests), 'generated test')}, {plural(state.usage.calls, 'call')}, "
                      f"{seconds:.1f}s")

    def _finish(self, problem: Problem, state: State, llm: MeteredLLM, judge: GuardedJudge, tracer: Tracer,
                seen: int, early: bool, stopped: Optional[str]) -> SolveResult:
        n_public = len(problem.public_tests)
        program, passed = None, 0
        if state.candidates:
            best_id = rank_by_evidence(state, n_public, state.ranking)[0]
            program = state.candidate(best_id)
            judgement = state.verdicts.get(best_id)
            if judgement is None:
                judge.bind("runner")
                [judgement] = judge.judge_many(problem, [program], problem.public_tests)
            passed = public_passed(judgement, n_public)
        failed = [f for f in state.failures if f.kind == "llm"]
        if program is None and failed:  # an infrastructure fault, never a wrong answer
            calls = f"{len(failed)} model call{'s' if len(failed) != 1 else ''}"
            answers = f"{len(state.rejected)} answer{'s' if len(state.rejected) != 1 else ''}"
            what = (("the model call failed" if len(failed) == 1 else f"all {calls} failed") if not state.rejected
                    else f"{calls} failed and {answers} held no program")
            raise LLMError(f"no candidate for {problem.id}: {what}; first: {failed[0].message}")
        result = SolveResult(
            problem_id=problem.id, architecture=self.config.name, model=self.model or default_model(),
            program=program, public_passed=passed, public_total=n_public, usage=llm.usage,
            seconds=round(time.monotonic() - tracer.start, 3), candidates_seen=seen, early_exit=early,
            stopped_by_budget=stopped, trace_path=str(self.trace_path) if self.trace_path else None,
            generated_tests=len(state.tests), failures=state.failures, notes=state.notes,
            executions=judge.executed, cached_executions=judge.cached,
            skipped=tuple(self.skipped), candidates=tuple(self.produced.values()))
        tracer.event("run_end", result=result.model_dump(mode="json"))
        return result
