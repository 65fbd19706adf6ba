"""The components. Each has one call shape: ``component.run(problem, state) -> state``.

``COMPONENTS`` maps a config ``type`` to its class; a dotted path ``package.module:Class``
(or ``package.module.Class``) names a third-party component.
"""

from __future__ import annotations

import importlib

from archon_code.components.base import BudgetExceeded, Component, ComponentConfig, JudgeLike, render
from archon_code.components.critic import Critic, CriticConfig
from archon_code.components.differential import Differential, DifferentialConfig
from archon_code.components.evaluator import Evaluator, EvaluatorConfig
from archon_code.components.fuser import Fuser, FuserConfig
from archon_code.components.generator import Generator, GeneratorConfig
from archon_code.components.ranker import Ranker, RankerConfig
from archon_code.components.state import Failure, Rejected, State, merge_states
from archon_code.components.unit_tests import UnitTestGenerator, UnitTestGeneratorConfig
from archon_code.components.verifier import Verifier, VerifierConfig
from archon_code.errors import ConfigError

__all__ = [
    "COMPONENTS",
    "BudgetExceeded",
    "Component",
    "ComponentConfig",
    "Critic",
    "CriticConfig",
    "Differential",
    "DifferentialConfig",
    "Evaluator",
    "EvaluatorConfig",
    "Failure",
    "Fuser",
    "FuserConfig",
    "Generator",
    "GeneratorConfig",
    "JudgeLike",
    "Ranker",
    "RankerConfig",
    "Rejected",
    "State",
    "UnitTestGenerator",
    "UnitTestGeneratorConfig",
    "Verifier",
    "VerifierConfig",
    "component_class",
    "merge_states",
    "render",
]

COMPONENTS: dict[str, type[Component]] = {
    "generator": Generator,
    "unit_test_generator": UnitTestGenerator,
    "evaluator": Evaluator,
    "ranker": Ranker,
    "verifier": Verifier,
    "critic": Critic,
    "fuser": Fuser,
    "differential": Differential,
}


def component_class(name: str) -> type[Component]:
    """The class for a type name, or for a dotted path to a Component subclass."""
    if name in COMPONENTS:
        return COMPONENTS[name]
    if "." not in name:
        raise ConfigError(f"unknown component type {name!r}; allowed: {', '.join(COMPONENTS)} "
                          "or a dotted path package.module:Class")
    module_name, _, attr = name.replace(":", ".").rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"component type {name!r} cannot be imported: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise ConfigError(f"component type {name!r} is not a Component subclass")
    return cls
