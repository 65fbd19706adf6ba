"""Pull a program out of a model's answer.

Models wrap code in prose and Markdown in many ways. :func:`extract_code` handles fenced
blocks with or without a language tag (and an unterminated last fence), several blocks (the
one that looks like a whole program, or defines the entry point, wins), no fence at all,
leading and trailing prose. ``if __name__ == "__main__":`` wrappers are kept as they are.
An answer with no usable program gives ``ExtractResult(code=None, reason=...)`` so the
caller can record the garbage instead of judging it.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from pydantic import BaseModel, ConfigDict

from archon_code.types import Lang

__all__ = ["CODE_START_STOP", "PROGRAM_STOP", "ExtractResult", "code_blocks", "cut_at_stop", "ends_in_open_fence", "extract_code", "looks_whole"]

PROGRAM_STOP = ("\n```\n",)
"""Stop strings of a request whose answer is a program: a closing fence followed by more text
(an explanation, a block of asserts), which the program does not need and which costs decoding
time, and on the embedded model an ``n``-request's wall time follows its longest answer. An
opening fence carries a language tag (the prompts ask for ```python / ```cpp), so it does not
match; the cut answer ends in an unterminated fence, which :func:`extract_code` reads."""

CODE_START_STOP = ("\n```py", "\n```cpp", "\n```c++", "\n```C++")
"""Stop strings of a request whose answer is prose (a critique): the opening fence of a program
on a line of its own (the prompts and the model tag programs ```python / ```cpp). Untagged
fences (quoted inputs and outputs) do not match."""

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_TAGS = {
    "py": {"", "python", "python3", "py", "py3"},
    "cpp": {"", "cpp", "c++", "cc", "cxx", "c"},
}
_MAX_PROSE_LINES = 60


class ExtractResult(BaseModel):
    """The extracted program, or None with the reason it was rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Optional[str] = None
    reason: str = ""


def code_blocks(text: str, lang: Lang = "py") -> tuple[list[str], list[str]]:
    """(valid fenced blocks of language ``lang``, cleaned; tags of every fenced block)."""
    blocks = [(tag.lower(), body) for _, tag, body in _FENCE.findall(text)]
    usable = [_clean(body) for tag, body in blocks if tag in _TAGS[lang] and body.strip()]
    return [b for b in usable if _valid(b, lang)], [tag for tag, _ in blocks]


def extract_code(text: str, lang: Lang = "py", entry_point: Optional[str] = None) -> ExtractResult:
    """Return the most plausible program of language ``lang`` in ``text``."""
    blocks = [(tag.lower(), body) for _, tag, body in _FENCE.findall(text)]
    usable = [body for tag, body in blocks if tag in _TAGS[lang] and body.strip()]
    if usable:
        valid, _ = code_blocks(text, lang)
        if not valid:
            return ExtractResult(reason=f"no fenced block is valid {_NAMES[lang]}")
        return ExtractResult(code=max(valid, key=lambda b: _score(b, lang, entry_point)))
    if blocks:
        return ExtractResult(reason=f"fenced blocks are tagged {sorted({t for t, _ in blocks})}, not {_NAMES[lang]}")
    code = _unfenced(text, lang)
    if code is None:
        return ExtractResult(reason=f"no {_NAMES[lang]} program found in the answer")
    return ExtractResult(code=code)


_NAMES = {"py": "Python", "cpp": "C++"}


def cut_at_stop(text: str, stop: tuple[str, ...] = PROGRAM_STOP) -> str:
    """``text`` up to the first occurrence of any stop string: what a server answers with ``stop``."""
    ends = [text.find(s) for s in stop if s and s in text]
    return text[:min(ends)] if ends else text


def ends_in_open_fence(text: str) -> bool:
    """Whether ``text`` ends inside a fenced block (an odd number of fence lines): how an answer
    cut at :data:`PROGRAM_STOP` ends, unlike one the model closed itself."""
    return len(re.findall(r"^[ \t]*(?:`{3,}|~{3,})", text, re.M)) % 2 == 1


def looks_whole(code: str, lang: Lang, entry_point: Optional[str]) -> bool:
    """Whether ``code`` is a whole answer: it defines ``entry_point`` (a function problem) or
    reads/writes (Python) or has ``main`` (C++). An answer cut at :data:`PROGRAM_STOP` whose
    program is not whole stopped after a helper block; the caller asks again without the stop."""
    defines, whole, _ = _score(code, lang, entry_point)
    return defines if entry_point else whole


def _clean(body: str) -> str:
    lines = body.strip("\n").splitlines()
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def _valid(code: str, lang: Lang) -> bool:
    if not code.strip():
        return False
    if lang == "py":
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError):
            return False
        return any(not (isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.Name)))
                   for node in tree.body)
    return "{" in code and ("main" in code or "#include" in code or "(" in code)


def _score(code: str, lang: Lang, entry_point: Optional[str]) -> tuple:
    """Higher is more program-like: defines the entry point, reads input / has main, length."""
    if lang == "py":
        defines = bool(entry_point) and re.search(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", code, re.M) is not None
        whole = bool(re.search(r"\binput\s*\(|sys\.stdin|__name__|print\s*\(", code))
    else:
        defines = bool(entry_point) and re.search(rf"\b{re.escape(entry_point)}\s*\(", code) is not None
        whole = re.search(r"\bint\s+main\s*\(", code) is not None
    return (defines, whole, len(code))


def _unfenced(text: str, lang: Lang) -> Optional[str]:
    """No fence: drop leading and trailing prose lines until the rest is a valid program."""
    lines = text.strip("\n").splitlines()
    if not lines:
        return None
    if lang == "cpp":
        return _unfenced_cpp(lines)
    for start in range(min(len(lines), _MAX_PROSE_LINES)):
        for end in range(len(lines), max(start, len(lines) - _MAX_PROSE_LINES), -1):
            code = _clean("\n".join(lines[start:end]))
            if _looks_like_code(lines[start]) and _valid(code, lang):
                return code
    return None


_CODE_START = re.compile(r"^(import |from \S+ import |def |class |#!|@|if __name__|[A-Za-z_][\w, ]*\s*=|print\(|for |while |n\s*=)")


def _looks_like_code(line: str) -> bool:
    return _CODE_START.match(line) is not None


def _unfenced_cpp(lines: list[str]) -> Optional[str]:
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith(("#include", "using ", "int main"))]
    if not starts:
        return None
    ends = [i for i, line in enumerate(lines) if line.rstrip().endswith("}")]
    ends = [i for i in ends if i >= starts[0]]
    if not ends:
        return None
    code = _clean("\n".join(lines[starts[0]:ends[-1] + 1]))
    return code if _valid(code, "cpp") else None
