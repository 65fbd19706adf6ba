"""`archon-code problems list|show|validate`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from archon_code.cli import cli
from archon_code.resources import resource_dir

SUM_TWO = resource_dir("problems") / "sum-two.yaml"
PROBLEM = """id: {id}
title: Add
statement: Print a+b.
time_limit_s: 1
tests:
  public: [{{input: "1 2\\n", output: "3\\n"}}]
  hidden: [{{input: "2 2\\n", output: "4\\n"}}]
solutions:
  - {{source: "a, b = map(int, input().split())\\nprint({expr})\\n"}}
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def run_main(*args: str) -> subprocess.CompletedProcess:
    code = "from archon_code.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)


def write(folder: Path, ident: str, expr: str) -> Path:
    path = folder / f"{ident}.yaml"
    path.write_text(PROBLEM.format(id=ident, expr=expr))
    return path


def test_list_table(tmp_path):
    write(tmp_path, "add", "a + b")
    result = run("problems", "list", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output == (
        "ID   STYLE     PUB   HID   TIME    MEM  CHECKER        TITLE\n"
        "add  stdio       1     1     1s  256MB  tokens         Add\n"
        "1 problem\n"
    )


def test_list_json_with_ids_and_limit(tmp_path):
    for name in ("a", "b", "c"):
        write(tmp_path, name, "a + b")
    result = run("problems", "list", str(tmp_path), "--ids", "c,a", "--ids", "b", "--limit", "2", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0] == {"id": "a", "title": "Add", "style": "stdio", "public": 1, "hidden": 1, "time_limit_s": 1.0,
                       "memory_limit_mb": 256, "checker": "tokens", "interactive": False, "solutions": 1, "tags": [],
                       "origin": str(tmp_path / "a.yaml")}


def test_list_shipped_problems():
    result = run("problems", "list", str(resource_dir("problems")), "--json")
    assert result.exit_code == 0, result.output
    ids = [r["id"] for r in json.loads(result.output)]
    assert "sum-two" in ids and "max-subarray" in ids and len(ids) >= 12


def test_show_text():
    result = run("problems", "show", str(SUM_TWO))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        "sum-two: Sum of two integers",
        "style stdio, time 1 s, memory 256 MB, checker tokens",
        "tests: 2 public, 5 hidden; solutions: 1 correct, 1 incorrect",
        "tags: easy, math",
    ]
    assert lines[-8:] == ["--- public test 0: input", "1 2", "--- public test 0: output", "3",
                          "--- public test 1: input", "-5 3", "--- public test 1: output", "-2"]


def test_show_json_is_the_file_format():
    result = run("problems", "show", str(SUM_TWO), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["id"], len(data["tests"]["hidden"]), data["origin"]) == ("sum-two", 5, str(SUM_TWO))


def test_show_picks_by_id(tmp_path):
    write(tmp_path, "a", "a + b")
    write(tmp_path, "b", "a + b")
    result = run("problems", "show", str(tmp_path), "--id", "b")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "b: Add"


def test_show_several_without_id_is_an_error(tmp_path):
    write(tmp_path, "a", "a + b")
    write(tmp_path, "b", "a + b")
    done = run_main("problems", "show", str(tmp_path))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"error: {tmp_path} holds 2 problems; choose one with --id (e.g. 'a')\n"


def test_malformed_problem_is_a_one_line_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nstatement: s\ntests: {public: [{input: '1', output: 3}]}\n")
    done = run_main("problems", "list", str(path))
    assert done.returncode == 2
    assert done.stderr == f"error: {path}: field 'tests.public[0].output': expected a string, got int\n"


def test_validate_ok_and_fail_exit_codes(judge, tmp_path):
    good = write(tmp_path, "good", "a + b")
    write(tmp_path, "bad", "a * b")
    ok = run("problems", "validate", str(good), "--quiet", "--workers", "1")
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[0] == "OK    good  1 solution x 2 tests"
    assert ok.output.splitlines()[1].startswith("1 problem: 1 OK, 0 FAIL; 2 test runs in ")
    both = run("problems", "validate", str(tmp_path), "--json", "--quiet")
    assert both.exit_code == 1, both.output
    report = json.loads(both.output)
    assert [(p["id"], p["ok"]) for p in report["problems"]] == [("bad", False), ("good", True)]
    assert report["problems"][0]["reasons"] == [
        "correct solution[0] (py) rejected on test 0 (public): WA: token 1: expected '3', got '2' "
        "(likely: wrong answer: the expected output or the solution is wrong, or several answers are accepted)"]
    assert {k: report["totals"][k] for k in ("problems", "ok", "fail", "test_runs")} == {
        "problems": 2, "ok": 1, "fail": 1, "test_runs": 4}


def test_validate_exit_code_through_entry_point(judge, tmp_path):
    write(tmp_path, "bad", "a - b")
    done = run_main("problems", "validate", str(tmp_path), "--quiet")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == "FAIL  bad  1 solution x 2 tests"
