"""The real harness, run as a subprocess on the host, against honest and hostile solutions.

Whatever a solution does inside its own process, the host only ever reads plain data
from the harness's private channel and decides with the test's own comparison: none of
these wrong functions may pass.
"""

from __future__ import annotations

import pytest

from archon_code.functions import Call

ASSERTS = "assert add(2, 3) == 5\nassert add(-4, 4) == 0\n"
CHECK = "def check(candidate):\n    for a in range(3):\n        assert candidate(a, 2) == a + 2\ncheck(add)\n"
WRONG = "def add(a, b):\n    return a * b\n"

HOSTILE = {
    "exit at import": "import os\n" + WRONG + "os._exit(0)\n",
    "sys.exit at import": "import sys\n" + WRONG + "sys.exit(0)\n",
    "exit in the call": "import os\ndef add(a, b):\n    os._exit(0)\n",
    "SystemExit in the call": "def add(a, b):\n    raise SystemExit(0)\n",
    "excepthook": "import sys, os\nsys.excepthook = lambda *a: os._exit(0)\n" + WRONG,
    "atexit": "import atexit, os\natexit.register(lambda: os._exit(0))\n" + WRONG,
    "fake lines on stdout": 'print(\'{"i": 0, "value": 5}\\n{"i": 1, "value": 0}\\n{"done": 2}\')\n'
                            'def add(a, b):\n    print(\'{"i": 0, "value": 5}\', flush=True)\n    return a * b\n',
    "fake lines on fd 1": 'import os\nos.write(1, b\'{"i": 0, "value": 5}\\n{"done": 2}\\n\')\n' + WRONG,
    "garbage on the channel": "import os\nfor fd in range(3, 1024):\n    try:\n        os.write(fd, b'{\"i\": 0}\\n')\n"
                              "    except OSError:\n        pass\n" + WRONG,
    "done too early on the channel": "import os\ntry:\n    os.write(1000, b'{\"done\": 2}\\n')\nexcept OSError:\n"
                                     "    pass\n" + WRONG,
    "channel closed": "import os\nfor fd in range(3, 1024):\n    try:\n        os.close(fd)\n    except OSError:\n"
                      "        pass\n" + WRONG,
    "int subclass with __eq__": "class Yes(int):\n    def __eq__(self, other):\n        return True\n"
                                "    __hash__ = int.__hash__\ndef add(a, b):\n    return Yes(a * b)\n",
    "object equal to everything": "class Any:\n    def __eq__(self, other):\n        return True\n"
                                  "def add(a, b):\n    return Any()\n",
    "list subclass": "class L(list):\n    def __eq__(self, o):\n        return True\ndef add(a, b):\n    return L()\n",
    "patched builtins": "import builtins, json, math\nbuiltins.isinstance = lambda *a: True\n"
                        "builtins.type = lambda *a: int\nbuiltins.format = lambda *a: '5'\n"
                        "json.dumps = lambda *a, **k: '{\"i\": 0, \"value\": 5}'\nmath.isfinite = lambda x: True\n" + WRONG,
    "patched harness globals": "import sys\nfor m in list(sys.modules.values()):\n"
                               "    if hasattr(m, 'encode') and hasattr(m, 'Unserializable'):\n"
                               "        m.encode = lambda v, *a: 5\n" + WRONG,
    "self-referencing result": "def add(a, b):\n    x = []\n    x.append(x)\n    return x\n",
    "huge result": "def add(a, b):\n    return 'x' * 50_000_000\n",
    "hostile exception": "class E(Exception):\n    def __str__(self):\n        raise E()\n"
                         "def add(a, b):\n    raise E()\n",
    "generator": "def add(a, b):\n    yield a + b\n",
}


def test_an_honest_solution_passes_both_kinds_of_test(harness) -> None:
    honest = "import sys\nprint('noise')\nprint('more', file=sys.stderr)\ndef add(a, b):\n    print(a, b)\n" \
             "    return a + b\nif __name__ == '__main__':\n    print('main ran')\n"
    assert harness.judge(honest, ASSERTS, "add") == (True, "")
    assert harness.judge(honest, CHECK, "add", trusted=True) == (True, "")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_solutions_never_pass(harness, name: str) -> None:
    assert harness.judge(HOSTILE[name], ASSERTS, "add")[0] is False
    assert harness.judge(HOSTILE[name], CHECK, "add", trusted=True)[0] is False


def test_what_the_host_reads_for_each_kind_of_outcome(harness) -> None:
    solution = "def f(x):\n    if x == 0:\n        raise ValueError('zero')\n    if x == 1:\n" \
               "        return (i for i in ())\n    if x == 2:\n        return {1: b'a', (2,): {3.5}}\n" \
               "    return x\n"
    report = harness.run(solution, "f", [Call.of(0), Call.of(1), Call.of(2), Call.of(10 ** 30)])
    assert report.done is True and report.protocol_error is None and report.load_error is None
    assert [o.describe() for o in report.outcomes] == [
        "raised ValueError: zero", "returned something that is not plain data (generator)",
        "returned {1: b'a', (2,): {3.5}}", f"returned {10 ** 30}"]
    assert harness.judge("def f(:\n", "assert f(1) == 1", "f") == (
        False, "load error: SyntaxError: invalid syntax (sol.py, line 1)")
    assert harness.judge("x = 1\n", "assert f(1) == 1", "f") == (False, "load error: NameError: name 'f' is not defined")


def test_each_call_gets_fresh_arguments(harness) -> None:
    solution = "def f(xs):\n    xs.append(1)\n    return len(xs)\n"
    assert harness.judge(solution, "assert f([0]) == 2\nassert f([0]) == 2\n", "f") == (True, "")


def test_stdin_is_empty_and_prints_never_reach_the_channel(harness) -> None:
    solution = "import sys\ndata = sys.stdin.read()\ndef f():\n    print('{\"i\": 0, \"value\": 1}')\n    return data\n"
    report = harness.run(solution, "f", [Call.of()])
    assert [o.value for o in report.outcomes] == [""] and report.protocol_error is None


def test_every_plain_type_survives_the_process_boundary(harness) -> None:
    import math

    value = ["\ud800 lone", -0.0, float("nan"), float("-inf"), 10 ** 100, -(2 ** 70), b"\x00\xff",
             (1, (2.5,)), {frozenset({1, "a"}): {None: True}}, {3, "x"}, frozenset(), ""]
    report = harness.run("def echo(*args, **kwargs):\n    return [list(args), kwargs]\n", "echo",
                         [Call.of(*value, key=value)])
    args, kwargs = report.outcomes[0].value
    assert report.done and args[0] == "\ud800 lone" and math.copysign(1, args[1]) == -1 and math.isnan(args[2])
    assert args[3:] == value[3:] and [type(a) for a in args] == [type(v) for v in value]
    assert kwargs["key"][3:] == value[3:]
