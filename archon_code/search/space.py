"""The ITAS search space: which architectures a search may try, and how a trial's choices
become an Archon-shape architecture config.

A space file (YAML/JSON) sets any of :class:`SearchSpace`'s fields; ranges are
``[low, high]`` (inclusive) and choices are lists. Unknown fields and bad values are
errors that name the file, the field and the value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from archon_code.errors import ConfigError
from archon_code.textio import read_config_file
from archon_code.types import Frozen
from archon_code.validation import first_issue

__all__ = ["SearchSpace", "TrialLike", "TrialParams", "build_architecture", "default_space_path", "load_space", "suggest"]

Expected = Literal["brute_force", "prediction", "agreement", "auto"]
CriticPlace = Literal["none", "before_fuser"]
RankerPlace = Literal["none", "after_evaluation", "final"]
VerifierPlace = Literal["none", "before_fuser", "final"]


class SearchSpace(BaseModel):
    """Dimensions of the architecture search (every field optional in a space file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    models: tuple[str, ...] = Field(default=("local/qwen2.5-coder-0.5b", "local/qwen2.5-coder-1.5b"), min_length=1)
    """Models the generators may use; ``--model`` on the command line replaces this list."""
    ensemble: bool = True
    """Also try one generator layer sampling from every model at once (when there are several)."""
    samples: tuple[int, int] = (1, 4)
    """Samples per model: [low, high]."""
    temperature: tuple[float, float] = (0.2, 1.0)
    """Sampling temperature of the generators (when samples > 1; one sample is greedy): [low, high]."""
    num_tests: tuple[int, int] = (0, 8)
    """Generated unit tests: [low, high]; 0 means no unit-test generator."""
    expected: tuple[Expected, ...] = ("brute_force", "prediction", "agreement")
    """How generated tests get their expected outputs (trust): brute_force, prediction, agreement, auto."""
    fuser_layers: tuple[int, int] = (0, 2)
    """Critique-and-fuse rounds: [low, high] within 0..3."""
    fuser_top_k: tuple[int, int] = (1, 3)
    """Candidates a fuser (and a critic) looks at: [low, high]."""
    critic: tuple[CriticPlace, ...] = ("none", "before_fuser")
    """Where a critic may stand: none, before_fuser (before every fuser)."""
    ranker: tuple[RankerPlace, ...] = ("none", "after_evaluation", "final")
    """Where a ranker may stand: none, after_evaluation (first evaluation), final."""
    verifier: tuple[VerifierPlace, ...] = ("none", "before_fuser", "final")
    """Where a verifier may stand: none, before_fuser, final."""
    greedy: tuple[bool, ...] = (False, True)
    """With samples > 1: whether one of them is a greedy sample (its own generator at temperature
    0, beside the sampled one: the ``codet``/``full`` shape)."""
    differential: tuple[bool, ...] = (False, True)
    """Whether a differential layer follows the generators (behaviour clusters on hypothesis /
    generator-program inputs, more samples while not decisive)."""
    differential_inputs: tuple[int, int] = (10, 30)
    """Differential inputs per problem: [low, high] within 1..200."""
    max_candidates: tuple[int, int] = (4, 8)
    """Candidates the differential layer may grow to by drawing more samples: [low, high] within 1..32."""

    @model_validator(mode="after")
    def _check(self) -> "SearchSpace":
        for name in ("samples", "temperature", "num_tests", "fuser_layers", "fuser_top_k", "differential_inputs",
                     "max_candidates"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"field '{name}': low {low} is above high {high}")
        bounds = {"samples": (1, 50), "temperature": (0.0, 2.0), "num_tests": (0, 50), "fuser_layers": (0, 3),
                  "fuser_top_k": (1, 20), "differential_inputs": (1, 200), "max_candidates": (1, 32)}
        for name, (lo, hi) in bounds.items():
            low, high = getattr(self, name)
            if low < lo or high > hi:
                raise ValueError(f"field '{name}': [{low}, {high}] must lie within [{lo}, {hi}]")
        for name in ("expected", "critic", "ranker", "verifier", "greedy", "differential"):
            if not getattr(self, name):
                raise ValueError(f"field '{name}': needs at least one choice")
        return self

    def choices_of_models(self) -> list[str]:
        choices = list(dict.fromkeys(self.models))
        if self.ensemble and len(choices) > 1:
            choices.append("+".join(choices))
        return choices


def default_space_path() -> Path:
    return Path(__file__).resolve().parent / "default_space.yaml"


def parse_space(data: Any, source: str = "search space") -> SearchSpace:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of search-space fields, got {type(data).__name__}")
    try:
        return SearchSpace.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {first_issue(exc, allowed=SearchSpace.model_fields)}"[:400]) from None


def load_space(path: Path | None = None) -> SearchSpace:
    """The space in ``path`` (YAML or JSON), or the shipped default space."""
    path = Path(path) if path else default_space_path()
    return parse_space(read_config_file(path), str(path))


class TrialLike(Protocol):
    """The part of ``optuna.trial.Trial`` used here."""

    def suggest_int(self, name: str, low: int, high: int) -> int: ...
    def suggest_float(self, name: str, low: float, high: float) -> float: ...
    def suggest_categorical(self, name: str, choices: list) -> Any: ...


class TrialParams(Frozen):
    """One point of the space: what a trial chose (optuna's params, as typed values)."""

    models: str
    """One model, or several joined by ``+`` (one generator sampling from each)."""
    samples: int
    """Samples per model."""
    temperature: float
    """Generator temperature (rounded to 2 places; used when more than one sample is drawn)."""
    num_tests: int
    """Generated unit tests (0: no unit-test generator)."""
    expected: Expected
    """How generated tests get their expected outputs (``auto`` when no tests are generated)."""
    fuser_layers: int
    """Critique-and-fuse rounds."""
    fuser_top_k: int
    """Candidates a fuser (and a critic) looks at (1 when there is no fuser)."""
    critic: CriticPlace
    ranker: RankerPlace
    verifier: VerifierPlace
    greedy: bool = False
    """One of the samples is greedy (its own generator at temperature 0)."""
    differential: bool = False
    """A differential layer follows the generators."""
    differential_inputs: int = 20
    max_candidates: int = 8

    @property
    def model_list(self) -> list[str]:
        return self.models.split("+")


def suggest(trial: TrialLike, space: SearchSpace) -> TrialParams:
    """One point of the space, drawn through an optuna trial (fixed ranges are not asked)."""

    def ints(name: str, bounds: tuple[int, int]) -> int:
        return bounds[0] if bounds[0] == bounds[1] else trial.suggest_int(name, *bounds)

    def pick(name: str, choices: list) -> Any:
        return choices[0] if len(choices) == 1 else trial.suggest_categorical(name, choices)

    models, samples = pick("models", space.choices_of_models()), ints("samples", space.samples)
    lo, hi = space.temperature
    temperature = round(lo if lo == hi else trial.suggest_float("temperature", lo, hi), 2)
    num_tests = ints("num_tests", space.num_tests)
    expected = pick("expected", list(space.expected)) if num_tests else "auto"
    fuser_layers = ints("fuser_layers", space.fuser_layers)
    fuser_top_k = ints("fuser_top_k", space.fuser_top_k) if fuser_layers else 1
    critic = pick("critic", list(space.critic)) if fuser_layers else "none"
    ranker, verifier = pick("ranker", list(space.ranker)), pick("verifier", list(space.verifier))
    greedy = pick("greedy", list(space.greedy)) if samples > 1 else False
    differential = pick("differential", list(space.differential))
    inputs = ints("differential_inputs", space.differential_inputs) if differential else 20
    grow = ints("max_candidates", space.max_candidates) if differential else 8
    return TrialParams(models=models, samples=samples, temperature=temperature, num_tests=num_tests,
                       expected=expected, fuser_layers=fuser_layers, fuser_top_k=fuser_top_k, critic=critic,
                       ranker=ranker, verifier=verifier, greedy=greedy, differential=differential,
                       differential_inputs=inputs, max_candidates=grow)


def _generator(params: TrialParams) -> dict[str, Any]:
    models = params.model_list
    samples = params.samples - 1 if params.greedy else params.samples
    gen: dict[str, Any] = {"type": "generator", "samples": samples}
    gen["temperature"] = params.temperature if params.samples > 1 or len(models) > 1 else 0.0
    if len(models) == 1:
        gen["model"] = models[0]
    else:
        gen["models"] = models
    return gen


def _generators(params: TrialParams) -> list[dict[str, Any]]:
    """The first layer: the (sampled) generator, after a greedy one when the trial asks for it."""
    if not params.greedy:
        return [_generator(params)]
    greedy = {"type": "generator", "samples": 1, "temperature": 0.0, "model": params.model_list[0]}
    return [greedy, _generator(params)]


def build_architecture(params: TrialParams, name: str) -> dict[str, Any]:
    """An Archon-shape config ``{"name", "description", "layers"}`` from :func:`suggest`'s params.
    Test generators, differential layers, critics and fusers use the first of the trial's models."""
    layers: list[list[dict[str, Any]]] = [_generators(params)]
    model = params.model_list[0]
    if params.differential:
        layers.append([{"type": "differential", "model": model, "inputs": params.differential_inputs,
                        "batch": 2, "max_candidates": params.max_candidates}])
    if params.num_tests:
        layers.append([{"type": "unit_test_generator", "model": model, "num_tests": params.num_tests,
                        "expected": params.expected}])
    layers.append([{"type": "evaluator"}])
    if params.ranker == "after_evaluation":
        layers.append([{"type": "ranker"}])
    if params.verifier == "before_fuser":
        layers.append([{"type": "verifier"}])
    top_k = params.fuser_top_k
    for _ in range(params.fuser_layers):
        if params.critic == "before_fuser":
            layers.append([{"type": "critic", "model": model, "top_k": top_k}])
        layers.append([{"type": "fuser", "model": model, "top_k": top_k, "samples": 1}])
        layers.append([{"type": "evaluator"}])
    if params.verifier == "final":
        layers.append([{"type": "verifier"}])
    if params.ranker == "final" or (params.ranker == "after_evaluation" and params.fuser_layers):
        layers.append([{"type": "ranker"}])
    summary = ", ".join(f"{k}={v}" for k, v in params.model_dump().items())
    return {"name": name, "description": f"found by archon-code search: {summary}", "layers": layers}
