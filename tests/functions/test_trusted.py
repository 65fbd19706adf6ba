"""Trusted check code decided on the host: discovery rounds, then a strict replay."""

from __future__ import annotations

import time

import pytest

from archon_code.functions import Call, CallOutcome, TrustedCheck, UncheckableTest

LOOP = '''
METADATA = {"author": "tests"}

def check(candidate):
    for n in range(5):
        assert candidate(n) == n * n, n
    assert candidate(-3) == 9
'''
RANDOM = '''
import random

def check(candidate):
    for _ in range(20):
        a, b = random.randint(-50, 50), random.randint(-50, 50)
        assert candidate(a, b) == a + b
    rng = random.Random()
    x = rng.random()
    assert abs(candidate(x, 1.0) - (x + 1.0)) < 1e-9
'''
HELPER = '''
def _shift(s, k):
    return "".join(chr((ord(c) - 97 + k) % 26 + 97) for c in s)

def check(candidate):
    for word in ["abc", "xyz", "hello"]:
        assert candidate(_shift(word, 3)) == word
'''
PRELUDE = '''
import math

def poly(xs, x):
    return sum(c * math.pow(x, i) for i, c in enumerate(xs))

def find_zero(xs):
    """A root of the polynomial xs."""
'''
FIND_ZERO = '''
import math, random, copy

def check(candidate):
    rng = random.Random(7)
    for _ in range(30):
        coeffs = [rng.randint(-9, 9) or 1 for _ in range(2 * rng.randint(1, 3))]
        solution = candidate(copy.deepcopy(coeffs))
        assert math.fabs(poly(coeffs, solution)) < 1e-4
'''
CHAIN = '''
def check(candidate):
    x = candidate(1)
    y = candidate(x)
    assert candidate(x + y) == 13
'''


def judge(harness, solution: str, test: str, entry: str, prelude: str = "") -> tuple[bool, str]:
    return harness.judge(solution, f"{test}\ncheck({entry})\n", entry, trusted=True, prelude=prelude)


def test_a_loop_check_passes_an_honest_function_and_fails_a_wrong_one(harness) -> None:
    assert judge(harness, "def sq(n):\n    return n * n\n", LOOP, "sq") == (True, "")
    assert judge(harness, "def sq(n):\n    return n * n if n != 3 else 10\n", LOOP, "sq") == (
        False, "line 6: assert candidate(n) == n * n, n failed (AssertionError: 3)")
    assert judge(harness, "def sq(n):\n    return n * n if n >= 0 else -n * n\n", LOOP, "sq") == (
        False, "line 7: assert candidate(-3) == 9 failed (AssertionError)")


def test_random_inputs_are_the_same_in_every_run(harness) -> None:
    check = TrustedCheck(f"{RANDOM}\ncheck(add)\n", "add")
    first = check.next_calls([])
    assert len(first) == 21 and first == TrustedCheck(f"{RANDOM}\ncheck(add)\n", "add").next_calls([])
    assert judge(harness, "def add(a, b):\n    return a + b\n", RANDOM, "add") == (True, "")
    assert judge(harness, "def add(a, b):\n    return a + b + (a > 25)\n", RANDOM, "add")[0] is False
    assert judge(harness, "def add(a, b):\n    return round(a + b, 3)\n", RANDOM, "add") == (
        False, "line 10: assert abs(candidate(x, 1.0) - (x + 1.0)) < 1e-9 failed (AssertionError)")


def test_a_helper_function_of_the_check_runs_on_the_host(harness) -> None:
    good = "def decode(s):\n    return ''.join(chr((ord(c) - 97 - 3) % 26 + 97) for c in s)\n"
    assert judge(harness, good, HELPER, "decode") == (True, "")
    assert judge(harness, "def decode(s):\n    return s\n", HELPER, "decode") == (
        False, "line 7: assert candidate(_shift(word, 3)) == word failed (AssertionError)")


def test_a_find_zero_check_uses_the_result_in_arithmetic(harness) -> None:
    solution = PRELUDE + '''
    lo, hi = -1.0, 1.0
    while poly(xs, lo) * poly(xs, hi) > 0:
        lo, hi = lo * 2, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if poly(xs, lo) * poly(xs, mid) <= 0:
            hi = mid
        else:
            lo = mid
    return lo
'''
    assert judge(harness, solution, FIND_ZERO, "find_zero", prelude=PRELUDE) == (True, "")
    assert judge(harness, PRELUDE + "    return 0.0\n", FIND_ZERO, "find_zero", prelude=PRELUDE) == (
        False, "line 9: assert math.fabs(poly(coeffs, solution)) < 1e-4 failed (AssertionError)")
    assert judge(harness, PRELUDE + "    return 'root'\n", FIND_ZERO, "find_zero", prelude=PRELUDE)[0] is False


def test_calls_whose_args_depend_on_earlier_results_come_in_later_rounds() -> None:
    check = TrustedCheck(f"{CHAIN}\ncheck(f)\n", "f")
    double = {}  # f(n) = 2n + 1: f(1) = 3, f(3) = 7, f(10) = 21 != 13

    def answer(calls: tuple[Call, ...], start: int) -> list[CallOutcome]:
        return [CallOutcome(index=start + i, status="value", value=double.get(c.args[0], 2 * c.args[0] + 1))
                for i, c in enumerate(calls)]

    outcomes: list[CallOutcome] = []
    rounds = []
    while calls := check.next_calls(outcomes):
        rounds.append([c.args for c in calls])
        outcomes += answer(calls, len(outcomes))
    assert rounds == [[(1,)], [(3,)], [(10,)]]
    assert check.verdict(outcomes) == (False, "line 5: assert candidate(x + y) == 13 failed (AssertionError)")
    right = outcomes[:2] + [CallOutcome(index=2, status="value", value=13)]
    assert check.verdict(right) == (True, "")


def test_recorded_exceptions_are_replayed_by_type() -> None:
    code = "def check(c):\n    try:\n        c(-1)\n    except ValueError:\n        pass\n    else:\n" \
           "        assert False\n    assert c(2) == 2\ncheck(f)\n"
    check = TrustedCheck(code, "f")
    assert [c.args for c in check.next_calls([])] == [(-1,), (2,)]
    assert check.next_calls([CallOutcome(index=0, status="value", value=0),
                             CallOutcome(index=1, status="value", value=2)]) == ()
    raised = [CallOutcome(index=0, status="error", detail="ValueError: negative"),
              CallOutcome(index=1, status="value", value=2)]
    assert check.verdict(raised) == (True, "")
    wrong = [CallOutcome(index=0, status="error", detail="KeyError: 'x'"), raised[1]]
    assert check.verdict(wrong) == (False, "f(-1) raised KeyError: 'x' (line 3: c(-1) failed)")
    gone = [CallOutcome(index=0, status="missing"), raised[1]]
    assert check.verdict(gone) == (
        False, "f(-1) gave no result (the program stopped before this call) (line 3: c(-1) failed)")


def test_the_strict_run_fails_a_call_that_was_never_recorded() -> None:
    check = TrustedCheck("assert f(1) == 1\nassert f(2) == 2\n", "f")
    check.calls.append(Call.of(1))
    assert check.verdict([CallOutcome(index=0, status="value", value=1)]) == (
        False, "line 2: assert f(2) == 2 failed (RuntimeError: the check made a call that has no recorded result)")


def test_a_check_that_never_ends_is_killed_and_fails() -> None:
    check = TrustedCheck("while True:\n    pass\n", "f", timeout_s=1.0)
    start = time.monotonic()
    assert check.next_calls([]) == ()
    assert check.verdict([]) == (False, "the check did not finish within 1 s of CPU on the recorded results")
    assert time.monotonic() - start < 8


def test_a_check_stalled_by_the_machine_is_an_infrastructure_error_not_a_wrong_answer() -> None:
    """The check's budget is CPU time: a check that waits past the wall bound (here it sleeps,
    as a check on a stalled machine would make no progress) is no verdict at all."""
    from archon_code.errors import SandboxError

    check = TrustedCheck("import time\ntime.sleep(30)\n", "f", timeout_s=0.5)
    start = time.monotonic()
    with pytest.raises(SandboxError, match="too loaded to check"):
        check.verdict([])
    assert time.monotonic() - start < 20


def test_discovery_is_bounded_in_rounds_and_calls() -> None:
    growing = TrustedCheck("n = 0\nwhile True:\n    n = f(n)\n", "f", max_rounds=3)
    outcomes: list[CallOutcome] = []
    while calls := growing.next_calls(outcomes):
        outcomes += [CallOutcome(index=len(outcomes) + i, status="value", value=c.args[0] + 1)
                     for i, c in enumerate(calls)]
    assert growing.rounds == 3 and [c.args for c in growing.calls] == [(0,), (1,), (2,)]
    many = TrustedCheck("for i in range(10 ** 9):\n    f(i)\n", "f", max_calls=50)
    assert len(many.next_calls([])) == 50
    assert many.next_calls([CallOutcome(index=i, status="value", value=None) for i in range(50)]) == ()


def test_non_plain_arguments_make_the_check_uncheckable() -> None:
    check = TrustedCheck("def check(c):\n    assert c(lambda x: x) == 1\ncheck(f)\n", "f")
    with pytest.raises(UncheckableTest, match="the check passes a function to f, not plain data"):
        check.next_calls([])


def test_the_proxy_looks_like_the_entry_point() -> None:
    check = TrustedCheck("assert f.__name__ == 'f'\nassert f(1) == 1\n", "f")
    assert [c.args for c in check.next_calls([])] == [(1,)]
    assert check.verdict([CallOutcome(index=0, status="value", value=1)]) == (True, "")


def test_string_hashing_is_the_same_in_every_run(harness) -> None:
    code = "for w in {'apple', 'pear', 'fig', 'kiwi', 'plum', 'lime'}:\n    assert size(w) == len(w)\n"
    orders = {tuple(c.args for c in TrustedCheck(code, "size").next_calls([])) for _ in range(3)}
    assert len(orders) == 1 and sorted(next(iter(orders))) == [("apple",), ("fig",), ("kiwi",), ("lime",),
                                                                 ("pear",), ("plum",)]
    assert harness.judge("def size(w):\n    return len(w)\n", code, "size", trusted=True) == (True, "")
