"""Shared helpers of the integrations tests: fixture repositories and scripted answers."""

from __future__ import annotations

import shutil
from pathlib import Path

REPOS = Path(__file__).resolve().parents[1] / "fixtures" / "repos"


def fixture_repo(name: str, dest: Path) -> Path:
    """A fresh copy of ``tests/fixtures/repos/<name>`` under ``dest``."""
    target = dest / name
    shutil.copytree(REPOS / name, target)
    return target


def fenced(code: str) -> str:
    return f"Here is the fix:\n```python\n{code}```\n"


def calc_source(add: str = "a - b", sub: str = "a - b") -> str:
    """calc.py of the calc_bug fixture with the given bodies of add and sub."""
    text = (REPOS / "calc_bug" / "calc.py").read_text()
    text = text.replace('"""Return the sum of a and b."""\n    return a - b', f'"""Return the sum of a and b."""\n    return {add}')
    return text.replace('"""Return a minus b."""\n    return a - b', f'"""Return a minus b."""\n    return {sub}')
