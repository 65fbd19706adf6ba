"""Pieces of sandbox/runner.py that run anywhere: cgroup v1 and v2 counters, the cleanup of
deep and locked trees. (The runner is a standard-library script; it is loaded by path.)"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"


@pytest.fixture(scope="module")
def runner():
    spec = importlib.util.spec_from_file_location("archon_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_cgroup_v2_counters(runner, tmp_path):
    _write(tmp_path, {
        "cgroup.controllers": "cpu memory pids\n",
        "cpu.stat": "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n",
        "memory.current": str(300 << 20) + "\n",
        "memory.stat": f"anon {100 << 20}\nfile {150 << 20}\nactive_file {100 << 20}\ninactive_file {40 << 20}\n"
                       f"shmem {10 << 20}\nsock {50 << 20}\n",
        "memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n",
    })
    cg = runner.Cgroup(str(tmp_path))
    assert (cg.v2, cg.available) == (True, True)
    assert cg.cpu_ns() == 2_500_000_000
    assert cg.memory() == (300 - 100 - 40) << 20  # all but reclaimable file cache
    assert cg.oom_kills() == 1


def test_cgroup_v1_counters(runner, tmp_path):
    _write(tmp_path, {
        "cpuacct/cpuacct.usage": "1234567890\n",
        "memory/memory.usage_in_bytes": str(200 << 20) + "\n",
        "memory/memory.stat": f"cache {80 << 20}\nrss {60 << 20}\ntotal_active_file {30 << 20}\n"
                              f"total_inactive_file {20 << 20}\ntotal_rss {60 << 20}\n",
        "memory/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
    })
    cg = runner.Cgroup(str(tmp_path))
    assert (cg.v2, cg.available) == (False, True)
    assert cg.cpu_ns() == 1234567890
    assert cg.memory() == (200 - 30 - 20) << 20
    assert cg.oom_kills() == 2


def test_missing_cgroup_is_unavailable(runner, tmp_path):
    assert runner.Cgroup(str(tmp_path)).available is False


@pytest.mark.skipif(os.geteuid() != 0, reason="locked folders are removable only with DAC override (root)")
def test_cleanup_removes_deep_locked_trees_and_never_follows_links(runner):
    # Not under pytest's tmp_path: if this test failed, a 3000-deep tree there would break
    # pytest's own clean-up of old temp folders (shutil.rmtree recurses).
    base = Path(tempfile.mkdtemp(prefix="archon-deep-"))
    try:
        _deep_tree_case(runner, base)
    finally:
        subprocess.run(["rm", "-rf", "--one-file-system", str(base)], check=False)


def _deep_tree_case(runner, tmp_path: Path) -> None:
    top, outside = tmp_path / "place", tmp_path / "outside"
    top.mkdir()
    outside.mkdir()
    (outside / "keep").write_text("must survive")
    os.symlink(outside, top / "link-out")
    cwd = os.getcwd()
    try:
        os.chdir(top)
        for _ in range(3000):  # deeper than PATH_MAX and the recursion limit
            os.mkdir("d")
            os.chdir("d")
        os.symlink(outside / "keep", "link-file")
        with open("secret", "w") as fh:
            fh.write("x")
    finally:
        os.chdir(cwd)
    os.chmod(top / "d", 0)
    assert runner.remove_tree_contents(str(top), time.monotonic() + 30)
    assert os.listdir(top) == []
    assert (outside / "keep").read_text() == "must survive"


def test_cleanup_gives_up_past_its_deadline(runner, tmp_path):
    for i in range(50):
        (tmp_path / f"f{i}").write_text("x")
    assert runner.remove_tree_contents(str(tmp_path), time.monotonic() - 1) is False


def test_ipc_objects_parse_the_kernel_table(runner, monkeypatch, tmp_path):
    table = tmp_path / "shm"
    table.write_text("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid\n"
                     "         0         42  1600               1048576   10    10      0 200001 200001 200001 200001\n")
    real_open = open

    def fake_open(path, *args, **kwargs):
        return real_open(table if path == "/proc/sysvipc/shm" else path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", fake_open)
    assert runner.ipc_objects("shm") == [(42, 200001)]
