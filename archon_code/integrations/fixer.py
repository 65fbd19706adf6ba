"""Ask a model for fixes of implicated files, and combine fixes of the same file.

Decision: the model is asked for the whole corrected file (simple for small models and
easy to diff). An answer that only redefines some of the file's top-level functions or
classes is spliced into the original, so a whole-function answer works too. Prompts are
rendered by the components' renderer (:func:`archon_code.components.base.render`) and code
is pulled out of answers by :mod:`archon_code.extract`, as for every other pipeline.
"""

from __future__ import annotations

import ast
import difflib
from typing import Optional, Sequence

from archon_code.extract import code_blocks, extract_code
from archon_code.llm.base import LLM
from archon_code.types import Frozen

__all__ = [
    "FailingTest",
    "Target",
    "changed_definitions",
    "extract_python",
    "fuse_file",
    "merge3",
    "propose",
    "render_prompt",
    "splice_definitions",
]

class FailingTest(Frozen):
    """A failing test of the repository as shown to the model (not to be confused with
    :class:`archon_code.components.state.Failure`, a failed model call)."""

    id: str
    error: str
    """Message and traceback, truncated."""
    test_source: str = ""


class Target(Frozen):
    """One file to fix and the failures that implicate it."""

    path: str
    content: str
    failures: tuple[FailingTest, ...]


def render_prompt(name: str, **values: object) -> str:
    """Render ``prompts/<name>.j2`` with the components' environment (StrictUndefined,
    trim_blocks, lstrip_blocks)."""
    from archon_code.components.base import render

    return render(name, **values)


def extract_python(text: str) -> Optional[str]:
    """The code of an answer: the longest valid Python (or untagged) fenced block; with no
    fenced block at all, the program :func:`archon_code.extract.extract_code` finds in the
    text; else None."""
    valid, tags = code_blocks(text, "py")
    if valid:
        return max(valid, key=len)
    return None if tags else extract_code(text, "py").code


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _top_defs(tree: ast.Module) -> dict[str, ast.stmt]:
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }


def splice_definitions(original: str, answer: str) -> str:
    """``answer`` as the new file, or, when it only redefines some of the original's
    top-level functions/classes, the original with those definitions replaced."""
    try:
        old_tree, new_tree = ast.parse(original), ast.parse(answer)
    except SyntaxError:
        return answer
    old_defs, new_defs = _top_defs(old_tree), _top_defs(new_tree)
    if not new_defs or not set(new_defs) < set(old_defs):
        return answer
    return _replace_defs(original, answer, old_defs, new_defs)


def changed_definitions(original: str, answer: str) -> str:
    """The original with only those top-level functions/classes replaced that the answer
    defines differently (the last definition of a name wins, as in Python); everything
    else in the answer (new names, comments, other statements) is left out."""
    try:
        old_tree, new_tree = ast.parse(original), ast.parse(answer)
    except SyntaxError:
        return original
    old_defs, new_defs = _top_defs(old_tree), _top_defs(new_tree)
    changed = {
        name: node
        for name, node in new_defs.items()
        if name in old_defs and ast.dump(node) != ast.dump(old_defs[name])
    }
    return _replace_defs(original, answer, old_defs, changed) if changed else original


def _replace_defs(original: str, answer: str, old_defs: dict, new_defs: dict) -> str:
    lines = original.splitlines(keepends=True)
    new_lines = answer.splitlines(keepends=True)
    edits = []
    for name, node in new_defs.items():
        old = old_defs[name]
        start = min([old.lineno] + [d.lineno for d in getattr(old, "decorator_list", [])]) - 1
        new_start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        edits.append((start, old.end_lineno, new_lines[new_start : node.end_lineno]))
    for start, end, replacement in sorted(edits, reverse=True):
        if replacement and not replacement[-1].endswith("\n"):
            replacement[-1] += "\n"
        lines[start:end] = replacement
    return "".join(lines)


def propose(
    llm: LLM, model: str, target: Target, *, samples: int, temperature: float, max_tokens: int
) -> list[str]:
    """New contents of ``target.path`` from ``samples`` answers (sample 0 at temperature 0);
    unusable answers (no code, syntax error, no change) are dropped; duplicates removed."""
    messages = [
        {"role": "system", "content": render_prompt("suggest_system")},
        {"role": "user", "content": render_prompt("suggest_fix", **target.model_dump())},
    ]
    found: list[str] = []
    for sample in range(samples):
        completion = llm.complete(
            messages, model=model, temperature=0.0 if sample == 0 else temperature,
            max_tokens=max_tokens, sample=sample, tag="suggest/fixer",
        )
        for content in _variants(target.content, completion.text):
            if content not in found:
                found.append(content)
    return found


def _variants(original: str, text: str) -> list[str]:
    """Usable new contents from one answer: the answer (spliced when partial), and the
    original with only the changed definitions replaced; each verified on its own."""
    code = extract_python(text)
    if code is None or not _parses(code):
        return []
    options = [splice_definitions(original, code), changed_definitions(original, code)]
    return [c for c in dict.fromkeys(options) if c != original and _parses(c)]


def _usable(original: str, text: str) -> Optional[str]:
    variants = _variants(original, text)
    return variants[0] if variants else None


def merge3(original: str, versions: Sequence[str]) -> Optional[str]:
    """Apply every version's changes to ``original`` when they touch disjoint lines
    (identical changes count once); None on a conflict."""
    base = original.splitlines(keepends=True)
    edits: set[tuple[int, int, tuple[str, ...]]] = set()
    for version in versions:
        new = version.splitlines(keepends=True)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, new, autojunk=False).get_opcodes():
            if tag != "equal":
                edits.add((i1, i2, tuple(new[j1:j2])))
    ordered = sorted(edits)
    for (a1, a2, _), (b1, b2, _) in zip(ordered, ordered[1:]):
        if b1 < a2 or (a1 == b1 and a2 == b2) or (a1 == a2 == b1):
            return None
    out: list[str] = []
    pos = 0
    for i1, i2, replacement in ordered:
        out += base[pos:i1] + list(replacement)
        pos = i2
    return "".join(out + base[pos:])


def fuse_file(
    llm: LLM, model: str, path: str, original: str, versions: Sequence[tuple[str, Sequence[str]]],
    *, max_tokens: int,
) -> Optional[str]:
    """One version of ``path`` combining ``versions`` (content, tests it fixes): a
    line-level merge when the changes are disjoint, else the model's combination."""
    merged = merge3(original, [content for content, _ in versions])
    if merged is not None:
        return merged
    prompt = render_prompt(
        "suggest_fuse",
        path=path,
        original=original,
        versions=[{"content": c, "fixes": list(f)} for c, f in versions],
    )
    messages = [
        {"role": "system", "content": render_prompt("suggest_system")},
        {"role": "user", "content": prompt},
    ]
    completion = llm.complete(messages, model=model, temperature=0.0, max_tokens=max_tokens, tag="suggest/fuser")
    return _usable(original, completion.text)
