"""Differential testing: run every candidate on new inputs, cluster what they do, sample more
until the clusters are decisive.

Inputs (no expected outputs are needed):

* function-style problems: hypothesis draws from the entry point's signature and the
  public tests' literal arguments (:mod:`archon_code.components.strategies`), seeded;
  optionally also the argument lists of model-written asserts (``llm_inputs``);
* stdio problems: a model-written generator program run once per seed (small, edge and a
  few larger inputs), filtered by a model-written validator that must accept every public
  input; optionally also literal model-written inputs.

Every public-passing candidate is run on them in the sandbox (plain-data return values
through the harness, stdout tokens for stdio); inputs on which every one of them crashes
are dropped. A brute force that passes the public tests is the reference. The result is
``state.behaviour``; clusters, expected outputs and the decisive rule are in
:mod:`archon_code.components.clusters`. While the clusters are not decisive, ``batch``
more samples are drawn (the generator's prompt) up to ``max_candidates``.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from typing import NamedTuple, Optional, Sequence

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig, render
from archon_code.components.clusters import clusters, decisive, failed, function_key, stdio_key
from archon_code.components.evidence import passes_public, public_passing_reference
from archon_code.components.generator import sample_programs
from archon_code.components.state import Behaviour, Failure, Probe, Rejected, State
from archon_code.components.testgen_parse import parse_asserts, parse_input_list, parse_literal_tests
from archon_code.components.verifier import verified_ids
from archon_code.extract import extract_code
from archon_code.functions import Call
from archon_code.types import Candidate, Problem

__all__ = ["Differential", "DifferentialConfig", "observe"]

_SAMPLE_BASE = 500
"""Extra samples ask for sample indices 500, 501, ... (the generator's are below 200)."""


class DifferentialConfig(LLMComponentConfig):
    """Settings of the differential-testing component."""

    temperature: float = Field(default=0.8, ge=0.0, le=2.0)
    """Sampling temperature of the extra samples (brute force, generator and validator: 0)."""
    inputs: int = Field(default=20, ge=1, le=200)
    """Differential inputs to run every candidate on (fewer may survive)."""
    seed: int = 0
    """Seed of the hypothesis draws (function style) and first seed of the generator program (stdio)."""
    llm_inputs: bool = False
    """Also ask the model for inputs (its predicted outputs are ignored): one more call."""
    generator_seeds: int = Field(default=3, ge=1, le=20)
    """stdio: runs of the model-written input generator, with seeds ``seed``, ``seed+1``, ..."""
    validator: bool = True
    """stdio: ask for an input validator (it must accept every public input) and drop inputs it rejects."""
    brute_force: bool = True
    """Ask for a brute force; when it passes the public tests its outputs are the reference."""
    min_size: int = Field(default=3, ge=1, le=200)
    """Decisive: the top cluster holds at least this many public-passing candidates ..."""
    min_share: float = Field(default=0.5, ge=0.0, le=1.0)
    """... and at least this share of them (or a candidate agrees with the brute force everywhere)."""
    batch: int = Field(default=0, ge=0, le=50)
    """Samples to draw per round while the clusters are not decisive (0: never sample more)."""
    max_candidates: int = Field(default=8, ge=1, le=200)
    """Stop sampling once the run holds this many candidates."""
    overlap: bool = True
    """Send the model calls that do not wait on each other at once, so they decode in one batch
    over the embedded server's slots: the brute force, the stdio validator, and the first
    ``batch`` of samples when it is certain to be drawn (no candidate passes the public tests
    yet, so no cluster exists whatever the brute force says). False: one call after another,
    as before stop 24."""
    brute_force_candidate: bool = True
    """When no sampled candidate passes the public tests but the brute force does, the brute
    force joins the candidates (origin ``brute_force:MODEL``); it agrees with itself on every
    input, so the run is decisive and exits early with it instead of critiquing and fusing
    programs that fail.

    Decision: on MBPP-sized inputs a public-passing brute force is as good an answer as any
    (docs/models.md, "Brute force as a fallback"); on CodeContests it may be too slow for the
    hidden tests, but so are the failing programs a fuser would start from. It only ever
    replaces a run with no public-passing candidate. False: the brute force is only a reference."""


class _Drawn(NamedTuple):
    count: int
    found: list[Candidate]
    rejected: list[Rejected]
    failures: list[Failure]


class _Run:
    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.notes: list[str] = []
        self.brute: Optional[Candidate] = None
        self.drawn: Optional[Future] = None
        """The first batch of samples, asked for while the brute force is written (``overlap``)."""


def _carry_tag(judge, call):
    """``call`` for a pool thread: it binds the calling thread's trace tag first (a
    :class:`GuardedJudge` traces each execution under the tag bound to its thread), so the
    pool's executions are traced under the component, not as "runner"."""
    tag = getattr(judge, "tag", None)
    if tag is None:
        return call

    def bound(*args):
        judge.bind(tag)
        return call(*args)

    return bound


def _behave(judge, problem: Problem, candidate: Candidate, probes: Sequence[Probe]) -> tuple[list[str], dict]:
    """Behaviour keys of ``candidate`` on ``probes`` and how each key is shown."""
    if problem.style == "function":
        calls = [Call.model_validate(json.loads(p.input)) for p in probes]
        caller = getattr(judge, "call_function", None)
        if caller is None:
            from archon_code.function_judge import call_function

            outcomes = call_function(judge, problem, candidate, calls)
        else:
            outcomes = caller(problem, candidate, calls)
        pairs = [function_key(o) for o in outcomes]
    else:
        pairs = [stdio_key(r) for r in judge.run_inputs(problem, candidate, [p.input for p in probes])]
    pairs += [("-", "stop before answering")] * (len(probes) - len(pairs))
    return [k for k, _ in pairs], dict(pairs)


def observe(judge, problem: Problem, state: State, workers: int = 2) -> State:
    """Run the public-passing candidates that have no behaviour yet on the probes."""
    behaviour = state.behaviour
    if behaviour is None or not behaviour.probes or judge is None:
        return state
    n_public = len(problem.public_tests)
    todo = [c for c in state.candidates if c.id not in behaviour.outputs
            and passes_public(state.verdicts.get(c.id), n_public)]
    if not todo:
        return state
    behave = _carry_tag(judge, lambda c: _behave(judge, problem, c, behaviour.probes))
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
        found = list(pool.map(behave, todo))
    outputs, shown = dict(behaviour.outputs), dict(behaviour.shown)
    for cand, (keys, views) in zip(todo, found):
        outputs[cand.id] = tuple(keys)
        shown.update(views)
    return state.model_copy(update={"behaviour": behaviour.model_copy(update={"outputs": outputs, "shown": shown})})


class Differential(Component):
    """Sets ``state.behaviour`` (probes, every public-passing candidate's outputs, the brute
    force's) and samples more while the clusters are not decisive."""

    config_class = DifferentialConfig
    config: DifferentialConfig

    def run(self, problem: Problem, state: State) -> State:
        assert self.judge is not None, f"{self.tag} needs a judge"
        state = self.evaluate(problem, state, only_missing=True)
        run = _Run()
        with ThreadPoolExecutor(max_workers=3 if self.config.overlap else 1) as pool:
            if state.behaviour is None or not state.behaviour.probes:
                if self.config.overlap and self._certain_to_sample(problem, state):
                    run.drawn = pool.submit(_carry_tag(self.judge, self._draw), problem, state, 0)
                state = self._start(problem, state, run, pool)
            state = observe(self.judge, problem, state)
            if state.behaviour is not None and state.behaviour.probes:
                state = self._fallback(problem, self._more(problem, state, run), run)
                state = state.model_copy(update={"notes": state.notes + (self._summary(problem, state),)})
            elif run.drawn is not None:  # no inputs after all: the samples are candidates still
                state = self._add(problem, state, run, run.drawn.result(), 0)
        return state.model_copy(update={"failures": state.failures + tuple(run.failures),
                                        "notes": state.notes + tuple(run.notes)})

    # -- inputs ------------------------------------------------------------------------

    def _start(self, problem: Problem, state: State, run: _Run, pool: ThreadPoolExecutor) -> State:
        # overlap: the brute force is asked for while the inputs are made (it needs none of them)
        asked = (pool.submit(_carry_tag(self.judge, self._brute_force), problem, run)
                 if self.config.brute_force and self.config.overlap else None)
        probes = (self._function_probes(problem, run) if problem.style == "function"
                  else self._stdio_probes(problem, run, pool))
        if not probes:
            run.notes.append(f"{self.tag}: no differential inputs could be made")
            return state
        if self.config.brute_force:
            brute = asked.result() if asked is not None else self._brute_force(problem, run)
        else:
            brute = None
        run.brute = brute
        reference, shown = None, {}
        if brute is not None:
            keys, shown = _behave(self.judge, problem, brute, probes)
            reference = tuple("" if failed(k) else k for k in keys)
        behaviour = Behaviour(probes=tuple(probes), reference=reference, shown=shown, min_size=self.config.min_size,
                              min_share=self.config.min_share)
        return self._drop_dead(problem, observe(self.judge, problem, state.model_copy(update={"behaviour": behaviour})),
                               run)

    def _drop_dead(self, problem: Problem, state: State, run: _Run) -> State:
        """Inputs every public-passing candidate crashes on are outside the problem: dropped."""
        behaviour = state.behaviour
        ran = [behaviour.outputs[c.id] for c in state.candidates if c.id in behaviour.outputs]
        if not ran:
            return state
        keep = [i for i in range(len(behaviour.probes)) if any(not failed(keys[i]) for keys in ran)]
        if len(keep) == len(behaviour.probes):
            return state
        run.notes.append(f"{self.tag}: dropped {len(behaviour.probes) - len(keep)} inputs every candidate "
                         "passing the public tests crashed on")
        pick = lambda keys: tuple(keys[i] for i in keep)  # noqa: E731
        update = {"probes": pick(behaviour.probes), "outputs": {c: pick(k) for c, k in behaviour.outputs.items()},
                  "reference": pick(behaviour.reference) if behaviour.reference else None}
        return state.model_copy(update={"behaviour": behaviour.model_copy(update=update)})

    def _function_probes(self, problem: Problem, run: _Run) -> list[Probe]:
        from archon_code.components.strategies import example_calls, function_inputs  # hypothesis: ~0.3 s import

        entry = problem.entry_point or ""
        public = [t.input for t in problem.public_tests]
        argument_lists = function_inputs(public, problem.starter_code, entry, self.config.inputs, self.config.seed)
        if self.config.llm_inputs:
            text = self._ask_py("unit_tests", problem, run, system_template="system_tests")
            if text:
                asserts = parse_asserts(extract_code(text, "py", None).code or text, entry)
                argument_lists += example_calls(asserts, None, entry)
        probes, seen = [], set()
        for args in argument_lists:
            try:
                call = Call.of(*args)
            except Exception:  # noqa: BLE001 - a value the codec cannot carry: not an input
                continue
            key = call.key()
            if key not in seen:
                seen.add(key)
                probes.append(Probe(input=json.dumps(call.to_json(), sort_keys=True), label=call.describe(entry)))
        return probes[: self.config.inputs + (self.config.inputs if self.config.llm_inputs else 0)]

    def _stdio_probes(self, problem: Problem, run: _Run, pool: ThreadPoolExecutor) -> list[Probe]:
        inputs: list[str] = []
        validator = (pool.submit(_carry_tag(self.judge, self._program), problem, "validator", run)
                     if self.config.validator and self.config.overlap else None)
        program = self._program(problem, "differential_inputs", run)
        if program is not None:
            seeds = [f"{self.config.seed + k}\n" for k in range(self.config.generator_seeds)]
            for result in self.judge.run_inputs(problem.model_copy(update={"style": "stdio"}), program, seeds):
                if result.exit_code == 0:
                    inputs += parse_input_list(result.stdout, result.stdout_truncated)
        if self.config.llm_inputs:
            text = self._ask_py("unit_tests", problem, run, system_template="system_tests")
            inputs += [i for i, _ in parse_literal_tests(text or "")]
        public = {t.input for t in problem.public_tests}
        inputs = [i for i in dict.fromkeys(inputs) if i not in public and len(i) <= 1 << 20]
        inputs = self._validated(problem, inputs, run, validator)[: self.config.inputs * 2]
        return [Probe(input=i, label=i if len(i) <= 300 else i[:300] + f"... [{len(i) - 300} more characters]")
                for i in inputs]

    def _validated(self, problem: Problem, inputs: list[str], run: _Run, asked: Optional[Future]) -> list[str]:
        if not self.config.validator or not inputs:
            return inputs
        validator = asked.result() if asked is not None else self._program(problem, "validator", run)
        if validator is None:
            return inputs
        stdio = problem.model_copy(update={"style": "stdio"})
        public = [t.input for t in problem.public_tests]
        if any(r.exit_code != 0 for r in self.judge.run_inputs(stdio, validator, public)):
            run.notes.append(f"{self.tag}: validator ignored, it rejects a public input")
            return inputs
        kept = [i for i, r in zip(inputs, self.judge.run_inputs(stdio, validator, inputs)) if r.exit_code == 0]
        if len(kept) < len(inputs):
            run.notes.append(f"{self.tag}: validator rejected {len(inputs) - len(kept)} inputs")
        return kept

    # -- model calls -------------------------------------------------------------------

    def _ask_py(self, template: str, problem: Problem, run: _Run, system_template: str = "system") -> Optional[str]:
        messages = [{"role": "system", "content": render(system_template, lang="py", problem=problem)},
                    {"role": "user", "content": render(template, lang="py", problem=problem,
                                                       num_tests=self.config.inputs)}]
        text, failure = self.ask(messages, temperature=0.0)
        if failure is not None:
            run.failures.append(failure)
        return text

    def _program(self, problem: Problem, template: str, run: _Run) -> Optional[Candidate]:
        text = self._ask_py(template, problem, run)
        if text is None:
            return None
        entry = problem.entry_point if template == "brute_force" else None
        found = extract_code(text, "py", entry)
        if found.code is None:
            run.notes.append(f"{self.tag}: {template} answer held no program ({found.reason})")
            return None
        return Candidate(id=f"{self.tag}/{template}", source=found.code, lang="py", origin=f"{template}:{self.model}")

    def _brute_force(self, problem: Problem, run: _Run) -> Optional[Candidate]:
        brute = self._program(problem, "brute_force", run)
        return public_passing_reference(self.judge, problem, brute, self.tag, run.notes)

    # -- more samples ------------------------------------------------------------------

    def _certain_to_sample(self, problem: Problem, state: State) -> bool:
        """The first batch will be drawn whatever the brute force and the inputs turn out to
        be: no candidate passes the public tests, so no cluster exists and nothing is decisive."""
        return (bool(self.config.batch) and len(state.candidates) < self.config.max_candidates
                and not verified_ids(state, len(problem.public_tests)))

    def _draw(self, problem: Problem, state: State, made: int) -> _Drawn:
        """One batch of samples (the generator's prompt), sample indices from ``made``."""
        count = min(self.config.batch, self.config.max_candidates - len(state.candidates))
        jobs = [(self.model, _SAMPLE_BASE + made + k) for k in range(count)]
        return _Drawn(count, *sample_programs(self, problem, "generator", jobs, "sampler"))

    def _add(self, problem: Problem, state: State, run: _Run, drawn: _Drawn, made: int) -> State:
        run.failures += drawn.failures
        found = [c.model_copy(update={"id": f"{self.tag}#{made + k}"}) for k, c in enumerate(drawn.found)]
        state = state.model_copy(update={"candidates": state.candidates + tuple(found),
                                         "rejected": state.rejected + tuple(drawn.rejected)})
        return self._judged(problem, state)

    def _judged(self, problem: Problem, state: State) -> State:
        """New candidates judged on the public tests, the public-passing ones on the inputs."""
        return observe(self.judge, problem, self.evaluate(problem, state, only_missing=True))

    def _more(self, problem: Problem, state: State, run: _Run) -> State:
        n_public = len(problem.public_tests)
        made = 0
        while run.drawn is not None or (self.config.batch and not decisive(state, n_public)
                                        and len(state.candidates) < self.config.max_candidates):
            if run.drawn is None and getattr(self.llm, "exhausted", lambda: None)():
                break
            drawn = run.drawn.result() if run.drawn is not None else self._draw(problem, state, made)
            run.drawn = None
            state = self._add(problem, state, run, drawn, made)
            made += drawn.count
            if drawn.failures and not drawn.found:
                break
        if made:
            run.notes.append(f"{self.tag}: drew {made} more samples")
        return state

    def _fallback(self, problem: Problem, state: State, run: _Run) -> State:
        """``brute_force_candidate``: the brute force joins when no sampled candidate passes the public tests."""
        if (not self.config.brute_force_candidate or run.brute is None
                or verified_ids(state, len(problem.public_tests))):
            return state
        run.notes.append(f"{self.tag}: no sample passes the public tests, the brute force does: "
                         "it joins the candidates")
        return self._judged(problem, state.model_copy(update={"candidates": state.candidates + (run.brute,)}))

    def _summary(self, problem: Problem, state: State) -> str:
        n_public = len(problem.public_tests)
        sizes = [len(c.members) for c in clusters(state, n_public)]
        brute = "with" if state.behaviour.reference else "without"
        return (f"{self.tag}: {len(state.behaviour.probes)} differential inputs, clusters {sizes or 'none'} "
                f"{brute} a brute force, {'decisive' if decisive(state, n_public) else 'not decisive'}")
