"""``solve``, ``arch`` and ``trace`` commands: output, JSON, one-line errors with exit 2."""

from __future__ import annotations

import json

import yaml

from archon_code.architecture import Tracer
from tests.support.cli import run_main


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run ``archon-code ARGS`` in-process through the real entry point."""
    return run_main(monkeypatch, capsys, *args)


def test_arch_list(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "arch", "list")
    assert code == 0
    assert out.splitlines()[:2] == [
        "best-of-n  generator -> evaluator -> ranker",
        "           Four samples, run on the public tests, best by execution evidence."]
    code, out, _ = run(monkeypatch, capsys, "arch", "list", "--json")
    assert [a["name"] for a in json.loads(out)] == ["best-of-n", "codet", "full", "repair", "single"]
    assert json.loads(out)[1]["shape"] == "generator+generator -> differential -> ranker"


def test_arch_show_yaml_and_json(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "arch", "show", "best-of-n")
    assert code == 0
    assert yaml.safe_load(out) == {
        "name": "best-of-n", "description": "Four samples, run on the public tests, best by execution evidence.",
        "layers": [[{"type": "generator", "temperature": 0.8, "samples": 4}], [{"type": "evaluator"}],
                   [{"type": "ranker"}]]}
    code, out, _ = run(monkeypatch, capsys, "arch", "show", "single", "--json", "--defaults")
    assert json.loads(out)["layers"][0][0] == {"type": "generator", "model": None, "temperature": 0.0,
                                                "max_tokens": 1024, "samples": 1, "models": [], "parallel": None}


def test_arch_validate(monkeypatch, capsys, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("name: mine\nlayers:\n  - - {type: generator, samples: 2}\n  - - {type: evaluator}\n")
    code, out, _ = run(monkeypatch, capsys, "arch", "validate", str(good))
    assert (code, out) == (0, f"ok: {good}: mine (2 layers, 2 components: generator -> evaluator)\n")
    code, out, _ = run(monkeypatch, capsys, "arch", "validate", str(good), "--json")
    assert json.loads(out)["valid"] is True
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "b", "layers": [[{"type": "generator"}], [{"type": "fuser", "samples": 0}]]}))
    code, out, err = run(monkeypatch, capsys, "arch", "validate", str(bad))
    assert (code, out) == (2, "")
    assert err == f"error: {bad}: layer 2, component 1 (fuser): field 'samples': must be >= 1, got 0\n"


def test_solve_errors_are_one_line_exit_2(monkeypatch, capsys, tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text("id: p\nstatement: Print 1.\ntests:\n  public:\n  - {input: '', output: '1'}\n")
    code, _, err = run(monkeypatch, capsys, "solve", str(problem), "--arch", "nope")
    assert (code, err) == (2, "error: unknown architecture 'nope'; presets: best-of-n, codet, full, repair, single "
                              "(or a path to a .json/.yaml file)\n")
    monkeypatch.setenv("ARCHON_CODE_ARCH", str(tmp_path / "missing.yaml"))
    code, _, err = run(monkeypatch, capsys, "solve", str(problem))
    assert (code, err) == (2, f"error: architecture file {tmp_path / 'missing.yaml'} does not exist\n")
    monkeypatch.delenv("ARCHON_CODE_ARCH")
    code, _, err = run(monkeypatch, capsys, "solve", str(problem), "--budget-calls", "0")
    assert code == 2 and "Invalid value for '--budget-calls': 0 is not in the range x>=1." in err


def test_solve_several_problems_need_an_id(monkeypatch, capsys, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(f"id: {name}\nstatement: Print 1.\n")
    code, _, err = run(monkeypatch, capsys, "solve", str(tmp_path))
    assert code == 2
    assert err.startswith(f"error: {tmp_path} holds 2 problems (a, b, ...): pick one with --id")


def test_trace_show_text_and_json(monkeypatch, capsys, tmp_path):
    path = tmp_path / "t.jsonl"
    tracer = Tracer(path)
    tracer.event("run_start", problem="p", architecture="single", model="m", lang="py", public_tests=1)
    tracer.event("llm_call", tag="layer1/generator0", model="m", sample=0, temperature=0.0,
                 messages=[{"role": "user", "content": "solve it"}], text="```python\nprint(1)\n```",
                 cached=False, usage={"prompt_tokens": 5, "completion_tokens": 7})
    tracer.close()
    code, out, _ = run(monkeypatch, capsys, "trace", "show", str(path))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "run p  architecture single  model m  lang py  1 public test"
    assert lines[1].endswith("LLM  layer1/generator0  m #0  tokens 5+7")
    assert lines[2:] == ["      | ```python", "      | print(1)", "      | ```"]
    code, out, _ = run(monkeypatch, capsys, "trace", "show", str(path), "--full")
    assert "      | solve it" in out
    code, out, _ = run(monkeypatch, capsys, "trace", "show", str(path), "--json")
    assert [e["event"] for e in json.loads(out)] == ["run_start", "llm_call"]
    path.write_text('{"event": "run_start", "t": 0}\nnot json\n')
    code, _, err = run(monkeypatch, capsys, "trace", "show", str(path))
    assert (code, err) == (2, f"error: trace file {path}: line 2 is not JSON\n")
