"""Prose docstring examples -> public asserts (archon_code.problems.prose_examples)."""

import ast

import pytest

from hypothesis import given, settings, strategies as st

from archon_code.problems.doctests import docstring_asserts
from archon_code.problems.prose_examples import prose_examples, signature_of


def _prompt(signature: str, body: str) -> str:
    lines = "\n".join("    " + ln for ln in body.strip("\n").splitlines())
    return f'def {signature}:\n    """\n{lines}\n    """\n'


def test_inline_separators_and_bullets():
    prompt = _prompt("tally(word)", """
Count the letters.
For example:
tally('abc') returns 3
tally('') should return 0.
* tally('zz') -> 2
- tally('q')==>1
tally('xyz')   # returns 3
for tally('ab') == 2
assert tally('abcd') => 4
""")
    assert docstring_asserts(prompt, "tally") == [
        "assert (tally('abc')) == 3", "assert (tally('')) == 0", "assert (tally('zz')) == 2",
        "assert (tally('q')) == 1", "assert (tally('xyz')) == 3", "assert (tally('ab')) == 2",
        "assert (tally('abcd')) == 4"]


def test_prose_booleans_and_sentence_full_stop():
    prompt = _prompt("odd(n)", "odd(3) => true\nodd(4) => False\nodd(5) should return True.")
    assert prose_examples(prompt, "odd") == [("odd(3)", "True"), ("odd(4)", "False"), ("odd(5)", "True")]
    # "should be 2." is the integer 2 at the end of a sentence, compared exactly
    prompt = _prompt("half(n)", "For n = 4 the output should be 2.")
    assert docstring_asserts(prompt, "half") == ["assert (half(n=4)) == 2"]


def test_for_the_output_should_be_forms():
    prompt = _prompt("cut(s, c)", """
For s = "hello", c = "l", the result should be ('heo', False)
For s = "abba", c = "b"  the result should be ('aa', True)
""")
    assert docstring_asserts(prompt, "cut") == ["assert (cut(s='hello', c='l')) == ('heo', False)",
                                                "assert (cut(s='abba', c='b')) == ('aa', True)"]
    # prose between the arguments and "the output": the longest leading run that parses
    prompt = _prompt("digits(N)", 'For N = 120, the digit sum is 3 the output should be "11".')
    assert docstring_asserts(prompt, "digits") == ["assert (digits(N=120)) == '11'"]


def test_input_output_pairs():
    prompt = _prompt("pick(arr)", """
Example 1:
    Input: [7, 2, 9]
    Output: [2, 1]
    Explanation: 2 is the smallest.
Example 2:
    Input: []
    Output: []
""")
    assert docstring_asserts(prompt, "pick") == ["assert (pick([7, 2, 9])) == [2, 1]", "assert (pick([])) == []"]
    prompt = _prompt("top(arr, k)", "Input: arr = [3, 1, 2], k = 2\nOutput: 5 # 3 + 2")
    assert docstring_asserts(prompt, "top") == ["assert (top(arr=[3, 1, 2], k=2)) == 5"]
    # an Input line with nothing usable after it, or no Output line next, gives nothing
    assert prose_examples(_prompt("top(arr, k)", "Input:\n  arr = [1]\nOutput: 1"), "top") == []
    assert prose_examples(_prompt("pick(arr)", "Input: [1]\n\n\n\nOutput: [1]"), "pick") == []


def test_arithmetic_explanation_must_hold():
    prompt = _prompt("left(s, n)", 'left("2 red and 3 blue", 10) -> 10 - 2 - 3 = 5\n'
                                   'left("1 red and 1 blue", 4) -> 4 - 1 - 1 = 3')
    assert docstring_asserts(prompt, "left") == ["assert (left('2 red and 3 blue', 10)) == 5"]


def test_recurrence_next_to_the_function_is_not_a_test():
    # "=" lines that mix a number and a list describe a sequence, not the function's result
    prompt = _prompt("seq(n)", """
seq(1) = 2
seq(n) = seq(n - 1) + 1
For example:
seq(2) = 3
seq(2) = [2, 3]
""")
    assert docstring_asserts(prompt, "seq") == []
    # the same "=" shape with one kind of value is kept
    prompt = _prompt("pick_even(a, b)", "pick_even(3, 9) = 8\npick_even(5, 4) = -1")
    assert docstring_asserts(prompt, "pick_even") == ["assert (pick_even(3, 9)) == 8", "assert (pick_even(5, 4)) == -1"]
    # stronger separators may mix kinds: a function can return -1 or a string by design
    prompt = _prompt("avg_bin(a, b)", 'avg_bin(1, 3) => "0b10"\navg_bin(4, 1) => -1')
    assert docstring_asserts(prompt, "avg_bin") == ["assert (avg_bin(1, 3)) == '0b10'", "assert (avg_bin(4, 1)) == -1"]


def test_one_call_with_two_values_is_dropped():
    prompt = _prompt("g(x)", "g(1) returns 2\ng(1) returns 3\ng(2) returns 4")
    assert docstring_asserts(prompt, "g") == ["assert (g(2)) == 4"]


def test_calls_that_cannot_be_tests_are_skipped():
    prompt = _prompt("happy(s, k=1)", """
happy(a) => False
happy('ab', 1, 2) => True
happy() => True
happy(s='x', q=1) => True
unhappy('ab') => True
obj.happy('ab') => True
happy('ok') => <object>
happy('ok', k=2) => True
""")
    # free names, too many / too few arguments, unknown keywords, other functions, methods,
    # values that are not literals: only the last line is a test
    assert docstring_asserts(prompt, "happy") == ["assert (happy('ok', k=2)) == True"]


def test_signature_of():
    sig = signature_of("def f(a, b=1, *rest):\n    pass\n", "f")
    assert (sig.names, sig.required, sig.varargs) == (("a", "b"), 1, True)
    assert signature_of("def f(:\n", "f") is None
    assert signature_of("def g(a):\n    pass\n", "f") is None


def test_brackets_inside_strings_do_not_end_the_call():
    prompt = _prompt("wrap(s)", "wrap('(a)') returns '[(a)]'\nwrap(')') returns '[)]'")
    assert docstring_asserts(prompt, "wrap") == ["assert (wrap('(a)')) == '[(a)]'", "assert (wrap(')')) == '[)]'"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_valid_asserts_and_never_raises(body):
    prompt = _prompt("f(x)", body.replace('"""', "'''"))
    for text in docstring_asserts(prompt, "f"):
        tree = ast.parse(text)
        assert isinstance(tree.body[0], ast.Assert)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-10**6, 10**6), max_size=6), st.integers(-10**6, 10**6),
       st.sampled_from(["returns", "->", "==>", "=>", "==", "should return", "➞"]))
def test_written_examples_round_trip(arg, value, sep):
    prompt = _prompt("f(x)", f"f({arg!r}) {sep} {value!r}")
    assert prose_examples(prompt, "f") == [(f"f({arg!r})", repr(value))]


def _within(seconds: int):
    """Fail (instead of hanging the suite) when the block runs longer than ``seconds``."""
    import signal

    def _alarm(*_):
        raise TimeoutError(f"took longer than {seconds} s")

    class _Guard:
        def __enter__(self):
            self.old = signal.signal(signal.SIGALRM, _alarm)
            signal.alarm(seconds)

        def __exit__(self, *exc):
            signal.alarm(0)
            signal.signal(signal.SIGALRM, self.old)

    return _Guard()


@pytest.mark.parametrize("body", [
    "f(" * 500_000,                                              # one line of unclosed calls
    ("f(" * 900 + "\n") * 2_000,                                  # many long lines of them
    "f(1) returns 2 " * 100_000,                                  # a million-character example line
    "For x = " + "1," * 500_000 + " the output should be 2",      # a For-line with 500k pieces
    ("For x = " + "[1," * 600 + " the output should be 2\n") * 300,
    ("Input: " + "(1," * 600 + "\nOutput: 1\n") * 300,
    ">>> f(1)\n2\n" * 100_000,
])
def test_hostile_prompts_finish_quickly(body):
    # each of these took from 40 s to several minutes before the line, prompt and example caps
    prompt = _prompt("f(x)", body)
    with _within(20):
        asserts = docstring_asserts(prompt, "f")
    assert len(asserts) <= 1
