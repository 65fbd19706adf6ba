"""Round-3 red-team attacks on the sandbox and the host-side judging.

Same rules as tests/sandbox/test_redteam.py: one container (``workers=1``); each test
asserts the behaviour a correct judge has, so it FAILS while the hole is open.
"""

from __future__ import annotations

import textwrap
import time

import pytest

from archon_code.errors import ProblemError
from archon_code.judge import Judge
from archon_code.types import Candidate, Checker, Problem, TestCase, Verdict
from tests.test_judge import CHECKER as PAIR_CHECKER
from tests.sandbox.test_redteam import (  # noqa: F401 - box and one are fixtures
    CLEAN_VIEW, ECHO, HONEST, LOOK, PROBE, box, honest_after, look, one, py, row)

pytestmark = pytest.mark.docker


# -- 1. a candidate's output crashes a (typical) custom checker: the judge blames the problem

SPLIT = Problem(id="split", statement="two non-negative numbers summing to n", time_limit_s=2.0,
                checker=Checker(type="custom", program=PAIR_CHECKER),  # tests/test_judge.py's checker
                public_tests=(TestCase(input="10", output="5 5"),))


def batch_mates_keep_their_verdicts(judge, problem, honest, hostile, error) -> None:
    """``hostile`` judged between two copies of ``honest`` in one batch: both honest ones
    AC, the hostile one not, and no ``error`` out of the judge."""
    batch = [py(honest, "h1"), hostile, py(honest, "h2")]
    try:
        results = judge.judge_many(problem, batch, problem.public_tests)
    except error as exc:
        pytest.fail(f"one candidate took every verdict of the batch: {type(exc).__name__}: {exc}")
    verdicts = {r.candidate_id: r.verdict for r in results}
    assert (verdicts["h1"], verdicts["h2"]) == (Verdict.AC, Verdict.AC)
    assert verdicts[hostile.id] is not Verdict.AC


def test_output_that_crashes_the_checker_is_the_candidates_failure(one):
    # The checker is the one of tests/test_judge.py: fine on every well-formed answer, it
    # raises ValueError on a non-number. A wrong candidate prints a non-number; the judge
    # raises ProblemError ("custom checker crashed"): no verdict for this candidate, and in
    # judge_many (problems validate, the pipeline's voters) none for its batch-mates either.
    try:
        verdict = row(one, "print('five five')\n", SPLIT).verdict
    except ProblemError as exc:
        pytest.fail(f"a wrong candidate turned its WA into a problem error: {exc}")
    assert verdict is not Verdict.AC
    honest_after(one)


def test_one_checker_crashing_candidate_does_not_cost_its_batch(one):
    batch_mates_keep_their_verdicts(one, SPLIT, "print(5, 5)\n", py("print('x')\n", "hostile"), ProblemError)
    honest_after(one)


# -- 2. a claimed value that costs the host quadratic time to decode -----------------------

ADD = Problem(id="add", statement="def add(a, b)", style="function", entry_point="add",
              time_limit_s=2.0, public_tests=(TestCase(input="assert add(1, 2) == 3"),))


def claiming(code: str) -> str:
    """A function candidate that writes ``text`` (built by ``code``) straight onto the
    harness's result channel (fd 1000, inherited by the candidate's own code) and exits."""
    return "import os\n" + textwrap.dedent(code) + textwrap.dedent("""
        data = text.encode()
        while data:
            data = data[os.write(1000, data):]
        os._exit(0)
    """)


def test_a_claimed_set_of_colliding_ints_is_not_a_host_time_bomb(one):
    # ints n*(2**61-1) all hash to 0 in CPython. The candidate writes a set of them straight
    # onto the harness's result channel (fd 1000, inherited by the candidate's own code):
    # costing it nothing, while the HOST's decoder builds set(items) in O(n^2), holding
    # the GIL (every judging thread and watchdog timer of the process stalls).
    # n = 60_000 here (~20 s); the 8 MiB channel and the 4M-unit budget allow ~210_000
    # per value (~4 min), per call and per test.
    n = 60_000
    source = claiming(f"""
        P = (1 << 61) - 1
        items = ",".join('{{"$i":"%x"}}' % (i * P) for i in range(1, {n} + 1))
        text = '{{"i":0,"value":{{"$s":[' + items + ']}}}}\\n{{"done":1}}\\n'
    """)
    start = time.monotonic()
    result = one.judge(ADD, Candidate(id="bomb", source=source), ADD.public_tests)
    spent = time.monotonic() - start
    assert result.verdict is not Verdict.AC
    assert spent < 6.0, f"the host spent {spent:.1f} s decoding one claimed value"
    honest_after(one)


# -- 3. everything a candidate prints is also written, unbounded, to the HOST's disk ------

def _log_size(sandbox) -> int:
    import os

    [slot] = sandbox._all
    slot.container.reload()
    path = slot.container.attrs.get("LogPath") or ""
    return os.path.getsize(path) if path and os.path.exists(path) else 0


def test_candidate_output_is_not_logged_to_the_host_disk(box, one):
    # The pooled containers use Docker's default json-file log driver with no size cap:
    # every record the runner sends the host (outputs as base64 chunks) is also appended
    # to /var/lib/docker/containers/<id>/<id>-json.log for as long as the container lives.
    # 8 MiB of allowed output per test -> ~11 MB of host disk per test, per job, unbounded.
    row(one, HONEST)  # the container exists
    before = _log_size(box)
    problem = ECHO.model_copy(update={"time_limit_s": 2.0, "memory_limit_mb": 128})
    result = row(one, "import sys\nsys.stdout.write('7 ' * (4 << 20))\n", problem)
    assert result.verdict is Verdict.WA
    grown = _log_size(box) - before
    assert grown < 1 << 20, f"one test wrote {grown / 1e6:.1f} MB to the host's container log"


# -- 4. memory credit from reclaimable kernel memory left in the container's cgroup -------

# Negative dentries: a stat() of a missing long name under the read-only root leaves a
# cached dentry (+ external name) charged to the container's memory cgroup. They survive
# the runner's cleanup (nothing to remove: they are cache), so they pile up across runs and
# jobs and sit in the next run's *baseline*. When a later run allocates, the kernel reclaims
# them to stay under the container cap: the cgroup's usage barely moves, so the run's
# measured memory (usage - baseline - file cache) stays small while it really holds far
# more than its limit.
DENTRY_HOG = textwrap.dedent("""
    import os, sys, time
    mode = sys.stdin.readline().strip()
    v1 = os.path.exists("/sys/fs/cgroup/memory/memory.usage_in_bytes")
    cur, top = (("/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
                if v1 else ("/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory.max"))
    usage = lambda: int(open(cur).read())
    if mode == "inflate":          # ~0.9 KB of negative dentry per lookup, up to 80 MB a run
        cap, start = int(open(top).read()), usage()
        base = "/usr/share/" + "q" * 200 + str(os.getpid()) + "_"
        i = 0
        while usage() - start < 80 << 20 and usage() < cap - (24 << 20):
            for _ in range(2000):
                i += 1
                try:
                    os.stat(base + str(i))
                except OSError:
                    pass
    else:                          # 3 children x 80 MB touched = 240 MB on a 100 MB limit
        kids = []
        for _ in range(3):
            pid = os.fork()
            if pid == 0:
                block = bytearray(80 << 20)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                time.sleep(1.5)
                os._exit(0)
            kids.append(pid)
        for pid in kids:
            os.waitpid(pid, 0)
    print("ok")
""")


@pytest.fixture(scope="module")
def small_box():
    from archon_code.sandbox import DockerSandbox, SandboxConfig
    from tests.conftest import require_docker

    require_docker()
    with DockerSandbox(SandboxConfig(workers=1, memory_mb=384)) as sandbox:
        yield sandbox


def test_reclaimable_kernel_memory_in_the_baseline_gives_no_memory_credit(small_box):
    tests = tuple(TestCase(input="inflate\n", output="ok") for _ in range(6)) + (
        TestCase(input="use\n", output="ok"),)
    problem = Problem(id="hog", statement="", time_limit_s=3.0, memory_limit_mb=100, public_tests=tests)
    result = Judge(small_box).judge(problem, Candidate(id="hog", source=DENTRY_HOG), tests)
    rows = [(t.verdict.value, t.memory_kb // 1024) for t in result.tests]
    assert result.tests[-1].verdict is Verdict.MLE, rows


def test_a_candidate_cannot_skew_the_next_candidates_memory_and_cpu(small_box):
    # The same dentries left by one candidate's job are reclaimed during the NEXT
    # candidate's run in that pooled container: the reclaim's CPU is charged to the victim
    # (an honest 90 MB program: 0.05 s CPU in a clean container, 0.34 s here; with the
    # default 1536 MB cap an attacker can leave ~1.3 GB, i.e. ~1 s, enough for a false TLE),
    # and the victim's memory is mis-measured (21 MB reported for 93 MB held).
    judge = Judge(small_box)
    tests = tuple(TestCase(input="inflate\n", output="ok") for _ in range(6))
    hog = Problem(id="hog", statement="", time_limit_s=3.0, memory_limit_mb=100, public_tests=tests)
    judge.judge(hog, Candidate(id="attacker", source=DENTRY_HOG), tests)
    victim = "b = bytearray(90 << 20)\nfor i in range(0, len(b), 4096):\n    b[i] = 1\nprint('ok')\n"
    vt = (TestCase(input="", output="ok"),)
    problem = Problem(id="v", statement="", time_limit_s=3.0, memory_limit_mb=256, public_tests=vt)
    got = judge.judge(problem, Candidate(id="victim", source=victim), vt).tests[0]
    assert got.verdict is Verdict.AC
    assert got.memory_kb >= 85 << 10 and got.cpu_s < 0.2, (got.memory_kb // 1024, got.cpu_s)


# -- 5. a wrong program picks its own failure verdict through stderr text ------------------

def test_words_on_stderr_do_not_choose_the_verdict(one):
    # verdict_of() turns any stderr containing "MemoryError" / "std::bad_alloc" into MLE,
    # even for a program that exited 0 within every limit: a wrong answer can present
    # itself as MLE ("the machine ran out"; the exec cache and likely_cause treat MLE
    # specially) instead of WA.
    result = row(one, "import sys\nprint(8)\nsys.stderr.write('MemoryError\\n')\n")
    assert result.verdict is Verdict.WA, (result.verdict, result.message)


# -- 6. memory preallocated in the capture files is subtracted as "output" ----------------

def test_memory_fallocated_in_the_capture_files_is_counted(small_box):
    # fallocate(FALLOC_FL_KEEP_SIZE) works on the write-only, append-only capture handles
    # (RLIMIT_FSIZE only bounds offset+len): 2 x 31 MiB of tmpfs blocks with st_size 0.
    # The runner subtracts the capture files' st_blocks as output, so 70 MB + 62 MB on a
    # 100 MB limit is measured as ~73 MB. (The blocks cannot be read back: an accounting
    # hole, ~2 x output_bytes of memory the container holds but no limit sees.)
    problem = Problem(id="fa", statement="", time_limit_s=3.0, memory_limit_mb=100,
                      public_tests=(TestCase(input="7\n", output="7"),))
    source = textwrap.dedent("""
        import ctypes, time
        libc = ctypes.CDLL(None, use_errno=True)
        for fd in (1, 2):
            assert libc.fallocate(fd, 1, ctypes.c_long(0), ctypes.c_long(31 << 20)) == 0  # KEEP_SIZE
        block = bytearray(70 << 20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(0.3)
        print(input())
    """)
    result = Judge(small_box).judge(problem, Candidate(id="fa", source=source), problem.public_tests).tests[0]
    assert result.verdict is Verdict.MLE, (result.verdict, result.memory_kb // 1024, result.stderr[-300:])


# -- 7. a lone surrogate in a candidate's source crashes the judge (and its whole batch) ---

def test_a_source_with_a_lone_surrogate_gets_a_verdict_not_an_exception(one):
    # Candidate accepts any str, and a model's answer can hold lone surrogates (a JSON
    # "\\ud83d" escape, e.g. an emoji split across two streamed chunks). Judge._job (and
    # function_judge._execute) call candidate.source.encode(): UnicodeEncodeError escapes
    # judge()/judge_many(), so the candidate has no verdict and neither has its batch.
    hostile = Candidate(id="hostile", source="print(input())  # \ud83d\n")
    batch_mates_keep_their_verdicts(one, ECHO, HONEST, hostile, UnicodeError)
    func = Candidate(id="f", source="def add(a, b):\n    return a + b  # \ud83d\n")
    try:
        one.judge(ADD, func, ADD.public_tests)
    except UnicodeError as exc:
        pytest.fail(f"the function judge raised {type(exc).__name__}: {exc}")


# -- 8. an output cut at 1 MiB is handed on as the whole output ------------------------------

def test_a_cut_output_is_not_passed_on_as_complete(one):
    # Tests with no expected output (generated inputs) keep 1 MiB of stdout. Before the fix
    # the judge dropped the runner's stdout_truncated flag: TestResult.stdout was the prefix
    # with verdict AC, and unit_tests._outputs/_stdio_tests turned such stdouts (brute force,
    # votes) into expected outputs (trust 0.8 = TRUSTED): a correct 1.5 MB answer became a
    # test every correct candidate then failed. Now the cut is said, and no consumer takes a
    # cut output as an answer.
    from archon_code.components.clusters import failed, stdio_key
    from archon_code.components.testgen_parse import parse_input_list

    text = "1 " * (750 << 10)  # 1.5 MiB
    program = py(f"print({text!r})")
    problem = PROBE.model_copy(update={"public_tests": (TestCase(input="", output=None, kind="generated"),)})
    got = one.judge(problem, program, problem.public_tests).tests[0]
    assert got.stdout_truncated and len(got.stdout) == 1 << 20
    short = one.judge(problem, py("print(7)"), problem.public_tests).tests[0]
    assert (short.stdout, short.stdout_truncated) == ("7\n", False)
    [run] = one.run_inputs(problem, program, [""])
    assert run.stdout_truncated and failed(stdio_key(run)[0])  # two cut outputs never "agree"
    listing = py(f"import json; print(json.dumps([{'x' * 100!r}] * 12000))")  # a generator's cut list
    [gen] = one.run_inputs(problem, listing, [""])
    assert gen.stdout_truncated and parse_input_list(gen.stdout, gen.stdout_truncated) == []


def test_honest_jobs_leave_nothing_that_retires_their_container(box, one):
    # The other side of #4: what honest programs leave (a g++ compile with <bits/stdc++.h>,
    # Python imports, a 140 MB compiled binary the runner holds, files written and deleted)
    # stays under the slack, so the pooled container is kept and nothing is charged.
    from tests.sandbox.test_redteam_more import BLOB, cpp

    row(one, HONEST)
    [slot] = box._all
    before = slot.container.id
    files = "import os\nfor i in range(2000):\n    open(f'f{i}', 'w').write('x' * 100)\n    os.remove(f'f{i}')\nprint(input())\n"
    sources = [cpp("#include <bits/stdc++.h>\nint main() { int x; std::cin >> x; std::cout << x << '\\n'; }\n"),
               cpp("#include <cstdio>\n" + BLOB + "int main() { int x; if (scanf(\"%d\", &x) == 1) printf(\"%d\\n\", x); }\n"),
               py("import json, collections, fractions, decimal, itertools\nprint(input())\n"), py(files)]
    for candidate in sources:
        for _ in range(2):
            result = row(one, candidate)
            assert (result.verdict, result.message) == (Verdict.AC, ""), (candidate.source[:60], result.message)
    [slot] = box._all
    assert slot.container.id == before
