"""Round-4 red-team attacks on the sandbox and the host-side judging.

Same rules as tests/sandbox/test_redteam.py: one container (``workers=1``); each test
asserts the behaviour a correct judge has, so it FAILS while the hole is open.
"""

from __future__ import annotations

import os
import textwrap
import time

import pytest

from archon_code.judge import Judge
from archon_code.types import Candidate, Checker, Problem, TestCase, Verdict
from tests.sandbox.test_redteam import box, honest_after, one, py  # noqa: F401 - box and one are fixtures
from tests.sandbox.test_redteam_round3 import claiming

pytestmark = pytest.mark.docker


# -- 1. one printed token costs the host quadratic regex time (float checker) --------------

FLOAT = Problem(id="half", statement="print n / 2", time_limit_s=2.0, memory_limit_mb=128,
                checker=Checker(type="float", abs_tol=1e-6, rel_tol=1e-6),
                public_tests=(TestCase(input="3", output="1.5"),))


def test_a_long_digit_token_is_not_a_host_time_bomb_for_the_float_checker(one):
    # checkers._NUMBER is  [+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?  and compare_float calls
    # _NUMBER.fullmatch on EVERY actual token. On "111...1x" the optional '.' lets \d+ and
    # \d* split the digits in n ways, each tried to the end: O(n^2) inside sre, GIL held
    # (every judging thread and the watchdog timers of the process stall). 30 000 digits:
    # ~14 s; one 1 MiB token (well under the 32 MiB output limit): ~5 hours.
    n = 30_000
    source = f"import sys\nsys.stdout.write('1' * {n} + 'x')\n"
    start = time.monotonic()
    result = one.judge(FLOAT, Candidate(id="redos", source=source), FLOAT.public_tests)
    spent = time.monotonic() - start
    assert result.verdict is Verdict.WA
    assert spent < 5.0, f"the host spent {spent:.1f} s comparing one {n}-character token"
    honest_after(one)


# -- 2. custom-checker outputs pile up on the HOST's disk: tests x output limit ------------

ANY_CHECKER = textwrap.dedent("""
    import sys
    sys.exit(0 if open(sys.argv[3]).read(1) == 'y' else 1)
""")
CUSTOM = Problem(id="anyy", statement="", time_limit_s=2.0, memory_limit_mb=128,
                 checker=Checker(type="custom", program=ANY_CHECKER),
                 public_tests=tuple(TestCase(input=str(i), output="y") for i in range(4)))


class _SpoolSpy:
    """The sandbox the judge sees: notes how many bytes of candidate output wait on the
    host's disk (the judge's spool folder) when the checker job is sent, and whether the
    slot folder holds them again as copies (another inode) or as second names."""

    def __init__(self, inner):
        self.inner, self.peak, self.copies = inner, 0, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def run_job(self, job, files_dir=None, keep=None):
        if job.input_files:
            spool = {os.path.dirname(str(p)) for p in job.input_files.values()}
            held = sum(os.path.getsize(os.path.join(d, f)) for d in spool for f in os.listdir(d))
            self.peak = max(self.peak, held)
        result = self.inner.run_job(job, files_dir=files_dir, keep=keep)
        if job.input_files:
            [slot] = self.inner._all
            self.copies += sum(os.stat(src).st_ino != os.stat(slot.in_dir / "in" / name).st_ino
                               for name, src in job.input_files.items())
        return result


def test_custom_checker_outputs_are_not_held_twice_on_the_host_disk(box):
    # Judge._judge_stdio writes every test's full output (up to output_bytes = 32 MiB each)
    # to a host temp folder for the checker job; write_job_dir then COPIED them all again
    # into the container's /in bind-mount folder: 2 x tests x 32 MiB of host disk per
    # candidate. Now the slot folder links them (one copy). What stays (tests x the output,
    # while one candidate is checked) is written down in docs/sandbox.md.
    size = 6 << 20
    spy = _SpoolSpy(box)
    judge = Judge(spy)
    source = f"import sys\nsys.stdout.write('y' * {size})\n"
    result = judge.judge(CUSTOM, Candidate(id="pile", source=source), CUSTOM.public_tests)
    assert result.verdict is Verdict.AC
    assert spy.copies == 0, f"{spy.copies} spooled outputs copied a second time into the slot folder"
    assert spy.peak <= len(CUSTOM.public_tests) * size + (64 << 10)


# -- 3. claimed ints: the restricted evaluator's % and // are unbounded --------------------

MOD = Problem(id="mod", statement="def f(n)", style="function", entry_point="f", time_limit_s=2.0,
              public_tests=(TestCase(input="assert f(2) % f(1) == 0"),))


def test_claimed_huge_ints_do_not_stall_the_host_evaluator(one):
    # limits.check_binop bounds *, ** and << (MAX_BITS = 2**20) but not % or //. Each claimed
    # value may be a 16M-bit int (4M hex digits within the codec's budget, one budget per
    # call), and CPython 3.11's long division is schoolbook O(n*m): f(2) % f(1) with
    # 16M- and 8M-bit claims costs ~80 s of host CPU, GIL held, per assert; here 6M / 3M bits.
    source = claiming("""
        a, b = (1 << 6_000_000) - 12345, (1 << 3_000_000) - 777
        text = '{"i":0,"value":{"$i":"%x"}}\\n{"i":1,"value":{"$i":"%x"}}\\n{"done":2}\\n' % (a, b)
    """)
    start = time.monotonic()
    result = one.judge(MOD, Candidate(id="bigmod", source=source), MOD.public_tests)
    spent = time.monotonic() - start
    assert result.verdict is not Verdict.AC
    assert spent < 3.0, f"the host spent {spent:.1f} s evaluating one assert on claimed ints"
    honest_after(one)
