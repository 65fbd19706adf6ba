"""``archon-code judge`` and ``archon-code sandbox`` as a user runs them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_docker

ROOT = Path(__file__).resolve().parents[2]
SUM_TWO = str(ROOT / "problems" / "sum-two.yaml")


def cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "archon_code", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def solutions(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    (tmp_path / "bad.py").write_text("a, b = map(int, input().split())\nprint(a * b)\n")
    (tmp_path / "good.cpp").write_text("#include <cstdio>\nint main(){long long a,b;scanf(\"%lld %lld\",&a,&b);"
                                       "printf(\"%lld\\n\",a+b);}\n")
    return tmp_path


@pytest.mark.docker
def test_accepted_solution_exits_0_with_a_table(solutions):
    require_docker()
    out = cli("judge", SUM_TWO, str(solutions / "good.py"), "--tests", "public")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["#", "kind", "verdict", "cpu", "s", "wall", "s", "mem", "MB", "message"]
    assert [line.split()[2] for line in lines[1:-1]] == ["AC", "AC"]
    assert lines[-1] == "verdict: AC (2/2 tests passed)"


@pytest.mark.docker
def test_cpp_by_extension_and_json_output(solutions):
    require_docker()
    out = cli("judge", SUM_TWO, str(solutions / "good.cpp"), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["problem"], data["verdict"]) == ("sum-two", "AC")
    assert {t["kind"] for t in data["tests"]} == {"public", "hidden"}


@pytest.mark.docker
def test_rejected_solution_exits_1(solutions):
    require_docker()
    out = cli("judge", SUM_TWO, str(solutions / "bad.py"), "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["verdict"] == "WA"


def test_malformed_problem_is_one_line_and_exit_2(tmp_path, solutions):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nstatement: s\ntime_limit_s: fast\n")
    out = cli("judge", str(bad), str(solutions / "good.py"))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ")
    assert "time_limit_s" in out.stderr and "Traceback" not in out.stderr


def test_missing_docker_engine_is_one_line_and_exit_2(solutions):
    out = cli("judge", SUM_TWO, str(solutions / "good.py"), env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert out.returncode == 2
    assert out.stderr.startswith("error: no Docker engine answers at unix:///nonexistent/docker.sock")
    assert out.stderr.count("\n") == 1


def test_missing_image_names_the_build_command(solutions):
    require_docker()
    out = cli("judge", SUM_TWO, str(solutions / "good.py"), env={"ARCHON_CODE_SANDBOX_IMAGE": "archon-code-sandbox:nope"})
    assert out.returncode == 2
    assert out.stderr == ("error: sandbox image archon-code-sandbox:nope is missing: run 'archon-code sandbox build "
                          "--offline' (or 'archon-code sandbox build' with a registry)\n")


def test_sandbox_status_reports_engine_and_image():
    require_docker()
    out = cli("sandbox", "status", "--json")
    data = json.loads(out.stdout)
    assert out.returncode == 0 and data["image_present"] is True
    assert data["image"].startswith("archon-code-sandbox:")


def test_help_does_not_import_litellm():
    code = "import sys; from archon_code.cli import cli; cli.main(['--help'], standalone_mode=False); " \
           "print('litellm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.docker
def test_cpp_compile_errors_name_the_users_file(tmp_path):
    require_docker()
    (tmp_path / "mine.cpp").write_text("int main() { return undefined_name; }\n")
    out = cli("judge", SUM_TWO, str(tmp_path / "mine.cpp"), "--tests", "public")
    assert out.returncode == 1, out.stderr
    assert "compiler: mine.cpp:" in out.stdout and "sol.cpp" not in out.stdout
