#!/usr/bin/env python3
"""The in-container runner of archon-code's sandbox (standard library only).

``runner.py --serve``
    PID 1 of a sandbox container: a job server, running as root with only the
    capabilities it needs to start programs as other users (SETUID, SETGID, CHOWN,
    DAC_OVERRIDE, FOWNER, KILL). Each line on stdin, ``NONCE JOB_DIR``, runs one job:
    ``JOB_DIR/job.json`` names files to place, an optional compile step and a list of
    runs. One JSON line per step goes to stdout as it finishes, prefixed by the nonce.

Privilege separation (the isolate model): every run (compile step, test, checker) is a
process tree of its own *fresh uid* taken from a range the host gives the container, so
nothing a run owns is reachable by the next, and no candidate shares a uid with the
runner: it cannot signal, ptrace or read the runner, its result channel, its capture
files or the job folder (root-only, 0700). Signals to PID 1 from inside do nothing.

Limits on the whole tree: CPU time and memory are read from the container's own cgroup
(v1 or v2) around and during each run, so CPU burnt in children that are never waited for,
and memory held across several children, count. Per-process rlimits stay as a fast first
line, and processes per run are capped (RLIMIT_NPROC of the run's uid). While a program
runs the runner only polls (a pidfd and the cgroup counters): it never creates a thread or
a process, so a fork bomb cannot starve it.

A pool proven clean: after every run every process is killed and reaped, SysV IPC objects
and POSIX message queues are removed, every writable place is emptied whatever the program
did to permissions, depth or names, and then the runner *checks* that the container is
clean (no process, no IPC object, every tmpfs empty); the run's record says ``clean`` and,
when not, the host retires the container.

``runner.py JOB_DIR``
    Runs one job and exits (nonce from ``ARCHON_NONCE``); for debugging.

``--serve`` on the host with ``contained: false`` jobs is the bare baseline of the
throughput benchmark: no uid switch, no cgroup, no cleanup of shared places.
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import resource
import select
import signal
import stat
import sys
import time

PR_SET_DUMPABLE = 4
IPC_RMID = 0
ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONUNBUFFERED": "0",
}
POLL_S = 0.004
"""How often the tree's CPU and memory are read while a program runs."""
CHUNK = 1 << 20
"""Captured output goes to the host in pieces of this size, so no record is huge."""
CLEAN_BUDGET_S = 5.0
"""Cleanup that takes longer than this leaves the container marked dirty (retired)."""
SCRATCH = ("/tmp", "/dev/shm")
LEFTOVER_SLACK = 32 << 20
"""Memory a proven-clean container may hold above its idle level before the excess counts
as left behind by the last run (kernel caches: negative dentries of missing names)."""
LIBC = None


def libc():
    global LIBC
    if LIBC is None:
        LIBC = ctypes.CDLL(None, use_errno=True)
    return LIBC


def make_undumpable() -> None:
    try:
        libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - non-Linux host
        pass


def emit(nonce: str, record: dict) -> None:
    sys.stdout.write(nonce + " " + json.dumps(record) + "\n")
    sys.stdout.flush()


# -- the container's cgroup --------------------------------------------------------------

def own_anon() -> int:
    """The runner's own anonymous memory in bytes (``RssAnon``; 0 where unreadable)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Cgroup:
    """CPU and memory counters of the container's cgroup, v1 or v2 (None when absent)."""

    def __init__(self, root: str = "/sys/fs/cgroup"):
        self.v2 = os.path.exists(os.path.join(root, "cgroup.controllers"))
        if self.v2:
            self.cpu_path, self.mem_path = f"{root}/cpu.stat", f"{root}/memory.stat"
            self.usage_path, self.events_path = f"{root}/memory.current", f"{root}/memory.events"
        else:
            self.cpu_path, self.mem_path = f"{root}/cpuacct/cpuacct.usage", f"{root}/memory/memory.stat"
            self.usage_path = f"{root}/memory/memory.usage_in_bytes"
            self.events_path = f"{root}/memory/memory.oom_control"
        self.available = all(os.path.exists(p) for p in (self.cpu_path, self.mem_path, self.usage_path))
        self.idle: int | None = None
        """:meth:`memory` of the container proven clean, at its lowest so far."""
        self.left = 0
        """Bytes above ``idle`` + :data:`LEFTOVER_SLACK` after the last cleanup."""

    def settle(self) -> None:
        """After a cleanup that proved the container clean: what its runs left behind.

        Reclaimable kernel memory (a program that stats millions of missing names fills the
        dentry cache, charged to this cgroup) survives every cleanup. Left alone it would sit
        in the next run's baseline and be reclaimed when that run allocates: the run holds
        more than its limit while the counter barely moves, and the reclaim's CPU lands on
        whoever runs next (red-team round 3). So the excess is charged to the rest of the
        job (the same candidate) and the container is retired after it."""
        if not self.available:
            return
        now = self.memory() - own_anon()  # the runner's own heap (a compiled program it holds) is not left behind
        self.idle = now if self.idle is None else min(self.idle, now)
        self.left = max(0, now - self.idle - LEFTOVER_SLACK)

    @staticmethod
    def _read(path: str) -> str:
        with open(path) as fh:
            return fh.read()

    @staticmethod
    def _field(text: str, key: str) -> int:
        for line in text.splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
        return 0

    def cpu_ns(self) -> int:
        if self.v2:
            return self._field(self._read(self.cpu_path), "usage_usec") * 1000
        return int(self._read(self.cpu_path))

    def memory(self) -> int:
        """Everything charged to the container except reclaimable file cache, in bytes:
        anonymous and shared memory (tmpfs files, SysV shm, memfds) and kernel memory
        (socket and pipe buffers, page tables)."""
        text, usage = self._read(self.mem_path), int(self._read(self.usage_path))
        prefix = "" if self.v2 else "total_"
        return usage - self._field(text, prefix + "active_file") - self._field(text, prefix + "inactive_file")

    def oom_kills(self) -> int:
        try:
            return self._field(self._read(self.events_path), "oom_kill")
        except (OSError, ValueError):
            return 0


# -- starting and supervising one program --------------------------------------------------

def captured(fd: int) -> int:
    """Memory a capture file holds as output: its blocks, but never more than its size
    rounded up to a page. ``fallocate(KEEP_SIZE)`` on the append-only handle reserves blocks
    past the end that are no output (red-team round 3: 62 MB unseen on a 100 MB limit)."""
    st = os.fstat(fd)
    return min(st.st_blocks * 512, -(-st.st_size // 4096) * 4096)


def child_setup(run: dict, uid: int | None, cwd: str, fds: tuple[int, int, int]) -> None:
    """In the forked child: fds, session, limits, then drop to ``uid`` (never returns on error)."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(3, 65536)
    os.setsid()
    cpu = int(run.get("cpu_s", 2) + 0.999) + 1
    mem = int(run.get("memory_mb", 256)) * 1024 * 1024
    fsize = int(run.get("output_bytes", 32 << 20)) + 1  # the limit is the most bytes allowed
    if mem > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    # An unlimited stack: the main thread may recurse as deep as the memory limit allows,
    # and threads get glibc's default stack size. (A stack limit equal to the memory limit
    # made every pthread_create fail: its default stack is the soft stack limit.)
    resource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if uid is not None:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")  # the OOM killer takes the program, never the runner
        nproc = int(run.get("nproc", 64))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    os.chdir(cwd)
    os.umask(0o077)


def spawn(argv: list[str], env: dict, run: dict, uid: int | None, cwd: str, fds: tuple[int, int, int]) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            child_setup(run, uid, cwd, fds)
            os.execvpe(argv[0], argv, env)
        except BaseException as exc:  # noqa: BLE001 - report and leave, never return
            try:
                os.write(2, f"cannot start {argv[0]}: {exc}\n".encode())
            finally:
                os._exit(127)
    return pid


class Supervisor:
    """Waits for one program and everything it starts, enforcing whole-tree limits.

    Contained (``cgroup`` given): CPU and memory of the container's cgroup, read every
    ``POLL_S`` while the program runs and once more after every process is killed. Bare:
    the program's own rusage and process group, as a plain subprocess would have."""

    def __init__(self, cgroup: Cgroup | None, run: dict):
        self.cg = cgroup if cgroup is not None and cgroup.available else None
        self.contained = cgroup is not None
        self.capture: tuple[int, ...] = ()
        self.base = 0
        self.limit_cpu = float(run.get("cpu_s", 2.0))
        self.limit_mem = int(run.get("memory_mb", 256)) * 1024 * 1024
        self.killed_for = None
        self.peak = 0
        self.pid = 0

    def _tree_memory(self, base: int) -> int:
        return max(0, self.cg.memory() - base - sum(captured(fd) for fd in self.capture))

    def _tree_cpu(self, cpu0: int, self0: float) -> float:
        mine = time.process_time() - self0  # the runner's own polling is not the program's
        return max(0.0, (self.cg.cpu_ns() - cpu0) / 1e9 - mine)

    def baseline(self) -> None:
        """The container's memory once the run's folder is laid out (the program's files,
        which the run cannot delete, are not its memory), less what earlier runs of the job
        left behind (:meth:`Cgroup.settle`: charged to the job, not credited)."""
        self.base = self.cg.memory() - self.cg.left if self.cg else 0

    def wait(self, pid: int, wall: float) -> tuple[int, object, float, float]:
        """(status, rusage, elapsed, tree cpu seconds or -1 when not measured)."""
        self.pid, cg, base = pid, self.cg, self.base
        cpu0, self0 = (cg.cpu_ns(), time.process_time()) if cg else (0, 0.0)
        start = time.monotonic()
        pidfd = os.pidfd_open(pid)
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        status = usage = None
        try:
            while True:
                left = wall - (time.monotonic() - start)
                poller.poll(max(1, int(min(POLL_S, max(left, 0.0)) * 1000)))
                status, usage = self._reap(pid, status, usage)
                if status is not None:
                    break
                if time.monotonic() - start >= wall:
                    self._kill("wall")
                elif cg is not None:
                    memory = self._tree_memory(base)
                    self.peak = max(self.peak, memory)
                    if memory > self.limit_mem > 0:
                        self._kill("memory")
                    elif self._tree_cpu(cpu0, self0) > self.limit_cpu:
                        self._kill("cpu")
        finally:
            os.close(pidfd)
        elapsed = time.monotonic() - start
        if not self.contained:
            self._kill(None)  # background children left in its session
            return status, usage, elapsed, -1.0
        kill_everything(contained=True)
        if cg is None:
            return status, usage, elapsed, -1.0
        self.peak = max(self.peak, self._tree_memory(base))
        return status, usage, elapsed, self._tree_cpu(cpu0, self0)

    def _kill(self, why) -> None:
        if self.killed_for is None:
            self.killed_for = why
        if self.contained:
            kill_everything(contained=True, reap=False)
        else:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass

    @staticmethod
    def _reap(pid: int, status, usage):
        while True:
            try:
                found, st, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return status, usage
            if found == 0:
                return status, usage
            if found == pid:
                status, usage = st, ru


def kill_everything(contained: bool, reap: bool = True, budget: float = 2.0) -> bool:
    """SIGKILL every process but ourselves (and PID 1); reap until none is left."""
    if not contained:
        return True
    me, deadline = os.getpid(), time.monotonic() + budget
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not reap:
            return True
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not other_processes(me):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)


def other_processes(me: int) -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]


# -- cleaning and checking the container -------------------------------------------------

def remove_tree_contents(top: str, deadline: float) -> bool:
    """Remove everything inside ``top`` (not ``top``), at any depth, never following links.

    Walks by ``chdir`` into each folder, so neither path length nor open file descriptors
    limit the depth; root with DAC_OVERRIDE ignores the permissions a program set."""
    try:
        os.chdir(top)
    except OSError:
        return False
    stack: list[str] = []
    try:
        while True:
            if time.monotonic() > deadline:
                return False
            descended = False
            with os.scandir(".") as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        st = os.lstat(entry.name)
                        if stat.S_ISDIR(st.st_mode):
                            os.chdir(entry.name)
                            stack.append(entry.name)
                            descended = True
                            break
                    os.unlink(entry.name)
            if descended:
                continue
            if not stack:
                return True
            name = stack.pop()
            os.chdir("..")
            os.rmdir(name)
    except OSError:
        return False
    finally:
        os.chdir("/")


def remove_ipc() -> None:
    """Remove every SysV shared memory segment, message queue and semaphore set, and every
    POSIX message queue. IPC_RMID needs the owner's uid, so the runner takes it as its
    effective uid for the call (its saved uid stays 0, and no program of that uid is alive)."""
    kinds = (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl"))
    for name, call in kinds:
        for ident, owner in ipc_objects(name):
            try:
                os.seteuid(owner)
                if call == "semctl":
                    getattr(libc(), call)(ctypes.c_int(ident), 0, IPC_RMID)
                else:
                    getattr(libc(), call)(ctypes.c_int(ident), IPC_RMID, None)
            except OSError:
                pass
            finally:
                os.seteuid(0)
    try:
        for entry in os.listdir("/dev/mqueue"):
            try:
                os.unlink(os.path.join("/dev/mqueue", entry))
            except OSError:
                pass
    except OSError:
        pass


def ipc_objects(kind: str) -> list[tuple[int, int]]:
    """(id, owner uid) of the SysV IPC objects of ``kind`` in this IPC namespace."""
    try:
        with open(f"/proc/sysvipc/{kind}") as fh:
            header, *rows = fh.read().splitlines()
    except OSError:
        return []
    names = header.split()
    found = []
    for row in rows:
        values = dict(zip(names, row.split()))
        ident = values.get("shmid") or values.get("msqid") or values.get("semid")
        if ident is not None and "uid" in values:
            found.append((int(ident), int(values["uid"])))
    return found


def tmpfs_empty(path: str) -> bool:
    try:
        fs = os.statvfs(path)
    except OSError:
        return False
    return fs.f_blocks == fs.f_bfree and fs.f_files - fs.f_ffree <= 1


def clean_container(places: list[str], deadline: float) -> list[str]:
    """Kill, remove, then check. Returns what is still dirty (empty: proven clean)."""
    dirt = []
    if not kill_everything(contained=True):
        dirt.append("processes survive")
    remove_ipc()
    for place in places:
        if not remove_tree_contents(place, deadline):
            dirt.append(f"cannot empty {place}")
    for place in places:
        if not tmpfs_empty(place):
            dirt.append(f"{place} not empty")
    if any(ipc_objects(kind) for kind in ("shm", "msg", "sem")):
        dirt.append("SysV IPC objects survive")
    try:
        if os.listdir("/dev/mqueue"):
            dirt.append("POSIX message queues survive")
    except OSError:
        pass
    if other_processes(os.getpid()):
        dirt.append("processes survive")
    return dirt


# -- jobs --------------------------------------------------------------------------------

class Uids:
    """Fresh uids per run, cycling through a range the host gives the container."""

    def __init__(self):
        self.base = int(os.environ.get("ARCHON_UID_BASE", "200000"))
        self.size = int(os.environ.get("ARCHON_UID_COUNT", "64"))
        self.next = 0
        self.proven_clean = False
        """The last run ended with the container checked clean (nothing runs between jobs)."""

    def take(self) -> int:
        uid = self.base + self.next % self.size
        self.next += 1
        return uid


def read_output(fd: int, nonce: str, index, stream: str, cap: int) -> tuple[str, bool]:
    """Up to ``cap`` bytes of a capture file: inline when small, else sent ahead in chunks;
    and whether the file held more than ``cap``."""
    size = os.fstat(fd).st_size
    os.lseek(fd, 0, os.SEEK_SET)
    want = min(size, cap)
    if want <= CHUNK:
        data = os.read(fd, want) if want else b""
        return base64.b64encode(data).decode("ascii"), size > cap
    sent = 0
    while sent < want:
        piece = os.read(fd, min(CHUNK, want - sent))
        if not piece:
            break
        sent += len(piece)
        emit(nonce, {"step": "chunk", "index": index, "stream": stream,
                     "data": base64.b64encode(piece).decode("ascii")})
    return "", size > cap


def prepare_dir(path: str, program: list[tuple[str, bytes, int]], uid: int | None, own: bool) -> None:
    """A fresh folder holding the program's files.

    Judging (``own`` false): the folder and the files are root's, the folders sticky and
    world-writable, the files read-only: the run can add files but cannot change or delete
    its program (so deleting it can never free memory the run then uses). With ``own``
    (a project's test suite, which may rewrite its files) everything belongs to ``uid``."""
    owner = uid if (own and uid is not None) else None
    folder_mode = 0o700 if owner is not None or uid is None else 0o1777
    os.makedirs(path, mode=0o700)
    made = [path]
    for rel, data, mode in program:
        full = os.path.join(path, rel)
        parent = os.path.dirname(full)
        if not os.path.isdir(parent):
            os.makedirs(parent, mode=0o700)
            while os.path.abspath(parent) != os.path.abspath(path):
                made.append(parent)
                parent = os.path.dirname(parent)
        with open(full, "wb") as fh:
            fh.write(data)
        executable = mode & 0o111
        if owner is not None or uid is None:
            os.chmod(full, 0o700 if executable else 0o600)
        else:
            os.chmod(full, 0o555 if executable else 0o444)
        if owner is not None:
            os.chown(full, owner, owner)
    for folder in made:
        os.chmod(folder, folder_mode)
        if owner is not None:
            os.chown(folder, owner, owner)


def snapshot(folder: str) -> list[tuple[str, bytes, int]]:
    """The program folder's regular files, held in the (non-dumpable) runner's memory."""
    items = []
    for root, _, files in os.walk(folder):
        for name in files:
            full = os.path.join(root, name)
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode):
                with open(full, "rb") as fh:
                    items.append((os.path.relpath(full, folder), fh.read(), st.st_mode & 0o755))
    return items


class JobRunner:
    """Runs one job's compile step and runs, each as a fresh uid, cleaning after each."""

    def __init__(self, job: dict, nonce: str, uids: Uids, cgroup: Cgroup | None):
        self.job, self.nonce, self.uids = job, nonce, uids
        self.contained = bool(job.get("contained", True))
        self.cg = cgroup if self.contained else None
        self.work, self.out = job["work_dir"], job["out_dir"]
        self.places = [self.work] + list(job.get("wipe", SCRATCH if self.contained else []))

    def run(self) -> None:
        job = self.job
        os.makedirs(self.out, mode=0o700, exist_ok=True)
        if not (self.contained and self.uids.proven_clean):
            clean, dirt = self.clean()  # the first job of a container, or after a bare job
            if not clean:
                emit(self.nonce, {"step": "dirty", "dirt": dirt})
                return
        self.steps()
        if self.cg is not None and self.cg.left:  # every step has its result; the next job gets a fresh container
            emit(self.nonce, {"step": "dirty", "dirt": [f"{self.cg.left >> 20} MB of kernel memory left behind"]})

    def steps(self) -> None:
        job = self.job
        program = snapshot(os.path.join(job["job_dir"], "files"))
        if job.get("compile"):
            result, program = self.execute(job["compile"], program, "compile", keep=True)
            emit(self.nonce, {"step": "compile", **result})
            if result["exit_code"] != 0 or not result["clean"]:
                return
        for index, run in enumerate(job.get("runs", [])):
            result, _ = self.execute(run, program, index)
            emit(self.nonce, {"step": "run", "index": index, **result})
            if not result["clean"]:
                return  # the host retires this container
            if job.get("stop_on_failure") and (result["exit_code"] != 0 or result["wall_timeout"]):
                break

    def execute(self, run: dict, program: list, index, keep: bool = False) -> tuple[dict, list]:
        """Run one command in a fresh folder as a fresh uid; with ``keep``, also return what
        it left in its folder (a compiled program) before the cleanup."""
        self.uids.proven_clean = False  # until this run's cleanup has checked the container
        uid = self.uids.take() if self.contained else None
        run_dir = os.path.join(self.work, "run")
        supervisor = Supervisor(self.cg, run)
        prepare_dir(run_dir, program + self._inputs(run), uid, own=bool(self.job.get("own_files")))
        supervisor.baseline()
        paths = [os.path.join(self.out, name) for name in ("stdout", "stderr")]
        fout, ferr = (os.open(p, os.O_RDONLY | os.O_CREAT | os.O_TRUNC, 0o600) for p in paths)
        # The program gets write-only, append-only handles: it cannot map or read its
        # capture files (no scratch memory there), only add output.
        wout, werr = (os.open(p, os.O_WRONLY | os.O_APPEND) for p in paths)
        for p in paths:
            os.unlink(p)  # nothing by that name to replace: the runner keeps the only handles
        supervisor.capture = (fout, ferr)
        stdin_path = os.path.join(self.job["job_dir"], run["stdin"]) if run.get("stdin") else os.devnull
        oom_before = self.cg.oom_kills() if self.cg else 0
        env = dict(ENV, HOME=run_dir, TMPDIR=run_dir)
        argv = list(run["cmd"])
        fin = os.open(stdin_path, os.O_RDONLY)
        try:
            pid = spawn(argv, env, run, uid, run_dir, (fin, wout, werr))
            status, usage, elapsed, tree_cpu = supervisor.wait(pid, float(run.get("wall_s", 5.0)))
        finally:
            for fd in (fin, wout, werr):
                os.close(fd)
        result = self._result(run, index, status, usage, elapsed, tree_cpu, supervisor, (fout, ferr))
        result["oom_killed"] = bool(self.cg and self.cg.oom_kills() > oom_before) or supervisor.killed_for == "memory"
        os.close(fout)
        os.close(ferr)
        left = snapshot(run_dir) if keep else []
        result["clean"], result["dirt"] = self.clean()
        return result, left

    def _inputs(self, run: dict) -> list[tuple[str, bytes, int]]:
        items = []
        for rel in run.get("inputs", []):
            with open(os.path.join(self.job["job_dir"], rel), "rb") as fh:
                items.append((os.path.basename(rel), fh.read(), 0o400))
        return items

    def _result(self, run, index, status, usage, elapsed, tree_cpu, supervisor, fds) -> dict:
        output_limit = int(run.get("output_bytes", 32 << 20))
        full = os.fstat(fds[0]).st_size > output_limit
        # Past the output limit the verdict is OLE whatever was written: send back only a prefix.
        cap = 4096 if full else int(run.get("return_bytes", 16 << 20))
        stdout, truncated = read_output(fds[0], self.nonce, index, "stdout", cap)
        stderr, _ = read_output(fds[1], self.nonce, index, "stderr", int(run.get("stderr_bytes", 8192)))
        own_cpu = usage.ru_utime + usage.ru_stime
        return {
            "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "stdout": stdout,
            "stdout_truncated": truncated,
            "stderr": stderr,
            "cpu_s": round(max(own_cpu, tree_cpu), 4),
            "wall_s": round(elapsed, 4),
            # Contained: the tree's peak from the cgroup. (ru_maxrss of a child forked from the
            # runner would count the runner's own pages from before the exec.)
            "memory_kb": supervisor.peak // 1024 if self.cg is not None and self.cg.available
            else int(usage.ru_maxrss),
            "wall_timeout": supervisor.killed_for == "wall",
            "cpu_timeout": supervisor.killed_for == "cpu",
            "output_full": full,
        }

    def clean(self) -> tuple[bool, list[str]]:
        deadline = time.monotonic() + CLEAN_BUDGET_S
        if not self.contained:
            for place in self.places:
                remove_tree_contents(place, deadline)
            return True, []
        dirt = clean_container(self.places, deadline)
        self.uids.proven_clean = not dirt
        if not dirt and self.cg is not None:
            self.cg.settle()
        return not dirt, dirt


def run_one(job_dir: str, nonce: str, uids: Uids, cgroup: Cgroup | None) -> None:
    """One job; an internal failure is reported as an ``error`` step, never a silent exit."""
    try:
        with open(os.path.join(job_dir, "job.json")) as fh:
            job = json.load(fh)
        job["job_dir"] = job_dir
        JobRunner(job, nonce, uids, cgroup).run()
        emit(nonce, {"step": "done"})
    except Exception as exc:  # a runner fault: the host turns it into an infrastructure error
        emit(nonce, {"step": "error", "message": f"{type(exc).__name__}: {exc}"})
    finally:
        try:
            os.chdir("/")
        except OSError:
            pass


def serve_main() -> None:
    make_undumpable()
    contained = os.getpid() == 1
    uids, cgroup = Uids(), (Cgroup() if contained else None)
    for line in sys.stdin:
        nonce, _, job_dir = line.strip().partition(" ")
        if nonce and job_dir:
            run_one(job_dir, nonce, uids, cgroup)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve_main()
    elif len(sys.argv) == 2:
        make_undumpable()
        run_one(sys.argv[1], os.environ.pop("ARCHON_NONCE", ""), Uids(), Cgroup())
    else:
        sys.stderr.write("usage: runner.py --serve | runner.py JOB_DIR\n")
        sys.exit(2)
