"""SIGINT / SIGTERM on real ``archon-code`` processes with model calls in flight.

Each command runs as a subprocess against a loopback model server that answers the first
request(s) and then hangs; the test signals it and checks it exits 130 within seconds, says
what it kept, keeps every finished result, and leaves no sandbox container labelled with
its pid (other runs' containers are live, so only ``archon-code.owner=<host>:<pid>`` counts).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_docker
from tests.llm.fake_openai import FakeOpenAI

SUM = "```python\nprint(sum(map(int, input().split())))\n```"
EXIT_WITHIN_S = 8.0  # grace period (4 s) plus container removal on a loaded 2-core machine


def _owned_containers(pid: int) -> list[str]:
    from archon_code.sandbox import connect

    label = f"archon-code.owner={socket.gethostname()}:{pid}"
    return [c.short_id for c in connect().containers.list(all=True, filters={"label": label}, ignore_removed=True)]


def _left_behind(pid: int) -> list[str]:
    """Containers of the exited process still there 5 s after its exit (its reaper's time)."""
    deadline = time.monotonic() + 5
    while (left := _owned_containers(pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _start(args: list[str], server: FakeOpenAI, tmp_path: Path, cwd: Path | None = None) -> subprocess.Popen:
    env = dict(os.environ, FAKE_KEY="sk-test", ARCHON_CODE_CACHE_DIR=str(tmp_path / "cache"),
               ARCHON_CODE_API_BASE=server.api_base, ARCHON_CODE_API_KEY_ENV="FAKE_KEY", PYTHONUNBUFFERED="1")
    env.pop("OPENAI_API_BASE", None)
    return subprocess.Popen([sys.executable, "-m", "archon_code", *args], cwd=cwd or ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until(condition, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"exited early ({proc.returncode}): {out[-2000:]} {err[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("condition not reached")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen, *signals: signal.Signals) -> tuple[float, str, str]:
    """Send the signals (0.2 s apart); seconds until exit, stdout, stderr."""
    started = time.monotonic()
    for sig in signals:
        proc.send_signal(sig)
        time.sleep(0.2)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"still running 60 s after {signals}: {err[-2000:]}")
    return time.monotonic() - started, out, err


def _bench(server: FakeOpenAI, tmp_path: Path) -> subprocess.Popen:
    return _start(["bench", str(ROOT / "problems"), "--ids", "sum-two,sum-list,gcd-lcm", "--arch", "single",
                   "--model", "openai/fake-model", "--out", str(tmp_path / "out"), "--no-cache"], server, tmp_path)


@pytest.fixture
def hanging_after_one():
    """Answers the first request with a program, then hangs every request for a minute."""
    with FakeOpenAI(["ok"], hang_s=60, default="hang", answer=SUM) as server:
        yield server


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_bench_stops_keeps_finished_records_and_removes_its_containers(hanging_after_one, tmp_path, sig):
    require_docker()
    results = tmp_path / "out" / "results.jsonl"
    proc = _bench(hanging_after_one, tmp_path)
    _wait_until(lambda: results.exists() and results.read_text().count("\n") == 1
                and len(hanging_after_one.requests) == 2 and _owned_containers(proc.pid), proc)
    seconds, _, err = _stop(proc, sig)
    assert proc.returncode == 130, err
    assert seconds < EXIT_WITHIN_S, err
    assert f"archon-code: {sig.name}: stopping (Ctrl-C again exits at once)" in err
    assert f"archon-code: interrupted: kept 1 finished record in {results}; rerun the same command to resume" in err
    assert "Traceback" not in err
    [record] = [json.loads(line) for line in results.read_text().splitlines()]
    assert (record["problem"], record["status"]) == ("gcd-lcm", "fail")  # a finished wrong answer is kept too
    assert _left_behind(proc.pid) == []


def test_a_second_ctrl_c_exits_at_once(hanging_after_one, tmp_path):
    require_docker()
    proc = _bench(hanging_after_one, tmp_path)
    _wait_until(lambda: len(hanging_after_one.requests) == 2, proc)
    seconds, _, err = _stop(proc, signal.SIGINT, signal.SIGINT)
    assert proc.returncode == 130
    assert seconds < 1.5, err
    assert "archon-code: SIGINT again: exiting now" in err


def test_solve_stops_a_hanging_call(tmp_path):
    require_docker()
    with FakeOpenAI(default="hang", hang_s=60) as server:
        proc = _start(["solve", str(ROOT / "problems" / "sum-two.yaml"), "--arch", "single",
                       "--model", "openai/fake-model",
                       "--no-cache", "--trace", str(tmp_path / "run.jsonl")], server, tmp_path)
        _wait_until(lambda: len(server.requests) == 1, proc)
        seconds, out, err = _stop(proc, signal.SIGINT)
    assert proc.returncode == 130, err
    assert seconds < EXIT_WITHIN_S, err
    assert (f"archon-code: interrupted: solve stopped before choosing a program; nothing kept but the trace so "
            f"far in {tmp_path / 'run.jsonl'}") in err
    assert "Traceback" not in err
    assert _left_behind(proc.pid) == []


def test_search_stops_keeps_its_study_and_resumes_the_interrupted_trial(tmp_path):
    """Ctrl-C in the middle of trial 0: the rerun of the same command runs trial 0's point
    first (optuna marks an interrupted trial FAIL, which alone would lose it)."""
    import optuna

    require_docker()
    out = tmp_path / "study"
    args = ["search", str(ROOT / "problems"), "--limit", "4", "--trials", "1", "--strategy", "random",
            "--model", "openai/fake-model", "--out", str(out), "--no-cache"]
    with FakeOpenAI(["ok"], default="hang", hang_s=60, answer=SUM) as server:
        proc = _start(args, server, tmp_path)
        _wait_until(lambda: len(server.requests) >= 2, proc)
        seconds, _, err = _stop(proc, signal.SIGINT)
    assert proc.returncode == 130, err
    assert seconds < EXIT_WITHIN_S, err
    assert f"archon-code: interrupted: kept every finished trial in {out}" in err
    assert _left_behind(proc.pid) == []
    storage = f"sqlite:///{out / 'search.db'}"
    stopped = optuna.load_study(study_name=None, storage=storage).get_trials(deepcopy=False)
    assert [t.state.name for t in stopped] == ["FAIL", "WAITING"], err
    assert stopped[1].system_attrs["fixed_params"] == stopped[0].params and stopped[0].params  # queued
    assert stopped[1].user_attrs == {"requeued_from": 0}
    with FakeOpenAI(answer=SUM) as server:  # the same command again, with a model that answers
        proc = _start(args, server, tmp_path)
        try:
            out_text, err = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("the resumed search did not finish in 10 minutes")
    assert proc.returncode == 0, err[-3000:]
    resumed = optuna.load_study(study_name=None, storage=storage).get_trials(deepcopy=False)
    assert [t.state.name for t in resumed] == ["FAIL", "COMPLETE"], err[-3000:]
    assert resumed[1].params == stopped[0].params  # the interrupted point, not a new sample


def test_problems_validate_stops_and_removes_its_containers(tmp_path):
    require_docker()
    with FakeOpenAI() as server:  # unused: validate calls no model
        proc = _start(["problems", "validate", str(ROOT / "problems"), "--workers", "2"], server, tmp_path)
        _wait_until(lambda: len(_owned_containers(proc.pid)) >= 1, proc)
        seconds, _, err = _stop(proc, signal.SIGINT)
    assert proc.returncode == 130, err
    assert seconds < EXIT_WITHIN_S, err
    assert "Traceback" not in err
    assert re.search(r"archon-code: interrupted: validated \d+ of 13 problems before the interrupt, \d+ OK", err), err
    assert _left_behind(proc.pid) == []


def test_suggest_stops_while_the_model_hangs(tmp_path):
    require_docker()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "calc.py").write_text("def add(a, b):\n    return a - b\n")
    (repo / "test_calc.py").write_text("from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n")
    with FakeOpenAI(default="hang", hang_s=60) as server:
        proc = _start(["suggest", str(repo), "--model", "openai/fake-model", "--no-cache"], server, tmp_path)
        _wait_until(lambda: len(server.requests) >= 1, proc, timeout=180)
        seconds, out, err = _stop(proc, signal.SIGTERM)
    assert proc.returncode == 130, err
    assert seconds < EXIT_WITHIN_S, err
    assert f"archon-code: interrupted: suggest stopped; nothing kept and no file of {repo} changed" in err
    assert (repo / "calc.py").read_text() == "def add(a, b):\n    return a - b\n"
    assert _left_behind(proc.pid) == []
