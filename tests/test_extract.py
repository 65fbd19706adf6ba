"""Code extraction from model answers: examples and hypothesis properties."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.extract import ExtractResult, extract_code

PROGRAM = "import sys\n\ndef main():\n    print(sum(map(int, sys.stdin.read().split())))\n\nif __name__ == \"__main__\":\n    main()\n"


def test_fenced_python_with_prose_around():
    text = f"Sure! Here is the solution:\n```python\n{PROGRAM}```\nIt reads all numbers and sums them."
    assert extract_code(text) == ExtractResult(code=PROGRAM)


def test_fence_without_language_tag():
    assert extract_code(f"```\n{PROGRAM}```").code == PROGRAM


def test_unterminated_fence_is_read_to_the_end():
    assert extract_code(f"Here:\n```python\n{PROGRAM}").code == PROGRAM


def test_main_wrapper_is_kept():
    assert 'if __name__ == "__main__":\n    main()' in extract_code(f"```py\n{PROGRAM}```").code


def test_several_blocks_prefer_the_whole_program():
    text = ("First a helper:\n```python\ndef helper(x):\n    return x * 2\n```\n"
            "Full program:\n```python\nn = int(input())\nprint(n * 2)\n```\n"
            "Example usage:\n```\n$ echo 3 | python sol.py\n```")
    assert extract_code(text).code == "n = int(input())\nprint(n * 2)\n"


def test_several_blocks_prefer_the_entry_point():
    text = ("```python\ndef helper(x):\n    return x + 1\n\nprint(helper(3))\n```\n"
            "```python\ndef add(a, b):\n    return a + b\n```")
    assert extract_code(text, entry_point="add").code == "def add(a, b):\n    return a + b\n"


def test_no_fence_leading_and_trailing_prose_dropped():
    text = "Here is my code:\nimport sys\nprint(int(sys.stdin.readline()) + 1)\nThis prints n+1."
    assert extract_code(text).code == "import sys\nprint(int(sys.stdin.readline()) + 1)\n"


def test_garbage_gives_no_candidate_with_reason():
    assert extract_code("I am sorry, I cannot help with that.") == ExtractResult(
        reason="no Python program found in the answer")


def test_invalid_python_block_is_rejected():
    assert extract_code("```python\nprint((1\n```") == ExtractResult(reason="no fenced block is valid Python")


def test_block_in_other_language_is_rejected():
    assert extract_code("```bash\nls -la\n```") == ExtractResult(
        reason="fenced blocks are tagged ['bash'], not Python")


def test_cpp_block_and_unfenced_cpp():
    code = "#include <iostream>\nint main() {\n    int a, b;\n    std::cin >> a >> b;\n    std::cout << a + b;\n}\n"
    assert extract_code(f"```cpp\n{code}```", "cpp").code == code
    assert extract_code(f"Solution:\n{code}Done.", "cpp").code == code
    assert extract_code("no code here", "cpp").code is None


_names = st.sampled_from(["a", "b", "n", "total", "x1", "value"])
_statements = st.one_of(
    st.builds(lambda v, k: f"{v} = {k}", _names, st.integers(-1000, 1000)),
    st.builds(lambda v: f"print({v})", _names),
    st.builds(lambda v: f"{v} = int(input())", _names),
    st.builds(lambda v, k: f"for i in range({k}):\n    print(i, {v})", _names, st.integers(0, 9)),
)
_programs = st.lists(_statements, min_size=1, max_size=8).map(lambda lines: "\n".join(lines) + "\n")
_prose = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Zs"), whitelist_characters=".,!:"),
                 max_size=80).map(lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(program=_programs, before=_prose, after=_prose, tag=st.sampled_from(["python", "py", "", "Python3"]))
def test_fenced_program_round_trips(program, before, after, tag):
    text = f"{before}\n```{tag}\n{program}```\n{after}"
    assert extract_code(text).code == program


@settings(max_examples=150, deadline=None)
@given(program=_programs)
def test_unfenced_program_round_trips(program):
    assert extract_code(program).code == program


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_gives_parseable_code_or_a_reason(text):
    result = extract_code(text)
    if result.code is None:
        assert result.reason != ""
    else:
        ast.parse(result.code)
        assert result.reason == ""


def test_an_answer_cut_at_the_program_stop_still_gives_its_program():
    from archon_code.extract import PROGRAM_STOP, ends_in_open_fence, looks_whole

    answer = f"Here:\n```python\n{PROGRAM}```\n\nIt reads n and prints twice n.\n```python\nassert 1\n```\n"
    cut = answer[:answer.index(PROGRAM_STOP[0])]
    assert ends_in_open_fence(cut) and not ends_in_open_fence(answer) and not ends_in_open_fence(answer + "x")
    assert extract_code(cut).code == extract_code(answer).code == PROGRAM
    assert looks_whole(PROGRAM, "py", None) and not looks_whole("def helper():\n    return 1\n", "py", None)
    assert looks_whole("def f(x):\n    return x\n", "py", "f") and not looks_whole(PROGRAM, "py", "f")
    assert looks_whole("int main() { return 0; }\n", "cpp", None)
