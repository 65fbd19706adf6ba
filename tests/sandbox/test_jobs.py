"""The job format shared with the runner, and the bare local runner (no engine needed)."""

from __future__ import annotations

import json

import pytest

from archon_code.errors import SandboxError
from archon_code.sandbox.config import Job, Run
from archon_code.sandbox.jobs import parse_records, write_job_dir
from archon_code.sandbox.local import LocalProcessRunner

JOB = Job(files={"a.py": b"print(1)"}, runs=(Run(cmd=("python3", "a.py"), cpu_s=1.0),) * 2)


def line(nonce: str, **rec) -> bytes:
    return (nonce + " " + json.dumps(rec) + "\n").encode()


def test_records_become_exec_results():
    out = line("n", step="run", index=0, exit_code=0, stdout="aGk=", cpu_s=0.5) + line("n", step="done")
    result = parse_records(out, "n", JOB, runner_status=0, runner_stderr=b"", watchdog=False)
    assert result.complete and result.runs[0].stdout == "hi" and not result.runs[0].timed_out


def test_lines_without_the_nonce_are_ignored():
    out = line("forged", step="run", index=0, exit_code=0, stdout="aGk=") + line("n", step="done")
    result = parse_records(out, "n", JOB, runner_status=0, runner_stderr=b"", watchdog=False)
    assert result.runs == ()


def test_cpu_over_the_limit_is_a_timeout():
    out = line("n", step="run", index=0, exit_code=0, cpu_s=1.5) + line("n", step="done")
    assert parse_records(out, "n", JOB, runner_status=0, runner_stderr=b"", watchdog=False).runs[0].timed_out


def test_a_killed_runner_ends_the_job_early_without_error():
    out = line("n", step="run", index=0, exit_code=0)
    result = parse_records(out, "n", JOB, runner_status=137, runner_stderr=b"", watchdog=False)
    assert not result.complete and len(result.runs) == 1


def test_a_crashed_runner_is_an_infrastructure_error():
    with pytest.raises(SandboxError, match="sandbox runner failed: KeyError: 'cmd'"):
        parse_records(b"", "n", JOB, runner_status=1, runner_stderr=b"Traceback...\nKeyError: 'cmd'\n", watchdog=False)


def test_job_file_names_must_stay_inside(tmp_path):
    with pytest.raises(SandboxError, match="must be relative"):
        write_job_dir(tmp_path, Job(files={"../evil": b""}), work_dir="/w", out_dir="/o", wipe=[], contained=True)


def test_local_runner_runs_the_same_job_format():
    job = Job(files={"a.py": b"import sys\nprint(sys.stdin.read().upper())"}, inputs={"0.in": b"abc"},
              runs=(Run(cmd=("python3", "a.py"), stdin="0.in"),))
    with LocalProcessRunner() as runner:
        result = runner.run_job(job)
    assert result.complete and result.runs[0].stdout == "ABC\n" and result.runs[0].exit_code == 0
