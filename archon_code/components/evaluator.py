"""Evaluator: run every candidate on the public and generated tests; keep the verdict matrix."""

from __future__ import annotations

from archon_code.components.base import Component, ComponentConfig
from archon_code.components.state import State
from archon_code.types import Problem

__all__ = ["Evaluator", "EvaluatorConfig"]


class EvaluatorConfig(ComponentConfig):
    """An evaluator has no settings beyond its type: it runs what the problem and state hold."""


class Evaluator(Component):
    """Judges every candidate whose verdicts do not yet cover all current tests.

    It only ever sees the problem with hidden tests stripped (the runner strips them), and it
    judges on ``problem.public_tests + state.tests`` -- never on hidden tests.
    """

    config_class = EvaluatorConfig

    def run(self, problem: Problem, state: State) -> State:
        assert self.judge is not None, f"{self.tag} needs a judge"
        return self.evaluate(problem, state)
