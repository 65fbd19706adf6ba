"""Unit-test generator: new executable tests with expected outputs from a trustworthy source.

stdio problems: the model writes literal inputs (with its predicted outputs) or a small
Python program printing a JSON list of inputs, run in the sandbox. Inputs on which every
public-passing candidate crashes are dropped (and, optionally, those an LLM-written
validator rejects). Expected outputs come from, in order of preference (``expected:
auto``): a model-written brute force that passes every public test (trust 0.8), the
majority output of the public-passing candidates (trust = share of the majority, at least
``min_voters`` voters), the model's own prediction (trust 0.3).

Function-style problems: the model writes ``assert`` lines. Asserts every candidate
crashes on are dropped; a brute force that passes the public tests confirms an assert
(trust 0.8) or rejects it; otherwise, with at least ``min_voters`` candidates, its trust is
the share of them that pass it (``agreement``: the model's prediction alone never decides
when candidates exist); only with fewer does it keep trust 0.3 (``prediction``).
"""

from __future__ import annotations

from typing import Literal, Optional, Sequence

from pydantic import Field

from archon_code.components.base import Component, LLMComponentConfig
from archon_code.components.evidence import passes_public, public_passing_reference
from archon_code.components.state import Failure, State
from archon_code.components.testgen_parse import majority, parse_asserts, parse_input_list, parse_literal_tests
from archon_code.extract import extract_code
from archon_code.types import BRUTE_TRUST, PREDICTION_TRUST, Candidate, Problem, TestCase, Verdict

__all__ = ["BRUTE_TRUST", "PREDICTION_TRUST", "UnitTestGenerator", "UnitTestGeneratorConfig"]


class UnitTestGeneratorConfig(LLMComponentConfig):
    """Settings of a unit-test generator."""

    num_tests: int = Field(default=5, ge=1, le=100)
    """New tests to ask for (fewer may survive validation)."""
    inputs: Literal["literal", "program"] = "literal"
    """literal: the model writes inputs and predicted outputs; program: it writes a Python
    program printing a JSON list of inputs, run in the sandbox (stdio problems only)."""
    expected: Literal["auto", "brute_force", "agreement", "prediction"] = "auto"
    """Where expected outputs come from (auto: brute force, else agreement, else prediction)."""
    min_voters: int = Field(default=2, ge=1, le=100)
    """Public-passing candidates needed before their majority output is used."""
    validator: bool = False
    """Also ask the model for an input validator and drop inputs it rejects."""


def _host_decidable(code: str, entry_point: str) -> bool:
    """A model-written test is kept only in a form the host compares without running it."""
    from archon_code.functions import UncheckableTest, plan_test

    try:
        plan_test(code, entry_point, trusted=False)
    except UncheckableTest:
        return False
    return True


class _Run:
    """What one call of the generator collects before it becomes state."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.notes: list[str] = []


class UnitTestGenerator(Component):
    """Adds generated tests (kind ``generated``) with ``source`` and ``trust`` to ``state.tests``."""

    config_class = UnitTestGeneratorConfig
    config: UnitTestGeneratorConfig
    program_lang = "py"  # brute forces, input generators and validators are Python

    def run(self, problem: Problem, state: State) -> State:
        assert self.judge is not None, f"{self.tag} needs a judge"
        state = self.evaluate(problem, state, only_missing=True)
        run = _Run()
        if problem.style == "function":
            tests = self._function_tests(problem, state, run)
        else:
            tests = self._stdio_tests(problem, state, run)
        known = {t.input for t in state.tests} | {t.input for t in problem.public_tests}
        fresh = tuple(t for t in tests if t.input not in known)
        run.notes.append(f"{self.tag}: {len(fresh)} generated tests kept "
                         f"({', '.join(sorted({t.source for t in fresh})) or 'none'})")
        return state.model_copy(update={
            "tests": state.tests + fresh,
            "failures": state.failures + tuple(run.failures),
            "notes": state.notes + tuple(run.notes),
        })

    # -- shared -------------------------------------------------------------------------

    def _tests_prompt(self, problem: Problem) -> list:
        return self.messages("unit_tests", problem, system_template="system_tests", num_tests=self.config.num_tests)

    def _program(self, problem: Problem, template: str, run: _Run, entry_point: Optional[str] = None,
                 **variables: object) -> Optional[Candidate]:
        text, failure = self.ask(self.messages(template, problem, num_tests=self.config.num_tests, **variables))
        if failure is not None:
            run.failures.append(failure)
            return None
        found = extract_code(text or "", "py", entry_point)
        if found.code is None:
            run.notes.append(f"{self.tag}: {template} answer held no program ({found.reason})")
            return None
        return Candidate(id=f"{self.tag}/{template}", source=found.code, lang="py", origin=f"{template}:{self.model}")

    def _voters(self, problem: Problem, state: State) -> list[Candidate]:
        n_public = len(problem.public_tests)
        passing = [c for c in state.candidates if passes_public(state.verdicts.get(c.id), n_public)]
        return passing or list(state.candidates)

    def _brute_force(self, problem: Problem, run: _Run) -> Optional[Candidate]:
        if self.config.expected not in ("auto", "brute_force"):
            return None
        brute = self._program(problem, "brute_force", run, problem.entry_point)
        return public_passing_reference(self.judge, problem, brute, self.tag, run.notes)

    # -- stdio --------------------------------------------------------------------------

    def _stdio_tests(self, problem: Problem, state: State, run: _Run) -> list[TestCase]:
        pairs = self._inputs(problem, run)
        pairs = [(i, o) for i, o in pairs if i not in {t.input for t in problem.public_tests}][: self.config.num_tests]
        if not pairs:
            return []
        pairs = self._validated(problem, pairs, run)
        voters = self._voters(problem, state)
        probe = [TestCase(input=i, output=None, kind="generated") for i, _ in pairs]
        runs = self.judge.judge_many(problem, voters, probe) if voters else []
        alive = [k for k in range(len(pairs))
                 if not runs or any(j.tests[k].verdict is Verdict.AC for j in runs if k < len(j.tests))]
        if len(alive) < len(pairs):
            run.notes.append(f"{self.tag}: dropped {len(pairs) - len(alive)} inputs every candidate crashed on")
        brute = self._brute_force(problem, run)
        brute_out = self._outputs(problem, brute, [pairs[k][0] for k in alive]) if brute else {}
        tests = []
        for k in alive:
            votes = [j.tests[k].stdout for j in runs
                     if k < len(j.tests) and j.tests[k].verdict is Verdict.AC and not j.tests[k].stdout_truncated]
            test = self._expected(pairs[k][0], pairs[k][1], brute_out.get(pairs[k][0]), votes)
            if test is not None:
                tests.append(test)
        return tests

    def _inputs(self, problem: Problem, run: _Run) -> list[tuple[str, Optional[str]]]:
        if self.config.inputs == "program":
            program = self._program(problem, "input_generator", run)
            if program is None:
                return []
            [result] = self.judge.run_inputs(problem.model_copy(update={"style": "stdio"}), program, [""])
            if result.exit_code != 0:
                run.notes.append(f"{self.tag}: input generator failed (exit {result.exit_code})")
                return []
            return [(i, None) for i in dict.fromkeys(parse_input_list(result.stdout, result.stdout_truncated))]
        text, failure = self.ask(self._tests_prompt(problem))
        if failure is not None:
            run.failures.append(failure)
            return []
        pairs = parse_literal_tests(text or "")
        if not pairs:
            run.notes.append(f"{self.tag}: the answer held no ```input blocks")
        unique: dict[str, Optional[str]] = {}
        for i, o in pairs:
            unique.setdefault(i, o)
        return list(unique.items())

    def _validated(self, problem: Problem, pairs: list, run: _Run) -> list:
        if not self.config.validator:
            return pairs
        validator = self._program(problem, "validator", run)
        if validator is None:
            return pairs
        stdio = problem.model_copy(update={"style": "stdio"})
        public = self.judge.run_inputs(stdio, validator, [t.input for t in problem.public_tests])
        if any(r.exit_code != 0 for r in public):
            run.notes.append(f"{self.tag}: validator ignored, it rejects a public input")
            return pairs
        results = self.judge.run_inputs(stdio, validator, [i for i, _ in pairs])
        kept = [p for p, r in zip(pairs, results) if r.exit_code == 0]
        if len(kept) < len(pairs):
            run.notes.append(f"{self.tag}: validator rejected {len(pairs) - len(kept)} inputs")
        return kept

    def _outputs(self, problem: Problem, program: Candidate, inputs: Sequence[str]) -> dict[str, str]:
        probe = [TestCase(input=i, output=None, kind="generated") for i in inputs]
        [judgement] = self.judge.judge_many(problem, [program], probe)
        return {inputs[t.index]: t.stdout for t in judgement.tests
                if t.verdict is Verdict.AC and not t.stdout_truncated and t.index < len(inputs)}

    def _expected(self, text: str, predicted: Optional[str], brute: Optional[str],
                  votes: Sequence[str]) -> Optional[TestCase]:
        mode = self.config.expected
        if brute is not None and mode in ("auto", "brute_force"):
            return TestCase(input=text, output=brute, kind="generated", trust=BRUTE_TRUST, source="brute-force")
        top = majority(votes)
        if top is not None and len(votes) >= self.config.min_voters and mode in ("auto", "agreement"):
            return TestCase(input=text, output=top[0], kind="generated", trust=round(top[1] / len(votes), 6),
                            source="agreement")
        if predicted is not None and mode in ("auto", "prediction"):
            return TestCase(input=text, output=predicted, kind="generated", trust=PREDICTION_TRUST, source="prediction")
        return None

    # -- function style -----------------------------------------------------------------

    def _function_tests(self, problem: Problem, state: State, run: _Run) -> list[TestCase]:
        text, failure = self.ask(self._tests_prompt(problem))
        if failure is not None:
            run.failures.append(failure)
            return []
        found = extract_code(text or "", "py", None)
        asserts = list(dict.fromkeys(parse_asserts(found.code or text or "", problem.entry_point)))
        asserts = [a for a in asserts if a not in {t.input for t in problem.public_tests}]
        plain = [a for a in asserts if _host_decidable(a, problem.entry_point or "")][: self.config.num_tests]
        if len(plain) < len(asserts[: self.config.num_tests]):
            run.notes.append(f"{self.tag}: {len(asserts) - len(plain)} asserts dropped: not plain asserts the host "
                             "can decide without running them")
        asserts = plain
        if not asserts:
            run.notes.append(f"{self.tag}: the answer held no asserts calling {problem.entry_point}")
            return []
        probe = [TestCase(input=a, kind="generated") for a in asserts]
        voters = self._voters(problem, state)
        runs = self.judge.judge_many(problem, voters, probe) if voters else []
        brute = self._brute_force(problem, run)
        confirmed = None
        if brute is not None:
            [bj] = self.judge.judge_many(problem, [brute], probe)
            confirmed = {t.index for t in bj.tests if t.verdict is Verdict.AC}
        tests = []
        for k, code in enumerate(asserts):
            outcomes = [j.tests[k].verdict for j in runs if k < len(j.tests)]
            if outcomes and all(v not in (Verdict.AC, Verdict.WA) for v in outcomes):
                continue
            if confirmed is not None:
                if k in confirmed:
                    tests.append(TestCase(input=code, kind="generated", trust=BRUTE_TRUST, source="brute-force"))
                continue
            if self.config.expected in ("agreement", "auto") and len(outcomes) >= self.config.min_voters:
                share = sum(v is Verdict.AC for v in outcomes) / len(outcomes)
                tests.append(TestCase(input=code, kind="generated", trust=round(share, 6), source="agreement"))
            elif self.config.expected in ("auto", "prediction"):
                tests.append(TestCase(input=code, kind="generated", trust=PREDICTION_TRUST, source="prediction"))
        return tests
