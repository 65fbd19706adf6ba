"""An installed wheel carries sandbox/, prompts/ and problems/ and judges from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import require_docker

ROOT = Path(__file__).resolve().parents[1]

PROBLEM = """\
id: twice
title: Twice
statement: Print twice the integer on the input.
tests:
  public:
    - {input: "4\\n", output: "8\\n"}
  hidden:
    - {input: "-3\\n", output: "-6\\n"}
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv (seeing the host's site-packages for the dependencies) with the wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    str(ROOT), "-w", str(tmp / "dist")], check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("archon_code-*.whl"))
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(tmp / "venv")
    python = tmp / "venv" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--force-reinstall", str(wheel)], check=True, capture_output=True)
    return tmp


def run_in(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run(list(args), cwd=tmp, env=env, capture_output=True, text=True, timeout=300)


def test_wheel_resources_come_from_the_installed_package(installed):
    python = str(installed / "venv" / "bin" / "python")
    code = ("import archon_code.resources as r, archon_code;"
            "print(archon_code.__file__);"
            "print(*(r.resource_dir(n) / f for n, f in [('sandbox','runner.py'),('prompts','generator.j2'),"
            "('problems','sum-two.yaml')]), sep='\\n')")
    out = run_in(installed, python, "-c", code)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert all(str(installed / "venv") in line for line in lines), lines
    assert all(Path(line).is_file() for line in lines[1:])


def test_installed_wheel_judges_a_solution(installed):
    require_docker()
    (installed / "twice.yaml").write_text(PROBLEM)
    (installed / "sol.py").write_text("print(2 * int(input()))\n")
    out = run_in(installed, str(installed / "venv" / "bin" / "archon-code"), "judge", "twice.yaml", "sol.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1] == "verdict: AC (2/2 tests passed)"
