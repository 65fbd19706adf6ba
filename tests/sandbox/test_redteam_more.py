"""More red-team attacks on the sandbox, beyond tests/sandbox/test_redteam.py.

Same rules as that battery: every attack runs in ONE container (``workers=1``) and asserts
the verdict a correct sandbox gives, then that an honest candidate judged right after it in
the same container is accepted and sees nothing left behind. Each test here was first a
finding (an attack that worked against the rewritten sandbox) and is now a regression test
for its fix.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from archon_code.judge import Judge
from archon_code.sandbox import DockerSandbox, SandboxConfig
from archon_code.types import Candidate, Problem, TestCase, Verdict
from tests.sandbox.test_redteam import (  # noqa: F401 - box and one are fixtures
    CLEAN_VIEW, ECHO, HONEST, LOOK, PROBE, box, honest_after, look, one, py, row)

pytestmark = pytest.mark.docker

# 128 MB problem: every attack below really holds well over 128 MB at once.
TIGHT = Problem(id="tight", statement="print the input", time_limit_s=2.0, memory_limit_mb=128,
                public_tests=(TestCase(input="7\n", output="7"),))


def cpp(source: str, name: str = "c") -> Candidate:
    return Candidate(id=name, lang="cpp", source=textwrap.dedent(source))


# -- whole-tree memory: memory the cgroup's anon + shmem does not show -------------------

def test_memory_held_in_unix_socket_buffers_is_mle(one):
    # 200 MB queued in socketpairs (SO_SNDBUF may be 4 MB here): kernel memory, charged to
    # the container's cgroup (memory.usage_in_bytes) but neither anon nor shmem.
    result = row(one, """
        import socket
        pairs, held, chunk = [], 0, b"x" * 65536
        while held < 200 << 20:
            a, b = socket.socketpair()
            a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            a.setblocking(False)
            try:
                while True:
                    held += a.send(chunk)
            except BlockingIOError:
                pass
            pairs.append((a, b))
        import time
        time.sleep(0.3)
        print(input())
    """, TIGHT)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


def test_memory_held_in_pipe_buffers_is_mle(one):
    # 64 MB in pipe buffers (the per-uid soft limit) plus 2 x 45 MB in children: 154 MB.
    result = row(one, """
        import fcntl, os, time
        for _ in range(2):
            if os.fork() == 0:
                block = bytearray(45 << 20)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                time.sleep(5)
                os._exit(0)
        pipes, held, chunk = [], 0, b"x" * 65536
        for _ in range(200):
            r, w = os.pipe()
            try:
                fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ
            except OSError:
                pass
            os.set_blocking(w, False)
            try:
                while True:
                    held += os.write(w, chunk)
            except BlockingIOError:
                pass
            pipes.append((r, w))
        assert held >= 60 << 20, held
        time.sleep(1.0)
        print(input())
    """, TIGHT)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


def test_memory_in_the_mmapped_capture_files_is_mle(one):
    # stdout and stderr are the runner's capture files, opened O_RDWR: 2 x 32 MB of scratch
    # memory (subtracted as "output"), plus 2 x 45 MB in children; the output is truncated
    # back to the right answer at the end.
    result = row(one, """
        import mmap, os, time
        kids = []
        for _ in range(2):
            pid = os.fork()
            if pid == 0:
                block = bytearray(45 << 20)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                time.sleep(5)
                os._exit(0)
            kids.append(pid)
        maps = []
        for fd in (1, 2):
            os.ftruncate(fd, 31 << 20)
            m = mmap.mmap(fd, 31 << 20, mmap.MAP_SHARED)
            for i in range(0, len(m), 4096):
                m[i] = 1
            maps.append(m)
        time.sleep(1.0)
        for m in maps:
            m.close()
        for fd in (1, 2):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, 0)
        line = input()
        os.write(1, (line + "\\n").encode())
        for pid in kids:
            os.kill(pid, 9)
    """, TIGHT)
    # The program's fds 1 and 2 are write-only and append-only: mapping them is refused.
    assert result.verdict is Verdict.RE and "PermissionError" in result.stderr, (
        result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


def test_memory_in_secret_memfds_is_mle(one):
    # memfd_secret pages count as neither anon nor shmem; 8 MB each (RLIMIT_MEMLOCK) in 20
    # children is 160 MB.
    result = row(one, """
        import ctypes, mmap, os, time
        libc = ctypes.CDLL(None, use_errno=True)
        read, write = os.pipe()
        for _ in range(20):
            if os.fork() == 0:
                fd = libc.syscall(447, 0)  # memfd_secret
                if fd >= 0:
                    os.ftruncate(fd, 8 << 20)
                    m = mmap.mmap(fd, 8 << 20, mmap.MAP_SHARED)
                    for i in range(0, len(m), 4096):
                        m[i] = 1
                os.write(write, b"1" if fd >= 0 else b"0")
                time.sleep(5)
                os._exit(0)
        got = b""
        while len(got) < 20:
            got += os.read(read, 20)
        time.sleep(0.5)
        print(input() if got == b"1" * 20 else "memfd_secret refused")
    """, TIGHT)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


def test_memory_in_tmpfs_files_and_unlinked_open_files_is_mle(one):
    # Regression: tmpfs pages are shmem and count, named or unlinked-but-open.
    result = row(one, """
        import os, time
        fds = []
        for n, place in enumerate(("/tmp", "/tmp", "/dev/shm", ".", ".")):
            path = os.path.join(place, f"hold{n}")
            fd = os.open(path, os.O_RDWR | os.O_CREAT)
            if n % 2:
                os.unlink(path)  # one in two unlinked, still open
            chunk = b"x" * (1 << 20)
            for _ in range(30):  # RLIMIT_FSIZE is 32 MB per file
                os.write(fd, chunk)
            fds.append(fd)
        time.sleep(0.5)
        print(input())
    """, TIGHT)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


def test_shared_anonymous_memory_in_children_is_mle(one):
    # Regression: MAP_SHARED|MAP_ANONYMOUS is shmem; 3 children x 50 MB.
    result = row(one, """
        import mmap, os, time
        for _ in range(3):
            if os.fork() == 0:
                m = mmap.mmap(-1, 50 << 20, mmap.MAP_SHARED)
                for i in range(0, len(m), 4096):
                    m[i] = 1
                time.sleep(5)
                os._exit(0)
        time.sleep(1.5)
        print(input())
    """, TIGHT)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


def test_sysv_shm_marked_for_removal_but_attached_is_counted(one):
    # Regression: IPC_RMID while attached keeps the segment alive (shmem) until detach.
    # shmall caps SysV shm at 64 MB in all: one 60 MB segment plus 2 x 45 MB in children.
    result = row(one, """
        import ctypes, os, time
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        for n in range(3):
            if os.fork() == 0:
                if n == 0:
                    ident = libc.shmget(0, 60 << 20, 0o1600)
                    addr = libc.shmat(ident, None, 0)
                    libc.shmctl(ident, 0, None)  # IPC_RMID
                    ctypes.memset(addr, 1, 60 << 20)
                else:
                    block = bytearray(45 << 20)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                time.sleep(5)
                os._exit(0)
        time.sleep(1.5)
        print(input())
    """, TIGHT)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


# -- memory measured against a moving baseline ---------------------------------------------

# A 140 MB section the loader never maps: the binary is big on disk, its process is tiny.
BLOB = 'asm(".section .blob,\\"\\",@progbits\\n.fill 146800640,1,7\\n.previous\\n");\n'


def test_a_big_program_file_is_not_the_programs_memory(one):
    # The runner holds the compiled program in its memory, forks, and the child's ru_maxrss
    # (kept across exec) includes the runner's image: a 1 MB program is judged MLE.
    small = TIGHT.model_copy(update={"memory_limit_mb": 64})
    result = row(one, cpp("""
        #include <cstdio>
        """ + BLOB + """
        int main() { int x; if (scanf("%d", &x) == 1) printf("%d\\n", x); }
    """), small)
    assert (result.verdict, result.message) == (Verdict.AC, ""), (result.message, result.memory_kb)
    assert result.memory_kb < 32 << 10, result.memory_kb
    honest_after(one)


# Answers once the processes it can see hold 300 MB resident in all (at most 4 s).
WAIT_RSS = ("import os, time\\n"
            "def rss():\\n"
            " s = 0\\n"
            " for p in set(os.listdir('/proc')) - {'1', 'self', 'thread-self'}:\\n"
            "  try: s += int([l for l in open('/proc/' + p + '/status') if l.startswith('VmRSS')][0].split()[1])\\n"
            "  except Exception: pass\\n"
            " return s\\n"
            "t = time.time()\\n"
            "while rss() < 300000 and time.time() - t < 4: time.sleep(0.05)\\n"
            "print(input() if rss() >= 300000 else 'small')\\n")


def test_deleting_the_program_file_gives_no_memory_credit(one):
    # The baseline memory is read after the runner wrote the 140 MB program into the run
    # folder (shmem). The program unlinks it and stops mapping it (exec): 140 MB of credit,
    # spent by two children holding 150 MB each. The tree really holds > 300 MB.
    roomy = TIGHT.model_copy(update={"memory_limit_mb": 200})
    hog = "b = bytearray(150 << 20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\nimport time; time.sleep(6)\\n"
    result = row(one, cpp("""
        #include <unistd.h>
        """ + BLOB + """
        int main() {
            unlink("sol");
            for (int k = 0; k < 2; k++)
                if (fork() == 0) execl("/usr/bin/python3", "python3", "-c", \"""" + hog + """\", (char*)0);
            execl("/usr/bin/python3", "python3", "-c", \"""" + WAIT_RSS + """\", (char*)0);
        }
    """), roomy)
    assert result.verdict is Verdict.MLE, (result.verdict, result.message, result.memory_kb, result.stderr)
    honest_after(one)


# -- what a run leaves in the kernel -----------------------------------------------------

MEMORY_PROBE = """
import json
cg = "/sys/fs/cgroup/memory/"
usage = int(open(cg + "memory.usage_in_bytes").read())
kmem = int(open(cg + "memory.kmem.usage_in_bytes").read())
print(json.dumps({"usage_mb": usage >> 20, "kmem_mb": kmem >> 20}))
"""


def container_memory(judge: Judge) -> dict:
    result = row(judge, MEMORY_PROBE, PROBE)
    assert result.verdict is Verdict.AC, (result.message, result.stderr)
    return json.loads(result.stdout)


def test_sockets_sent_through_themselves_leave_no_memory_or_files(one):
    # SCM_RIGHTS cycles: each socketpair holds ~8 MB queued and is sent through itself, with
    # an open /tmp file riding along; every fd is then closed. Only the kernel's unix GC can
    # free them: the next candidate must find the memory and /tmp as they were.
    before = container_memory(one)
    result = row(one, """
        import array, os, socket
        fd = os.open("/tmp/riding", os.O_RDWR | os.O_CREAT)
        os.write(fd, b"x" * (4 << 20))
        os.unlink("/tmp/riding")
        held, chunk = 0, b"x" * 65536
        for _ in range(8):
            a, b = socket.socketpair()
            a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            a.setblocking(False)
            try:
                while True:
                    held += a.send(chunk)
            except BlockingIOError:
                pass
            fds = array.array("i", [a.fileno(), b.fileno(), fd])
            b.sendmsg([b"y"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])  # into a's own queue
            a.detach(), b.detach()
            os.close(fds[0]), os.close(fds[1])
        os.close(fd)
        print(input())
    """)
    assert result.verdict is Verdict.AC, (result.message, result.stderr)
    honest_after(one)
    after = container_memory(one)
    assert after["kmem_mb"] < before["kmem_mb"] + 16, (before, after)


# An honest candidate that computes in a worker thread (threads count toward RLIMIT_NPROC).
THREADED = """
import threading
out = []
worker = threading.Thread(target=lambda: out.append(input()))
worker.start()
worker.join()
print(out[0])
"""


def test_two_sandboxes_in_one_process_do_not_share_uids(box):
    # RLIMIT_NPROC counts a uid's processes host-wide. Two DockerSandbox objects in one
    # process must not give their containers the same uid range (today both get
    # 200000 + (pid * 97 + 1) % 20000 * 64), or one container's candidate at its process
    # cap leaves another container's candidate unable to start a thread.
    import threading
    import time

    hog = py("""
        import os, time
        for _ in range(100):  # to the cap (64 processes of this uid)
            try:
                if os.fork() == 0:
                    time.sleep(4)
                    os._exit(0)
            except OSError:
                break
        time.sleep(4)
        print(input())
    """)
    results = {}
    with DockerSandbox(SandboxConfig(workers=1)) as first, DockerSandbox(SandboxConfig(workers=1)) as second:
        slow = ECHO.model_copy(update={"time_limit_s": 3.0})
        for sandbox in (first, second):  # both containers up (each has used its first uid)
            assert row(Judge(sandbox), HONEST).verdict is Verdict.AC
        attack = threading.Thread(target=lambda: results.update(hog=row(Judge(first), hog, slow)))
        attack.start()
        time.sleep(2.0)
        results["honest"] = row(Judge(second), THREADED)
        attack.join()
    assert results["hog"].verdict is Verdict.AC, results["hog"].message
    assert (results["honest"].verdict, results["honest"].message) == (Verdict.AC, ""), results["honest"].stderr


def test_setuid_binaries_and_file_capabilities_give_nothing(one):
    # Regression: no-new-privileges. su, mount, passwd, chsh are setuid root in the image.
    result = row(one, """
        import os, subprocess
        outs = []
        for cmd in (["su", "-c", "id -u"], ["mount", "-t", "tmpfs", "x", "/tmp"], ["chsh", "-s", "/bin/sh"],
                    ["newgrp", "root"], ["umount", "/in"]):
            try:
                done = subprocess.run(cmd, input="", capture_output=True, text=True, timeout=1,
                                      start_new_session=True)
                outs.append((cmd[0], done.returncode, done.stdout.strip()))
            except subprocess.TimeoutExpired:  # waits for a password that never comes
                outs.append((cmd[0], "timeout", ""))
        assert all(code != 0 for _, code, _ in outs), outs
        assert os.geteuid() != 0
        os.listdir("/in")  # still not root: PermissionError
    """, PROBE)
    assert result.verdict is Verdict.RE, (result.message, result.stderr)
    assert "PermissionError" in result.stderr and "/in" in result.stderr, result.stderr
    honest_after(one)


# -- output: exact limits, odd bytes ------------------------------------------------------

@pytest.mark.parametrize(("written", "verdict"), [
    (b"7\r\n", Verdict.AC),         # a CRLF line end is still the token 7
    (b"7\x00\n", Verdict.WA),       # NUL is not whitespace
    (b"\xff7\n", Verdict.WA),       # invalid UTF-8 is not the answer
    (b"\xef\xbc\x97\n", Verdict.WA),  # FULLWIDTH DIGIT SEVEN is not 7
    (b"7" + b" " * 5000 + b"\n", Verdict.AC),
])
def test_odd_bytes_in_the_output_get_the_right_verdict(one, written, verdict):
    result = row(one, f"import os, sys\nsys.stdin.read()\nos.write(1, {written!r})\n")
    assert result.verdict is verdict, (result.verdict, result.message)
    honest_after(one)


def test_a_huge_stderr_is_bounded_and_not_an_error(one):
    result = row(one, """
        import os, sys
        chunk = b"\\xff\\x00\\r" * 100000
        for _ in range(100):  # 30 MB of binary junk on stderr
            os.write(2, chunk)
        print(input())
    """)
    assert (result.verdict, result.message) == (Verdict.AC, ""), result.message
    assert len(result.stderr) <= 2048
    honest_after(one)


def test_output_of_exactly_the_limit_is_not_ole(one):
    # SandboxConfig.output_mb is "most bytes one test may write (more is OLE)": writing
    # exactly 32 MiB is within the limit.
    problem = PROBE.model_copy(update={"time_limit_s": 5.0})
    result = row(one, """
        import os
        chunk = b"1" * (1 << 20)
        for _ in range(32):
            os.write(1, chunk)
    """, problem)
    assert result.verdict is Verdict.AC, (result.verdict, result.message)
    honest_after(one)


# -- processes that try to outlive the run -------------------------------------------------

def test_stopped_traced_and_vforked_processes_are_all_gone(one):
    result = row(one, """
        import ctypes, os, signal, time
        libc = ctypes.CDLL(None, use_errno=True)
        # a child stopped by SIGSTOP, a grandchild stopped under ptrace, a vfork parent
        # waiting on a stopped child, a zombie nobody reaps, a new session and process group
        stopped = os.fork()
        if stopped == 0:
            os.setsid()
            while True:
                time.sleep(1)
        os.kill(stopped, signal.SIGSTOP)
        tracer = os.fork()
        if tracer == 0:
            traced = os.fork()
            if traced == 0:
                libc.ptrace(0, 0, None, None)  # PTRACE_TRACEME
                os.kill(os.getpid(), signal.SIGSTOP)
                while True:
                    pass
            os.waitpid(traced, os.WUNTRACED)
            time.sleep(60)
        if os.fork() == 0:
            libc.vfork.restype = ctypes.c_int
            if libc.vfork() == 0:
                libc.kill(libc.getpid(), signal.SIGSTOP)
                libc._exit(0)
            libc._exit(0)
        if os.fork() == 0:
            os._exit(0)  # a zombie: never waited for
        if os.fork() == 0:
            os.setpgid(0, 0)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            time.sleep(60)
        time.sleep(0.3)
        print(input())
    """)
    assert result.verdict is Verdict.AC, (result.message, result.stderr)
    honest_after(one)


def test_a_child_that_answers_after_the_main_process_exited_is_not_heard(one):
    # The run ends when its main process does: a child still writing the answer (and
    # burning CPU) afterwards is killed, so its late answer never counts.
    result = row(one, """
        import os, sys, time
        line = sys.stdin.readline()
        if os.fork() == 0:
            time.sleep(0.5)
            os.write(1, line.encode())
            while True:
                pass
    """)
    assert result.verdict is Verdict.WA, (result.verdict, result.message, result.stdout)
    assert result.cpu_s < 0.5
    honest_after(one)


def test_a_re_forking_swarm_is_killed_within_the_cleanup_budget(one):
    # Every process forks a replacement the moment it can: the cleanup must still end with
    # none left (the record says clean) and the next candidate runs normally.
    result = row(one, """
        import os, signal, time
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
        for _ in range(20):
            try:
                child = os.fork()
            except OSError:
                break
            if child == 0:
                while True:
                    try:
                        if os.fork() != 0:
                            os._exit(0)
                    except OSError:
                        pass
        time.sleep(0.5)
        print(input())
    """)
    assert result.verdict in (Verdict.AC, Verdict.TLE), (result.verdict, result.message)
    honest_after(one)


# -- the compiler as an attack vector ------------------------------------------------------

def test_including_dev_zero_is_a_compile_error_and_leaves_a_working_container(one):
    import time

    started = time.monotonic()
    result = one.judge(ECHO, cpp('#include "/dev/zero"\nint main() {}\n'), ECHO.public_tests)
    assert result.verdict is Verdict.CE
    assert time.monotonic() - started < 100
    honest_after(one)


def test_the_compiler_cannot_read_the_job(one):
    result = one.judge(ECHO, cpp('#include "/in/job.json"\n#include "/in/in/0.in"\nint main() {}\n'),
                       ECHO.public_tests)
    assert result.verdict is Verdict.CE
    assert "Permission denied" in result.compile_output and "work_dir" not in result.compile_output
    honest_after(one)
