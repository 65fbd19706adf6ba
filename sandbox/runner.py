#!/usr/bin/env python3
"""The in-container runner of archon-code's sandbox (standard library only).

``runner.py --serve``
    PID 1 of a sandbox container: a job server. Each line on stdin, ``NONCE JOB_DIR``,
    runs one job: ``JOB_DIR/job.json`` names files to place, an optional compile step and
    a list of runs. Each run gets a fresh working directory, stdin from a regular file,
    and CPU-time, wall-time, address-space and file-size limits. After every run every
    process of the sandbox user is killed and reaped, so nothing a test started survives
    into the next one. One JSON line per step goes to stdout as it finishes, prefixed by
    the job's nonce. The server makes itself non-dumpable, so a candidate of the same uid
    can neither read its stdin nor write to its stdout, and as PID 1 of its namespace it
    cannot be killed from inside the container.

    Decision: a persistent server instead of one ``docker exec`` per job: an exec costs a
    runc start and a Python start (~65 ms) per job, which the throughput target forbids.

``runner.py JOB_DIR``
    Runs one job and exits (nonce from ``ARCHON_NONCE``); for debugging.

The same script runs on the host (``--serve`` over pipes) as the bare baseline of the
throughput benchmark.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time

PR_SET_DUMPABLE = 4
ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "0",
}


def make_undumpable() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux host
        pass


def emit(nonce: str, record: dict) -> None:
    sys.stdout.write(nonce + " " + json.dumps(record) + "\n")
    sys.stdout.flush()


def wipe(path: str) -> None:
    """Empty a directory without removing it (it may be a mount point)."""
    if not os.path.isdir(path):
        return
    for name in os.listdir(path):
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                shutil.rmtree(full, ignore_errors=True)
            else:
                os.unlink(full)
        except OSError:
            pass


def kill_leftovers(contained: bool) -> None:
    """Kill every process of this uid except ourselves, reap them, wait until all are gone.

    As PID 1 the server inherits every orphan, so reaping here also keeps zombies from
    piling up against the pids limit."""
    if not contained:
        return
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass
    me, deadline = os.getpid(), time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        alive = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        if not alive:
            return
        time.sleep(0.002)


def oom_kills() -> int:
    """The container's OOM-kill counter (cgroup v2 or v1), or 0 when unreadable."""
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as fh:
                for line in fh:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return 0


def limiter(run: dict):
    """preexec_fn: new session, then rlimits for one run."""
    cpu = int(run.get("cpu_s", 2) + 0.999) + 1
    mem = int(run.get("memory_mb", 256)) * 1024 * 1024
    fsize = int(run.get("output_bytes", 32 << 20))
    nproc = int(run.get("nproc", 0))

    def apply() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if mem > 0:
            resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
            stack = min(mem, 256 << 20)
            resource.setrlimit(resource.RLIMIT_STACK, (stack, stack))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nproc > 0:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return apply


def read_capped(path: str, cap: int) -> tuple[str, bool]:
    try:
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except OSError:
        return "", False
    return base64.b64encode(data[:cap]).decode("ascii"), len(data) > cap


def execute(run: dict, run_dir: str, job: dict, contained: bool) -> dict:
    """Run one command with its limits in ``run_dir``; return the measured result.

    stdout and stderr go to files on their own file system (``out_dir``), so a program that
    fills the work directory still leaves its error message readable."""
    job_dir, out_dir = job["job_dir"], job["out_dir"]
    wipe(out_dir)
    out_path = os.path.join(out_dir, "stdout")
    err_path = os.path.join(out_dir, "stderr")
    stdin_path = os.path.join(job_dir, run["stdin"]) if run.get("stdin") else os.devnull
    wall = float(run.get("wall_s", 5.0))
    oom_before = oom_kills()
    env = dict(ENV, HOME=run_dir, TMPDIR=run_dir)
    start = time.monotonic()
    with open(stdin_path, "rb") as fin, open(out_path, "wb") as fout, open(err_path, "wb") as ferr:
        try:
            argv = [arg.replace("{job}", job_dir) for arg in run["cmd"]]
            proc = subprocess.Popen(argv, stdin=fin, stdout=fout, stderr=ferr, cwd=run_dir, env=env,
                                    preexec_fn=limiter(run), close_fds=True)
        except OSError as exc:
            return {"exit_code": 127, "signal": None, "stderr": base64.b64encode(str(exc).encode()).decode(),
                    "stdout": "", "cpu_s": 0.0, "wall_s": 0.0, "memory_kb": 0}
        killed = threading.Event()

        def on_timeout() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(wall, on_timeout)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        proc.returncode = 0  # reaped by wait4; stop Popen from waiting again
    elapsed = time.monotonic() - start
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # background children left in its session
    except OSError:
        pass
    kill_leftovers(contained)
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    output_full = os.path.getsize(out_path) >= int(run.get("output_bytes", 32 << 20))
    # Past the output limit the verdict is OLE whatever was written: send back only a prefix.
    cap = 4096 if output_full else int(run.get("return_bytes", 16 << 20))
    stdout, truncated = read_capped(out_path, cap)
    stderr, _ = read_capped(err_path, int(run.get("stderr_bytes", 8192)))
    return {
        "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": sig,
        "stdout": stdout,
        "stdout_truncated": truncated,
        "stderr": stderr,
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        "wall_s": round(elapsed, 4),
        "memory_kb": int(usage.ru_maxrss),
        "wall_timeout": killed.is_set(),
        "oom_killed": oom_kills() > oom_before,
        "output_full": output_full,
    }


def snapshot(folder: str) -> list[tuple[str, bytes, int]]:
    """The program folder's regular files, held in the (non-dumpable) runner's memory."""
    items = []
    for root, _, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            if os.path.isfile(full) and not os.path.islink(full):
                with open(full, "rb") as fh:
                    items.append((os.path.relpath(full, folder), fh.read(), os.stat(full).st_mode & 0o777))
    return items


def prepare_run_dir(work: str, program: list[tuple[str, bytes, int]]) -> str:
    """A fresh run directory rebuilt from the snapshot: whatever a test wrote, or changed in
    its own program, is gone before the next test starts."""
    run_dir = os.path.join(work, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    for rel, data, mode in program:
        path = os.path.join(run_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        os.chmod(path, mode)
    return run_dir


def run_job(job_dir: str, nonce: str) -> None:
    with open(os.path.join(job_dir, "job.json")) as fh:
        job = json.load(fh)
    contained = bool(job.get("contained", True))
    work = job["work_dir"]
    job["job_dir"] = job_dir
    os.makedirs(job["out_dir"], exist_ok=True)
    for path in [work] + job.get("wipe", []):
        wipe(path)
    kill_leftovers(contained)
    files_dir = os.path.join(work, "prog")
    shutil.copytree(os.path.join(job_dir, "files"), files_dir)
    if job.get("compile"):
        result = execute(job["compile"], files_dir, job, contained)
        emit(nonce, {"step": "compile", **result})
        if result["exit_code"] != 0:
            return
    program = snapshot(files_dir)
    shutil.rmtree(files_dir, ignore_errors=True)
    for index, run in enumerate(job.get("runs", [])):
        run_dir = prepare_run_dir(work, program)
        for path in job.get("wipe", []):
            wipe(path)
        result = execute(run, run_dir, job, contained)
        emit(nonce, {"step": "run", "index": index, **result})
        if job.get("stop_on_failure") and (result["exit_code"] != 0 or result["wall_timeout"]):
            break


def run_one(job_dir: str, nonce: str) -> None:
    """One job; an internal failure is reported as an ``error`` step, never a silent exit."""
    try:
        run_job(job_dir, nonce)
        emit(nonce, {"step": "done"})
    except Exception as exc:  # a runner fault: the host turns it into an infrastructure error
        emit(nonce, {"step": "error", "message": f"{type(exc).__name__}: {exc}"})


def serve_main() -> None:
    make_undumpable()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for line in sys.stdin:
        nonce, _, job_dir = line.strip().partition(" ")
        if nonce and job_dir:
            run_one(job_dir, nonce)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve_main()
    elif len(sys.argv) == 2:
        make_undumpable()
        run_one(sys.argv[1], os.environ.pop("ARCHON_NONCE", ""))
    else:
        sys.stderr.write("usage: runner.py --serve | runner.py JOB_DIR\n")
        sys.exit(2)
