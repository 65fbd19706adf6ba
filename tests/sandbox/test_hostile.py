"""Hostile programs in the real sandbox: each gets the right verdict, the host is unharmed,
and no container is left behind."""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
import textwrap

import pytest

from archon_code.judge import Judge
from archon_code.sandbox import DockerSandbox, Job, Run, SandboxConfig, connect
from archon_code.sandbox.docker import LABEL, OWNER_LABEL, SESSION_LABEL, prune_containers
from archon_code.types import Candidate, Problem, TestCase, Verdict

pytestmark = pytest.mark.docker

ECHO = Problem(id="echo", statement="print the input", time_limit_s=1.0, memory_limit_mb=128,
               public_tests=(TestCase(input="7\n", output="7"),))
SUM = "a = int(input())\nprint(a)\n"


def py(source: str, name: str = "c") -> Candidate:
    return Candidate(id=name, source=textwrap.dedent(source))


def verdict(judge: Judge, source: str, problem: Problem = ECHO):
    result = judge.judge(problem, py(source), problem.public_tests)
    return result.tests[0]


def report(judge: Judge, source: str) -> dict:
    """Run a probing program that prints one JSON line; return it."""
    probe = Problem(id="probe", statement="", time_limit_s=5.0, public_tests=(TestCase(input="", output=None),))
    row = judge.judge(probe, py(source), probe.public_tests).tests[0]
    assert row.verdict is Verdict.AC, (row.message, row.stderr)
    return json.loads(row.stdout)


def test_honest_program_is_accepted(judge):
    row = verdict(judge, SUM)
    assert (row.verdict, row.exit_code) == (Verdict.AC, 0)


def test_fork_bomb_is_contained(judge):
    row = verdict(judge, """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """)
    assert row.verdict is Verdict.TLE
    assert verdict(judge, SUM).verdict is Verdict.AC  # the sandbox still works afterwards


def test_memory_bomb_is_mle(judge):
    row = verdict(judge, """
        blocks = []
        while True:
            blocks.append(bytearray(10 ** 7))
    """)
    assert row.verdict is Verdict.MLE


def test_infinite_loop_is_tle_on_cpu_time(judge):
    row = verdict(judge, "while True:\n    pass\n")
    assert row.verdict is Verdict.TLE
    # On CPU time (1 s); only on a machine too loaded to give it 1 s of CPU before the wall
    # limit (3 x 1 + 2 s) does the wall limit end it.
    assert row.cpu_s >= 1.0 or row.wall_s >= 4.5


def test_sleeping_forever_is_tle_on_wall_time(judge):
    row = verdict(judge, "import time\ntime.sleep(10 ** 6)\n")
    assert row.verdict is Verdict.TLE
    assert row.cpu_s < 0.5 and row.wall_s >= 2.0


def test_output_flood_is_ole(judge):
    row = verdict(judge, "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n")
    assert row.verdict is Verdict.OLE


def test_disk_fill_counts_as_memory(judge):
    # The work folder is a tmpfs: what a test writes there is memory, and counts against the
    # problem's memory limit (128 MB here) before the tmpfs cap is reached.
    row = verdict(judge, """
        i = 0
        while True:
            with open(f"fill{i}", "wb") as fh:
                fh.write(b"x" * (8 << 20))
            i += 1
    """)
    assert row.verdict is Verdict.MLE
    assert verdict(judge, SUM).verdict is Verdict.AC


def test_background_processes_do_not_survive_the_test(judge):
    spawn = """
        import os, subprocess, time
        subprocess.Popen(["sleep", "1000"])
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(1000)
            os._exit(0)
        print(input())
    """
    assert verdict(judge, spawn).verdict is Verdict.AC
    seen = report(judge, """
        import json, os
        procs = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    procs.append(fh.read().replace(b"\\0", b" ").decode().strip())
        print(json.dumps({"procs": procs}))
    """)
    assert not [p for p in seen["procs"] if "sleep" in p]
    assert len(seen["procs"]) == 2, seen  # the runner server (PID 1) and this probe


def test_a_program_cannot_change_itself_for_its_later_tests(judge):
    problem = Problem(id="echo2", statement="", time_limit_s=1.0,
                      public_tests=(TestCase(input="1", output="1"), TestCase(input="2", output="2")))
    tamper = """
        import glob
        for path in [__file__] + glob.glob("/work/**/*.py", recursive=True):
            try:
                open(path, "w").write("print('hacked')")
            except OSError:
                pass
        print(input())
    """
    result = judge.judge(problem, py(tamper), problem.public_tests)
    assert [t.verdict for t in result.tests] == [Verdict.AC, Verdict.AC]


def test_writes_outside_the_work_dir_fail(judge):
    seen = report(judge, """
        import json
        result = {}
        for path in ["/etc/evil", "/opt/archon/runner.py", "/in/evil", "/usr/bin/evil", "/evil"]:
            try:
                with open(path, "w") as fh:
                    fh.write("x")
                result[path] = "written"
            except OSError as exc:
                result[path] = type(exc).__name__
        print(json.dumps(result))
    """)
    assert set(seen.values()) <= {"PermissionError", "OSError"}
    assert "written" not in seen.values()


def test_hardening_is_in_force(judge):
    seen = report(judge, """
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
        routes = open("/proc/net/route").read().splitlines()[1:]
        print(json.dumps({
            "uid": os.getuid(), "caps": status["CapEff"].strip(), "nnp": status["NoNewPrivs"].strip(),
            "nets": sorted(os.listdir("/sys/class/net")), "routes": routes,
            "root_writable": os.access("/", os.W_OK),
        }))
    """)
    # No network: only loopback, no route anywhere (checked without sending any traffic).
    # A fresh unprivileged uid per run, never the runner's (root, PID 1).
    assert seen.pop("uid") >= 200_000
    assert seen == {"caps": "0000000000000000", "nnp": "1", "nets": ["lo"], "routes": [],
                    "root_writable": False}


def test_one_candidate_cannot_read_anothers_files():
    config = SandboxConfig(workers=1)  # one container: the second job reuses it
    with DockerSandbox(config) as box:
        judge = Judge(box)
        writer = """
            import os
            for path in ["/work/run/secret", "/work/secret", "/tmp/secret", "/dev/shm/secret"]:
                try:
                    open(path, "w").write("hunter2")
                except OSError:
                    pass
            print(input())
        """
        assert verdict(judge, writer).verdict is Verdict.AC
        seen = report(judge, """
            import json, os
            found = [p for p in ["/work/run/secret", "/work/secret", "/tmp/secret", "/dev/shm/secret"] if os.path.exists(p)]
            print(json.dumps({"found": found}))
        """)
        assert seen == {"found": []}


def test_the_runner_cannot_be_killed_or_stopped_from_inside(judge):
    # The runner is PID 1 and another uid: every signal from inside is refused.
    row = verdict(judge, """
        import os, signal
        refused = 0
        for sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            try:
                os.kill(1, sig)
            except PermissionError:
                refused += 1
        assert refused == 5
        print(input())
    """)
    assert row.verdict is Verdict.AC
    assert verdict(judge, SUM).verdict is Verdict.AC


class _ShortDeadline(Job):
    def deadline_s(self, margin: float) -> float:
        return 1.0


def test_host_watchdog_kills_an_overrunning_container():
    with DockerSandbox(SandboxConfig(workers=1)) as box:
        job = _ShortDeadline(files={"a.py": b"import time\ntime.sleep(30)\n"},
                             runs=(Run(cmd=("python3", "a.py"), cpu_s=30, wall_s=30),))
        result = box.run_job(job)
        assert result.watchdog and not result.complete and result.runs == ()
        row = Judge(box).judge(ECHO, py(SUM), ECHO.public_tests).tests[0]
        assert row.verdict is Verdict.AC  # a fresh container replaced the killed one


def test_no_container_is_left_behind():
    client = connect()
    with DockerSandbox(SandboxConfig(workers=2)) as box:
        Judge(box).judge_many(ECHO, [py(SUM, "a"), py(SUM, "b")], ECHO.public_tests)
        flt = {"label": f"{SESSION_LABEL}={box.session}"}
        assert len(client.containers.list(all=True, filters=flt)) == 2
    assert client.containers.list(all=True, filters=flt) == []


def test_prune_removes_containers_of_dead_processes(docker_client):
    image = DockerSandbox().image
    orphan = docker_client.containers.create(image, command=["true"], labels={LABEL: "1", OWNER_LABEL: f"{socket.gethostname()}:999999999"})
    removed = prune_containers(docker_client)
    assert orphan.short_id in removed


def test_concurrent_callers_never_exceed_the_worker_count():
    client = connect()
    with DockerSandbox(SandboxConfig(workers=2)) as box:
        judge = Judge(box)
        with ThreadPoolExecutor(max_workers=6) as pool:
            rows = list(pool.map(lambda _: verdict(judge, SUM).verdict, range(6)))
        assert rows == [Verdict.AC] * 6
        assert len(client.containers.list(all=True, filters={"label": f"{SESSION_LABEL}={box.session}"})) == 2


def test_a_caller_waiting_for_a_container_that_breaks_gets_a_new_one():
    with DockerSandbox(SandboxConfig(workers=1)) as box:
        judge = Judge(box)
        stuck = _ShortDeadline(files={"a.py": b"import time\ntime.sleep(30)\n"},
                               runs=(Run(cmd=("python3", "a.py"), cpu_s=30, wall_s=30),))
        with ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(box.run_job, stuck)
            time.sleep(0.3)  # the second caller now waits for the only container
            second = pool.submit(verdict, judge, SUM)
            assert first.result(timeout=60).watchdog
            assert second.result(timeout=60).verdict is Verdict.AC
