"""Statement detection: interactive, several answers, float tolerance; docstring examples."""

from __future__ import annotations

import pytest

from archon_code.problems.detect import accepts_several_answers, detect_checker, float_tolerance, is_interactive
from archon_code.problems.doctests import docstring_asserts, example_assert
from archon_code.types import Checker


@pytest.mark.parametrize("text, expected", [
    ("This is an interactive problem.", True),
    ("Input\n...\nInteraction\nYou may ask queries.", True),
    ("After printing a query do not forget to output end of line and flush the output.", True),
    ("Use fflush(stdout).", True),
    ("Read n integers and print their interaction energy sum.", False),
])
def test_interactive(text, expected):
    assert is_interactive(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("If there are multiple answers, print any of them.", True),
    ("If there are several solutions, output any of them.", True),
    ("If there is more than one possible answer, you may output any.", True),
    ("If the first player wins, print any winning first move.", True),
    ("You can print the edges in any order.", True),
    ("It is possible that there are many of them. In such a case, output the smallest one.", False),
    ("He solves them in order without skipping any of them.", False),
])
def test_several_answers(text, expected):
    assert accepts_several_answers(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("Your answer is correct if its absolute or relative error does not exceed 10^{-6}.", 1e-6),
    ("considered correct if the absolute or relative error doesn't exceed 10 - 9.", 1e-9),
    ("Relative or absolute error should not be greater than 10^-4.", 1e-4),
    ("The absolute or relative measure of the inaccuracy of your answer should not exceed 1e-5.", 1e-5),
    ("Print the answer with absolute error at most one cent.", 1e-6),
    ("Print the answer modulo 10^9 + 7.", None),
])
def test_float_tolerance(text, expected):
    assert float_tolerance(text) == expected


def test_detect_checker_combines():
    text = "Print any of them. The absolute or relative error must not exceed 10^{-3}."
    assert detect_checker(text) == (Checker(type="float", abs_tol=1e-3, rel_tol=1e-3), ("multiple-answers",))
    assert detect_checker("Print the sum.") == (Checker(), ())


@pytest.mark.parametrize("call, expected, out", [
    ("f(1, 'a')", "[1, 2]", "assert (f(1, 'a')) == [1, 2]"),
    ("f(2.5)", "0.5", "assert abs((f(2.5)) - (0.5)) < 1e-6"),
    ("f([])", "None", "assert (f([])) is None"),
    ("f(x)", "1", None),
    ("print(f(1))", "1", None),
    ("f(1)", "<object at 0x1>", None),
    ("x = f(1)", "1", None),
    ("f(1)", "", None),
    ('f("a.txt") #', "'Yes'", "assert (f('a.txt')) == 'Yes'"),
    ("f( 1 ,2 )", "(1,2)", "assert (f(1, 2)) == (1, 2)"),
])
def test_example_assert(call, expected, out):
    assert example_assert(call, expected) == out


def test_docstring_asserts_both_styles():
    prompt = ('def f(a):\n    """Doc.\n    >>> f(1)\n    2\n    >>> f(1)\n    2\n\n    Examples:\n'
              '    f(3) == 4\n    f(5) ➞ 6\n    f(7) -> 7 + 1 = 8\n    f(9) -> 9 + 1 = 11\n    """\n')
    # an arithmetic explanation is accepted only when it holds (7 + 1 = 8, not 9 + 1 = 11)
    assert docstring_asserts(prompt, "f") == ["assert (f(1)) == 2", "assert (f(3)) == 4", "assert (f(5)) == 6",
                                              "assert (f(7)) == 8"]
    assert docstring_asserts(prompt) == ["assert (f(1)) == 2"]


def test_docstring_multiline_expected_value():
    prompt = '    >>> f(2)\n    [1,\n     2]\n    """'
    assert docstring_asserts(prompt) == ["assert (f(2)) == [1, 2]"]
