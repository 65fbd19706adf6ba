"""Code extraction, splicing, three-way merging and the suggest prompts."""

from __future__ import annotations

import ast

from hypothesis import given
from hypothesis import strategies as st

from archon_code.integrations.fixer import (
    FailingTest,
    Target,
    changed_definitions,
    extract_python,
    merge3,
    propose,
    render_prompt,
    splice_definitions,
)
from tests.support.scripted_llm import ScriptedLLM

ORIGINAL = 'import math\n\n\ndef f(x):\n    return x - 1\n\n\ndef g(x):\n    return math.sqrt(x)\n'


def test_extract_prefers_the_longest_python_block():
    text = "Sure.\n```\nshort = 1\n```\nand\n```python\ndef f():\n    return 2\n```\nDone."
    assert extract_python(text) == "def f():\n    return 2\n"


def test_extract_ignores_blocks_in_other_languages_and_accepts_bare_code():
    assert extract_python("```bash\nls -la\n```") is None
    assert extract_python("x = 1\nprint(x)") == "x = 1\nprint(x)\n"
    assert extract_python("I cannot help with that.") is None


def test_extract_accepts_an_unterminated_fence():
    assert extract_python("```python\ndef f():\n    return 1\n") == "def f():\n    return 1\n"


@given(st.lists(st.sampled_from(["a = 1", "b = a + 2", "def h():", "    return 3", "print(b)"]), min_size=1))
def test_extract_returns_a_valid_fenced_body_unchanged_and_refuses_an_invalid_one(lines):
    body = "\n".join(lines) + "\n"
    try:
        ast.parse(body)
        expected = body
    except SyntaxError:
        expected = None
    assert extract_python(f"Answer:\n```python\n{body}```\n") == expected


def test_extract_uses_the_shared_fence_rules():
    # tildes and longer fences, as archon_code.extract parses them for every pipeline
    assert extract_python("~~~python\ndef f():\n    return 1\n~~~\n") == "def f():\n    return 1\n"
    assert extract_python("````py\nx = 1\n````") == "x = 1\n"
    # no fence: leading prose is dropped, as for solve
    assert extract_python("Here you go:\ndef f():\n    return 1") == "def f():\n    return 1\n"


def test_splice_replaces_only_the_redefined_function():
    assert splice_definitions(ORIGINAL, "def f(x):\n    return x + 1\n") == ORIGINAL.replace("x - 1", "x + 1")


def test_splice_keeps_a_whole_file_answer():
    answer = "def f(x):\n    return x + 1\n\n\ndef g(x):\n    return x\n"
    assert splice_definitions(ORIGINAL, answer) == answer


def test_changed_definitions_drops_additions_and_keeps_the_last_definition():
    answer = ORIGINAL + "\n# note\ndef f(x):\n    return x + 1\n\n\ndef extra():\n    pass\n"
    assert changed_definitions(ORIGINAL, answer) == ORIGINAL.replace("x - 1", "x + 1")
    assert changed_definitions(ORIGINAL, ORIGINAL + "\nz = 3\n") == ORIGINAL


def test_merge3_combines_disjoint_changes_and_refuses_conflicts():
    left = ORIGINAL.replace("x - 1", "x + 1")
    right = ORIGINAL.replace("math.sqrt(x)", "x ** 0.5")
    assert merge3(ORIGINAL, [left, right]) == ORIGINAL.replace("x - 1", "x + 1").replace("math.sqrt(x)", "x ** 0.5")
    assert merge3(ORIGINAL, [left, ORIGINAL.replace("x - 1", "x * 1")]) is None


_LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n"]), max_size=8)


@given(_LINES, _LINES)
def test_merge3_of_one_version_or_a_repeated_version_is_that_version(base, version):
    original, new = "".join(base), "".join(version)
    assert merge3(original, [new]) == new
    assert merge3(original, [new, new]) == new
    assert merge3(original, []) == original


def test_every_suggest_template_renders():
    failure = FailingTest(id="tests/test_m.py::test_f", error="AssertionError: assert 0 == 2", test_source="def test_f(): ...")
    fix = render_prompt("suggest_fix", path="m.py", content=ORIGINAL, failures=[failure.model_dump()])
    assert "## Failing test `tests/test_m.py::test_f`" in fix
    assert "AssertionError: assert 0 == 2" in fix and ORIGINAL in fix
    fuse = render_prompt(
        "suggest_fuse", path="m.py", original=ORIGINAL, versions=[{"content": "x = 1\n", "fixes": ["t1", "t2"]}]
    )
    assert "## Version 1: makes t1, t2 pass" in fuse
    assert render_prompt("suggest_system").startswith("You are a careful Python engineer")


def test_propose_samples_drops_unusable_answers_and_duplicates():
    good = "```python\ndef f(x):\n    return x + 1\n```"
    llm = ScriptedLLM([good, "no code here", "```python\ndef f(:\n```", good])
    target = Target(path="m.py", content=ORIGINAL, failures=(FailingTest(id="t", error="e"),))
    found = propose(llm, "scripted", target, samples=4, temperature=0.5, max_tokens=100)
    assert found == [ORIGINAL.replace("x - 1", "x + 1")]
    assert [(c.temperature, c.sample, c.tag) for c in llm.calls] == [
        (0.0, 0, "suggest/fixer"),
        (0.5, 1, "suggest/fixer"),
        (0.5, 2, "suggest/fixer"),
        (0.5, 3, "suggest/fixer"),
    ]
