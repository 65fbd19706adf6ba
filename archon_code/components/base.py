"""What every component shares: its config base, the judge seam, prompts and model calls.

Every component has one call shape, ``component.run(problem, state) -> state``, and gets
its LLM client, judge and settings in the constructor (no globals).
"""

from __future__ import annotations

import functools
from typing import Optional, Sequence

import jinja2
from pydantic import BaseModel, ConfigDict, Field

from archon_code.components.state import Failure, State
from archon_code.errors import LLMError
from archon_code.judge import JudgeLike
from archon_code.llm.base import LLM, Message
from archon_code.llm.budget import BudgetExceeded
from archon_code.resources import resource_dir
from archon_code.types import Lang, Problem, TestCase

__all__ = [
    "BudgetExceeded",
    "Component",
    "ComponentConfig",
    "JudgeLike",
    "LLMComponentConfig",
    "render",
]


class ComponentConfig(BaseModel):
    """Settings every component has."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    type: str
    """Component type (generator, unit_test_generator, evaluator, ranker, verifier, critic, fuser)."""


class LLMComponentConfig(ComponentConfig):
    """Settings of a component that calls a model."""

    model: Optional[str] = None
    """litellm model string; empty: the run's model (``--model`` / ARCHON_CODE_MODEL)."""
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    """Sampling temperature."""
    max_tokens: int = Field(default=1024, ge=16, le=65536)
    """Most tokens of one answer."""


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(resource_dir("prompts")))
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True, autoescape=False)


def render(template: str, **variables: object) -> str:
    """Render ``prompts/<template>.j2`` with StrictUndefined."""
    return _environment().get_template(f"{template}.j2").render(**variables)


def truncate(text: str, limit: int = 600) -> str:
    """At most ``limit`` characters, marking what was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} more characters]"


class Component:
    """Base of the seven components. ``tag`` (e.g. ``layer2/fuser0``) names it in traces and ids."""

    config_class: type[ComponentConfig] = ComponentConfig
    program_lang: Optional[Lang] = None
    """Language of the programs this component asks for, when fixed (else the run's ``lang``)."""

    def __init__(self, config: ComponentConfig, llm: Optional[LLM], judge: Optional[JudgeLike], *,
                 tag: str, model: str, lang: Lang = "py") -> None:
        self.config = config
        self.llm = llm
        self.judge = judge
        self.tag = tag
        self.model = model
        self.lang = lang

    def run(self, problem: Problem, state: State) -> State:  # pragma: no cover - abstract
        raise NotImplementedError

    def messages(self, template: str, problem: Problem, *, system_template: str = "system",
                 **variables: object) -> list[Message]:
        """System + user messages: ``prompts/<system_template>.j2`` and ``prompts/<template>.j2``."""
        lang = self.program_lang or self.lang
        system = render(system_template, lang=lang, problem=problem)
        user = render(template, lang=lang, problem=problem, **variables)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def ask(self, messages: Sequence[Message], *, sample: int = 0, temperature: Optional[float] = None,
            stop: Sequence[str] = ()) -> tuple[Optional[str], Optional[Failure]]:
        """One model call; an LLMError or used-up budget becomes a recorded Failure."""
        assert self.llm is not None, f"{self.tag} needs a model"
        config = self.config
        temp = getattr(config, "temperature", 0.0) if temperature is None else temperature
        try:
            completion = self.llm.complete(messages, model=self.model, temperature=temp,
                                           max_tokens=getattr(config, "max_tokens", 1024),
                                           sample=sample, tag=self.tag, **({"stop": stop} if stop else {}))
        except LLMError as exc:
            return None, Failure(tag=self.tag, model=self.model, kind="llm", message=str(exc))
        except BudgetExceeded as exc:
            return None, Failure(tag=self.tag, model=self.model, kind="budget", message=str(exc))
        return completion.text, None

    def tests_for(self, problem: Problem, state: State) -> tuple[TestCase, ...]:
        """The tests of the verdict matrix: public tests, then generated ones."""
        return tuple(problem.public_tests) + tuple(state.tests)

    def evaluate(self, problem: Problem, state: State, *, only_missing: bool = False) -> State:
        """Judge candidates whose verdicts do not cover every current test (``only_missing``:
        just those never judged) on the public tests followed by the generated ones."""
        tests = self.tests_for(problem, state)
        stale = [c for c in state.candidates if c.id not in state.verdicts
                 or (not only_missing and state.coverage.get(c.id, 0) != len(tests))]
        if not stale or self.judge is None:
            return state
        judgements = self.judge.judge_many(problem, stale, tests)
        verdicts, coverage = dict(state.verdicts), dict(state.coverage)
        verdicts.update({c.id: j for c, j in zip(stale, judgements)})
        coverage.update({c.id: len(tests) for c in stale})
        return state.model_copy(update={"verdicts": verdicts, "coverage": coverage})


def with_failures(state: State, failures: Sequence[Failure]) -> State:
    """``state`` with ``failures`` appended."""
    if not failures:
        return state
    return state.model_copy(update={"failures": state.failures + tuple(failures)})
