"""Find the code a failing test exercises.

Order of preference: repository files in the failure's traceback, innermost frame first,
test files excluded; then the repository modules the failing test's file imports and the
failing test function uses; test files only when nothing else is implicated.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional

from archon_code.integrations.testrun import TestOutcome

__all__ = ["failing_test_source", "implicated_files", "is_test_file"]


def is_test_file(path: str) -> bool:
    """pytest's conventions: ``test_*.py``, ``*_test.py``, ``conftest.py`` or a tests/ folder."""
    p = PurePosixPath(path)
    return (
        p.name.startswith("test_")
        or p.name.endswith("_test.py")
        or p.name == "conftest.py"
        or any(part in ("tests", "test", "testing") for part in p.parts[:-1])
    )


def _unique(paths: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def implicated_files(outcome: TestOutcome, root: Path, files: set[str]) -> list[str]:
    """Repository files to fix for this failure, most likely first."""
    traced = _unique(path for path, _ in reversed(outcome.frames))
    code = [p for p in traced if not is_test_file(p)]
    test_file = outcome.id.split("::", 1)[0]
    if test_file in files and test_file.endswith(".py"):
        code += [p for p in _imported_files(root, test_file, outcome.id, files) if not is_test_file(p)]
    code = _unique(code)
    return code if code else [p for p in traced if p.endswith(".py")]


def failing_test_source(root: Path, node_id: str) -> str:
    """The source of the failing test function (the whole file when it cannot be found)."""
    file, _, rest = node_id.partition("::")
    path = root / file
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    node = _find_def(text, [n.split("[", 1)[0] for n in rest.split("::") if n])
    if node is None:
        return text
    return ast.get_source_segment(text, node, padded=True) or text


def _find_def(text: str, names: list[str]) -> Optional[ast.AST]:
    try:
        scope: ast.AST = ast.parse(text)
    except SyntaxError:
        return None
    for name in names:
        found = None
        for child in ast.iter_child_nodes(scope):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child.name == name:
                found = child
        if found is None:
            return None
        scope = found
    return scope if names else None


def _names_used(source: str) -> set[str]:
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return set()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names | {
        n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
    }


def _imported_files(root: Path, test_file: str, node_id: str, files: set[str]) -> list[str]:
    text = (root / test_file).read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    used = _names_used(failing_test_source(root, node_id))
    bases = ["", "src/", str(PurePosixPath(test_file).parent) + "/"]
    preferred, others = [], []
    for node in ast.walk(tree):
        for module, names in _imports(node):
            for path in _resolve(module, bases, files):
                (preferred if used & set(names) else others).append(path)
    return _unique(preferred + others)


def _imports(node: ast.AST) -> list[tuple[str, list[str]]]:
    if isinstance(node, ast.Import):
        return [(a.name, [a.asname or a.name.split(".")[0]]) for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return [(node.module, [a.asname or a.name for a in node.names])] + [
            (f"{node.module}.{a.name}", [a.asname or a.name]) for a in node.names
        ]
    return []


def _resolve(module: str, bases: list[str], files: set[str]) -> list[str]:
    rel = module.replace(".", "/")
    found = []
    for base in bases:
        base = "" if base == "./" else base
        for cand in (f"{base}{rel}.py", f"{base}{rel}/__init__.py"):
            if cand in files:
                found.append(cand)
    return found
