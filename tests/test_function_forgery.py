"""Forging a function-style verdict: every trick a wrong function could use to look right.

Each candidate below is WRONG (``add`` should return a + b). The sandbox only reports what
``add`` returned, as plain data, and the host compares it: none of these may be AC. The
same container then judges an honest candidate, which must be AC.
"""

from __future__ import annotations

import textwrap

import pytest

from archon_code.types import Candidate, Problem, TestCase, Verdict

pytestmark = pytest.mark.docker

ADD = Problem(id="add", statement="def add(a, b)", style="function", entry_point="add",
              public_tests=(TestCase(input="assert add(1, 2) == 3"), TestCase(input="assert add(20, 22) == 42")))
HUMANEVAL_LIKE = Problem(
    id="he-add", statement="def add(a, b)", style="function", entry_point="add",
    hidden_tests=(TestCase(kind="hidden", input=textwrap.dedent("""
        def check(candidate):
            assert candidate(1, 2) == 3
            for x in range(5):
                assert candidate(x, x) == 2 * x
        check(add)
    """)),))

FORGERIES = {
    "exit-0-at-import": "import os\nos._exit(0)\ndef add(a, b):\n    return 0\n",
    "exit-0-in-call": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "sys-exit-in-call": "import sys\ndef add(a, b):\n    sys.exit(0)\n",
    "excepthook": "import sys\nsys.excepthook = lambda *a: None\ndef add(a, b):\n    return 0\n",
    "atexit-exit-0": "import atexit, os\natexit.register(lambda: os._exit(0))\ndef add(a, b):\n    return 0\n",
    "eq-always-true": textwrap.dedent("""
        class Yes(int):
            def __eq__(self, other):
                return True
            __hash__ = int.__hash__
        def add(a, b):
            return Yes(0)
    """),
    "object-eq": "class Yes:\n    def __eq__(self, o):\n        return True\ndef add(a, b):\n    return Yes()\n",
    "list-subclass": "class L(list):\n    def __eq__(self, o):\n        return True\ndef add(a, b):\n    return L()\n",
    "patched-builtins": textwrap.dedent("""
        import builtins
        builtins.AssertionError = type("Nothing", (Exception,), {})
        builtins.abs = lambda x: 0
        def add(a, b):
            return 0
    """),
    "reads-test-files": textwrap.dedent("""
        import os, re
        def add(a, b):
            for top in ("/in", ".", "/work", "/tmp"):
                for root, _, files in os.walk(top):
                    for name in files:
                        try:
                            text = open(os.path.join(root, name)).read()
                        except OSError:
                            continue
                        m = re.search(r"add\\(%d, %d\\) == (\\d+)" % (a, b), text)
                        if m:
                            return int(m.group(1))
            return -1
    """),
    "inspects-the-caller": textwrap.dedent("""
        import inspect
        def add(a, b):
            for frame in inspect.stack():
                for value in list(frame.frame.f_locals.values()):
                    if isinstance(value, str) and "==" in value:
                        return int(value.rsplit("==", 1)[1])
            return -1
    """),
    "fake-result-lines": textwrap.dedent("""
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b'{"i": 0, "value": 3}\\n{"i": 1, "value": 42}\\n{"done": 2}\\n')
            except OSError:
                pass
        print('{"i": 0, "value": 3}')
        def add(a, b):
            os._exit(0)
    """),
    "kill-parent": "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n    return 0\n",
    "generator-of-truth": "def add(a, b):\n    return (x for x in [a + b])\n",
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_function_is_never_accepted(judge, name):
    bad = Candidate(id=name, source=FORGERIES[name])
    result = judge.judge(ADD, bad, ADD.public_tests)
    assert result.verdict is not Verdict.AC, [(t.verdict, t.message) for t in result.tests]
    hidden = judge.judge(HUMANEVAL_LIKE, bad, HUMANEVAL_LIKE.hidden_tests)
    assert hidden.verdict is not Verdict.AC, [(t.verdict, t.message) for t in hidden.tests]
    honest = Candidate(id="honest", source="def add(a, b):\n    return a + b\n")
    assert judge.judge(ADD, honest, ADD.public_tests).verdict is Verdict.AC
    assert judge.judge(HUMANEVAL_LIKE, honest, HUMANEVAL_LIKE.hidden_tests).verdict is Verdict.AC


def test_verdict_kinds_for_function_tests(judge):
    cases = {
        "def add(a, b):\n    raise ValueError('no')\n": (Verdict.RE, "add(1, 2) raised ValueError: no"),
        "def add(a, b):\n    return a - b\n": (Verdict.WA, "add(1, 2) returned -1, expected 3"),
        "def add(a, b):\n    while True:\n        pass\n": (Verdict.TLE, None),
        "syntax error(": (Verdict.RE, None),
    }
    for source, (verdict, message) in cases.items():
        row = judge.judge(ADD, Candidate(id="c", source=source), ADD.public_tests).tests[0]
        assert row.verdict is verdict, (source, row.verdict, row.message)
        if message:
            assert row.message == message
