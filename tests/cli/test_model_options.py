"""--api-base, --api-key-env, --timeout, --retries and exact budgets through the real CLI,
against a real model server on 127.0.0.1 and the real sandbox."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import ROOT, require_docker
from tests.llm.fake_openai import FakeOpenAI
from tests.support.cli import run_main

SUM_TWO = str(ROOT / "problems" / "sum-two.yaml")
PROGRAM = "```python\nprint(sum(map(int, input().split())))\n```"
MODEL = "openai/fake-model"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("ARCHON_CODE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("FAKE_KEY", "sk-from-fake-key")
    for name in ("OPENAI_API_BASE", "OPENAI_BASE_URL", "ARCHON_CODE_API_BASE", "ARCHON_CODE_API_KEY_ENV",
                 "ARCHON_CODE_TIMEOUT", "ARCHON_CODE_RETRIES"):
        monkeypatch.delenv(name, raising=False)


def solve(monkeypatch, capsys, server, *args):
    return run_main(monkeypatch, capsys, "solve", SUM_TWO, "--arch", "single", "--model", MODEL,
                    "--api-base", server.api_base, "--api-key-env", "FAKE_KEY", "--quiet", *args)


def test_api_base_and_key_env_are_used(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(answer=PROGRAM) as server:
        code, out, err = solve(monkeypatch, capsys, server)
    assert code == 0, err
    assert server.keys == ["sk-from-fake-key"]
    assert out.startswith("print(sum(map(int, input().split())))\n")


def test_options_default_from_the_environment(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(["hang"], hang_s=5, answer=PROGRAM) as server:
        monkeypatch.setenv("ARCHON_CODE_API_BASE", server.api_base)
        monkeypatch.setenv("ARCHON_CODE_API_KEY_ENV", "FAKE_KEY")
        monkeypatch.setenv("ARCHON_CODE_TIMEOUT", "0.5")
        monkeypatch.setenv("ARCHON_CODE_RETRIES", "1")
        code, out, err = run_main(monkeypatch, capsys, "solve", SUM_TWO, "--arch", "single", "--model", MODEL, "--quiet")
    assert code == 0, err
    assert len(server.requests) == 2  # the hung first attempt timed out after 0.5 s, one retry answered
    assert server.keys == ["sk-from-fake-key"] * 2


def test_a_missing_key_variable_is_a_one_line_error(monkeypatch, capsys):
    code, out, err = run_main(monkeypatch, capsys, "solve", SUM_TWO, "--arch", "single", "--model", MODEL,
                              "--api-key-env", "NO_SUCH_VAR")
    assert code == 2
    assert err == "error: --api-key-env NO_SUCH_VAR: the environment variable NO_SUCH_VAR is not set\n"


def test_timeout_and_retries_bound_a_hung_endpoint(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(default="hang", hang_s=30) as server:
        started = time.monotonic()
        code, out, err = solve(monkeypatch, capsys, server, "--timeout", "0.5", "--retries", "1")
        elapsed = time.monotonic() - started
    assert code == 2
    assert elapsed < 10
    assert len(server.requests) == 2
    assert err.splitlines()[-1] == (
        f"error: no candidate for sum-two: the model call failed; first: model {MODEL} timed out at "
        f"{server.api_base}: no answer within 0.5s (after 2 attempts)")


def test_errors_name_the_endpoint_from_openai_api_base(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(default="503") as server:
        monkeypatch.setenv("OPENAI_API_BASE", server.api_base)
        code, out, err = run_main(monkeypatch, capsys, "solve", SUM_TWO, "--arch", "single", "--model", MODEL, "--quiet",
                                  "--api-key-env", "FAKE_KEY", "--retries", "0")
    assert code == 2
    assert err.splitlines()[-1].endswith(f"failed with a server error at {server.api_base}: 503 scripted 503 "
                                         "(after 1 attempt)")
    assert "provider's default endpoint" not in err


def test_budget_calls_1_with_four_parallel_samples_makes_one_request(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(["slow"], hang_s=0.5, answer=PROGRAM) as server:
        code, out, err = solve(monkeypatch, capsys, server, "--arch", "best-of-n", "--budget-calls", "1", "--json")
    assert code == 0, err
    assert len(server.requests) == 1
    result = json.loads(out)
    assert (result["usage"]["calls"], result["stopped_by_budget"]) == (1, "calls")
    assert [f["kind"] for f in result["failures"]] == ["budget"] * 3


def test_budget_tokens_300_never_spends_more(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(answer=PROGRAM, full_usage=True) as server:  # every answer uses all of its max_tokens
        code, out, err = solve(monkeypatch, capsys, server, "--arch", "best-of-n", "--budget-tokens", "300", "--json")
    assert code == 0, err
    result = json.loads(out)
    billed = sum(sum(len(str(m["content"])) for m in r["messages"]) // 4 + r["max_tokens"] for r in server.requests)
    assert 0 < result["usage"]["tokens"] == billed <= 300  # what the server counted, all requests
    assert result["stopped_by_budget"] == "tokens"
    assert len(server.requests) >= 1


def test_budget_calls_1_against_a_failing_endpoint_makes_one_request(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(default="500") as server:
        code, out, err = solve(monkeypatch, capsys, server, "--arch", "best-of-n", "--budget-calls", "1")
    assert code == 2
    assert len(server.requests) == 1
    assert err.splitlines()[-1] == (
        f"error: no candidate for sum-two: the model call failed; first: model {MODEL} failed with a server "
        f"error at {server.api_base}: 500 scripted 500 (after 1 attempt; call budget of 1 call used up)")


def test_one_garbage_answer_among_failed_calls_is_an_infrastructure_error(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(["say:I cannot help with that."], default="500") as server:
        code, out, err = solve(monkeypatch, capsys, server, "--arch", "best-of-n", "--retries", "0")
    assert code == 2, out
    assert len(server.requests) == 4
    [line] = err.splitlines()
    assert line.startswith("error: no candidate for sum-two: 3 model calls failed and 1 answer held no program; "
                           f"first: model {MODEL} failed with a server error at {server.api_base}")


def test_bench_records_the_same_case_as_an_error(monkeypatch, capsys, tmp_path):
    require_docker()
    with FakeOpenAI(["say:I cannot help with that."], default="500") as server:
        code, out, err = run_main(monkeypatch, capsys, "bench", str(ROOT / "problems"), "--ids", "sum-two",
                                  "--arch", "best-of-n", "--model", MODEL, "--api-base", server.api_base,
                                  "--api-key-env", "FAKE_KEY", "--retries", "0", "--out", str(tmp_path / "b"))
    assert code == 1
    [record] = [json.loads(line) for line in (tmp_path / "b" / "results.jsonl").read_text().splitlines()]
    assert record["status"] == "error"
    assert "3 model calls failed and 1 answer held no program" in record["error"]


def test_budget_seconds_cuts_a_hanging_call(monkeypatch, capsys):
    require_docker()
    with FakeOpenAI(default="hang", hang_s=30) as server:
        started = time.monotonic()
        code, out, err = solve(monkeypatch, capsys, server, "--budget-seconds", "2", "--json")
        elapsed = time.monotonic() - started
    assert elapsed < 8
    assert code == 1
    result = json.loads(out)
    assert result["stopped_by_budget"] == "seconds"
    assert [f["message"] for f in result["failures"]] == [
        f"seconds budget of 2s ran out during a call by layer1/generator0 ({MODEL})"]
