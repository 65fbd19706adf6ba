"""Without Ray installed the command line works as before and never tries to import it; ``--ray``
(or ``ARCHON_CODE_RAY``) is then one line naming the extra, exit 2. A meta-path hook in the
subprocess hides ``ray`` (installed or not) and records every attempt to import it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT, require_docker

HIDE_RAY = """
import json, sys
attempts = []

class HideRay:
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideRay())
for name in [m for m in sys.modules if m == "ray" or m.startswith("ray.")]:
    del sys.modules[name]
import atexit
atexit.register(lambda: print("RAY-IMPORTS " + json.dumps(attempts), file=sys.stderr))
from archon_code.cli import main
sys.argv = ["archon-code", *sys.argv[1:]]
main()
"""

MISSING = "error: option '--ray' needs Ray: pip install 'archon-code[ray]'"


def _run(*args: str, env: dict | None = None) -> tuple[int, str, list[str], list[str]]:
    """exit code, stdout, stderr lines without the marker, names of attempted ray imports."""
    environ = {k: v for k, v in os.environ.items() if k != "ARCHON_CODE_RAY"}
    done = subprocess.run([sys.executable, "-c", HIDE_RAY, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**environ, **(env or {})})
    lines = done.stderr.splitlines()
    marker = [line for line in lines if line.startswith("RAY-IMPORTS ")]
    assert len(marker) == 1, done.stderr[-2000:]
    return done.returncode, done.stdout, [x for x in lines if x not in marker], json.loads(marker[0].split(" ", 1)[1])


def test_help_lists_the_option_and_imports_no_ray():
    for command in (["bench", "--help"], ["search", "--help"], ["problems", "validate", "--help"]):
        code, out, _, attempts = _run(*command)
        assert (code, attempts) == (0, [])
        assert "--ray ADDRESS" in out


def test_validate_runs_locally_without_ray():
    require_docker()
    code, out, err, attempts = _run("problems", "validate", "problems/sum-two.yaml", "--json", "-q")
    assert (code, attempts) == (0, []), err
    report = json.loads(out)
    assert report["totals"]["problems"] == 1 and report["totals"]["ok"] == 1
    assert report["problems"][0]["id"] == "sum-two"


def test_ray_option_without_ray_is_one_line_naming_the_extra():
    code, out, err, attempts = _run("problems", "validate", "problems/sum-two.yaml", "--ray", "127.0.0.1:1")
    assert (code, out, err, attempts) == (2, "", [MISSING], ["ray"])
    code, out, err, attempts = _run("bench", "problems/", "--arch", "single", "--ids", "sum-two", "--ray", "auto",
                                    "--out", "/tmp/archon-no-ray-bench")
    assert (code, out, err[-1], attempts) == (2, "", MISSING, ["ray"])
    assert not any("Traceback" in line for line in err)


def test_environment_variable_selects_ray_too():
    code, out, err, attempts = _run("search", "problems/", "--trials", "1", "--out", "/tmp/archon-no-ray-search",
                                    env={"ARCHON_CODE_RAY": "auto"})
    assert (code, out, err[-1], attempts) == (2, "", MISSING, ["ray"])
