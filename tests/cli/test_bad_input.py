"""Bad input files: one line naming the file on stderr, exit 2, never a traceback.

Every command that reads a user file (problem, architecture, trace, solution) is run on a
non-UTF-8 file, a binary file and, where it applies, an empty one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archon_code.errors import ConfigError, ProblemError
from archon_code.textio import plural, read_text
from tests.support.cli import run_main

ROOT = Path(__file__).resolve().parents[2]
SUM_TWO = str(ROOT / "problems" / "sum-two.yaml")


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A folder (the cwd) holding broken files with short relative names."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes(b"id: p\nstatement: caf\xe9\n")
    (tmp_path / "nul.yaml").write_bytes(b"id: p\x00\n")
    (tmp_path / "latin1.jsonl").write_bytes(b'\n\xff\n')
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "sol.py").write_bytes(b"print('caf\xe9')\n")
    (tmp_path / "arch.yaml").write_bytes(b"name: a\nlayers:\n  - - {type: generator, model: caf\xe9}\n")
    (tmp_path / "trace.jsonl").write_bytes(b'{"event": "run_start", "t": 0}\n\xfe\n')
    (tmp_path / "empty-trace.jsonl").write_bytes(b"\n")
    (tmp_path / "nopub.yaml").write_text("id: p\nstatement: Print 1.\ntests:\n  hidden:\n  - {input: '', output: '1'}\n")
    (tmp_path / "notests.yaml").write_text("id: p\nstatement: Print 1.\n")
    return tmp_path


LATIN1 = "error: latin1.yaml: not UTF-8 text (byte 0xe9 at line 2, offset 20)\n"
NUL = "error: nul.yaml: binary file (NUL byte at offset 5), expected UTF-8 text\n"


@pytest.mark.parametrize("args, err", [
    (("problems", "list", "latin1.yaml"), LATIN1),
    (("problems", "show", "latin1.yaml"), LATIN1),
    (("problems", "validate", "latin1.yaml"), LATIN1),
    (("problems", "list", "nul.yaml"), NUL),
    (("problems", "list", "latin1.jsonl"), "error: latin1.jsonl: line 2: not UTF-8 text (byte 0xff at column 1)\n"),
    (("problems", "list", "empty.jsonl"), "error: empty.jsonl: the file is empty (no JSON records)\n"),
    (("judge", "latin1.yaml", "sol.py"), LATIN1),
    (("judge", SUM_TWO, "sol.py"), "error: solution sol.py: not UTF-8 text (byte 0xe9 at line 1, offset 10)\n"),
    (("solve", "latin1.yaml"), LATIN1),
    (("solve", SUM_TWO, "--arch", "arch.yaml"),
     "error: arch.yaml: not UTF-8 text (byte 0xe9 at line 3, offset 50)\n"),
    (("bench", "latin1.yaml", "--arch", "single"), LATIN1),
    (("bench", SUM_TWO, "--arch", "arch.yaml"), "error: arch.yaml: not UTF-8 text (byte 0xe9 at line 3, offset 50)\n"),
    (("arch", "validate", "arch.yaml"), "error: arch.yaml: not UTF-8 text (byte 0xe9 at line 3, offset 50)\n"),
    (("arch", "validate", "nul.yaml"), NUL),
    (("trace", "show", "trace.jsonl"), "error: trace file trace.jsonl: not UTF-8 text (byte 0xfe at line 2, offset 31)\n"),
    (("trace", "show", "nul.yaml"), "error: trace file nul.yaml: binary file (NUL byte at offset 5), expected UTF-8 text\n"),
    (("trace", "show", "empty-trace.jsonl"), "error: trace file empty-trace.jsonl: empty (no events)\n"),
    (("trace", "show", "missing.jsonl"), "error: trace file missing.jsonl: cannot read: No such file or directory\n"),
    (("judge", "notests.yaml", "sol.py"), "error: notests.yaml: problem 'p' has no tests\n"),
    (("solve", "nopub.yaml"), "error: nopub.yaml: problem 'p' has no public tests: solve would have no evidence "
                              "that a program works (add public tests)\n"),
])
def test_bad_files_are_one_line_exit_2(files, monkeypatch, capsys, args, err):
    code, out, stderr = run_main(monkeypatch, capsys, *args)
    assert (code, out, stderr) == (2, "", err)


def test_problem_input_file_not_utf8(files, monkeypatch, capsys):
    (files / "in.txt").write_bytes(b"1 2\n\xff\n")
    (files / "p.yaml").write_text("id: p\nstatement: s\ntests:\n  public:\n  - {input_file: in.txt, output: '3'}\n")
    code, out, err = run_main(monkeypatch, capsys, "problems", "list", "p.yaml")
    assert (code, out) == (2, "")
    assert err == ("error: p.yaml: field 'tests.public[0].input': "
                   "in.txt: not UTF-8 text (byte 0xff at line 2, offset 4)\n")


@pytest.mark.parametrize("field, value, message", [
    ("time_limit_s", "1e9", "must be <= 60, got '1e9'"),
    ("time_limit_s", "61", "must be <= 60, got 61"),
    ("time_limit_s", "0", "must be > 0, got 0"),
    ("memory_limit_mb", "100000", "must be <= 4096, got 100000"),
])
def test_limits_are_bounded(files, monkeypatch, capsys, field, value, message):
    (files / "p.yaml").write_text(f"id: p\nstatement: s\n{field}: {value}\n")
    code, out, err = run_main(monkeypatch, capsys, "problems", "list", "p.yaml")
    assert (code, out, err) == (2, "", f"error: p.yaml: field '{field}': {message}\n")


def test_largest_limits_are_accepted(files, monkeypatch, capsys):
    (files / "p.yaml").write_text("id: p\nstatement: s\ntime_limit_s: 60\nmemory_limit_mb: 4096\n")
    code, out, _ = run_main(monkeypatch, capsys, "problems", "list", "p.yaml", "--json")
    assert code == 0
    assert '"time_limit_s": 60.0' in out and '"memory_limit_mb": 4096' in out


def test_architecture_yaml_error_names_the_line(files, monkeypatch, capsys):
    (files / "a.yaml").write_text("name: a\nlayers:\n  - - {type: generator\n  - - {type: evaluator}\n")
    code, out, err = run_main(monkeypatch, capsys, "arch", "validate", "a.yaml")
    assert (code, out) == (2, "")
    assert err == "error: a.yaml: invalid YAML at line 4: expected ',' or '}', but got '{'\n"
    (files / "a.json").write_text('{"name": "a",\n "layers": [}\n')
    code, out, err = run_main(monkeypatch, capsys, "arch", "validate", "a.json")
    assert (code, err) == (2, "error: a.json: invalid JSON at line 2: Expecting value\n")


def test_read_text_unreadable(tmp_path):
    with pytest.raises(ConfigError) as info:
        read_text(tmp_path, ConfigError, "trace file")
    assert str(info.value) == f"trace file {tmp_path}: cannot read: Is a directory"
    good = tmp_path / "ok.txt"
    good.write_bytes("café\n".encode())
    assert read_text(good, ProblemError) == "café\n"


def test_plural():
    assert [plural(0, "call"), plural(1, "call"), plural(2, "call")] == ["0 calls", "1 call", "2 calls"]
    assert plural(1, "candidate") == "1 candidate"
    assert plural(3, "match", "matches") == "3 matches"


PROVIDERS = ("use PROVIDER/NAME with a litellm provider (openai/, anthropic/, ollama/, ...; "
             "https://docs.litellm.ai/docs/providers) or local/qwen2.5-coder-1.5b-q8")


@pytest.mark.parametrize("args, err", [
    (("solve", SUM_TWO, "--model", ""), "--model: the model name is empty; give a litellm model "
                                        "(openai/gpt-4o-mini, ollama/qwen2.5-coder, ...) or local/qwen2.5-coder-1.5b-q8"),
    (("solve", SUM_TWO, "--model", "bogus/x"), f"--model: model 'bogus/x': unknown provider 'bogus'; {PROVIDERS}"),
    (("solve", SUM_TWO, "--model", "qwen"), f"--model: model 'qwen': no provider prefix; {PROVIDERS}"),
    (("solve", SUM_TWO, "--model", "local/nope"), "--model: unknown local model 'local/nope'; allowed: "
                                                  "local/qwen2.5-coder-0.5b, local/qwen2.5-coder-1.5b, "
                                                  "local/qwen2.5-coder-1.5b-q4, local/qwen2.5-coder-1.5b-q8 "
                                                  "or local/<PATH>.gguf"),
    (("solve", SUM_TWO, "--model", "local/x.gguf"), "--model: model 'local/x.gguf': no such GGUF file 'x.gguf'"),
    (("solve", SUM_TWO, "--arch", "model-arch.yaml"),
     f"architecture m: layer 1, component 1: model 'nope/x': unknown provider 'nope'; {PROVIDERS}"),
    (("bench", SUM_TWO, "--arch", "single", "--model", "bogus/x"),
     f"--model: model 'bogus/x': unknown provider 'bogus'; {PROVIDERS}"),
    (("search", SUM_TWO, "--model", "local/qwen2.5-coder-0.5b", "--model", "foo/bar"),
     f"--model: model 'foo/bar': unknown provider 'foo'; {PROVIDERS}"),
    (("suggest", ".", "--model", ""), "--model: the model name is empty; give a litellm model "
                                      "(openai/gpt-4o-mini, ollama/qwen2.5-coder, ...) or local/qwen2.5-coder-1.5b-q8"),
])
def test_bad_models_are_rejected_before_any_work(files, monkeypatch, capsys, args, err):
    (files / "model-arch.yaml").write_text("name: m\nlayers:\n  - - {type: generator, model: nope/x}\n")
    code, out, stderr = run_main(monkeypatch, capsys, *args)
    assert (code, out, stderr) == (2, "", f"error: {err}\n")
    assert not (files / "bench-runs").exists() and not (files / "search-runs").exists()


def test_model_from_the_environment_is_checked(files, monkeypatch, capsys):
    monkeypatch.setenv("ARCHON_CODE_MODEL", "bogus/y")
    code, _, err = run_main(monkeypatch, capsys, "solve", SUM_TWO)
    assert (code, err) == (2, f"error: ARCHON_CODE_MODEL: model 'bogus/y': unknown provider 'bogus'; {PROVIDERS}\n")
