"""``--ray`` on a real Ray cluster: a head and a worker node (``ray start --num-cpus 1`` each)
inside a network namespace this module creates, the real Docker sandbox on every node.

Benches use the ``single`` preset with the scripted recorded-solutions LLM (tests/ray/scripted.py,
no model) through tests/ray/driver.py; ``problems validate`` needs no model and runs through
the real command line. Every Ray result is compared with the same run done locally.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest

from tests.conftest import ROOT, require_docker
from tests.ray.driver import COST_ONLY
from tests.ray.netns import NetnsCluster, unavailable_reason, wait_for

pytestmark = pytest.mark.docker

SHIPPED = 13  # problems in problems/, one task each with --arch single


def _require_cluster() -> None:
    require_docker()
    reason = unavailable_reason()
    if reason:
        if os.environ.get("ARCHON_CODE_REQUIRE_DOCKER") == "1":
            pytest.fail(f"the Ray tests are required here: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster():
    _require_cluster()
    with NetnsCluster(workers=1, port=6391) as running:
        yield running


def _driver(cluster: NetnsCluster, out, *extra: str) -> dict:
    done = cluster.netns(sys.executable, "-m", "tests.ray.driver", cluster.address, str(out), *extra, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def local_bench(tmp_path_factory, cluster) -> list[dict]:
    """The reference: the same bench run here on one local sandbox."""
    result = _driver(cluster, tmp_path_factory.mktemp("local") / "bench", "--local")
    assert result["new"] == SHIPPED
    return result["records"]


def _keys(path) -> list[str]:
    return [(r["arch"], r["problem"], r["sample"]) for r in map(json.loads, path.read_text().splitlines())]


def test_local_reference_has_passes_and_fails(local_bench):
    statuses = {r["problem"]: r["status"] for r in local_bench}
    assert len(statuses) == SHIPPED
    assert sorted(p for p, s in statuses.items() if s == "pass") == [
        "circle", "count-vowels", "fizzbuzz", "is-palindrome", "reverse-string", "sum-list", "two-sum-any"]
    assert sorted(p for p, s in statuses.items() if s == "fail") == [
        "count-inversions", "exact-staircase", "gcd-lcm", "max-subarray", "reverse-words", "sum-two"]


def test_bench_on_ray_equals_local_and_resumes(cluster, local_bench, tmp_path):
    out = tmp_path / "bench"
    first = _driver(cluster, out)
    assert first["new"] == SHIPPED
    assert first["records"] == local_bench
    again = _driver(cluster, out)
    assert again["new"] == 0
    assert again["records"] == local_bench
    local_resume = _driver(cluster, out, "--local")  # a Ray run resumes locally too
    assert local_resume["new"] == 0
    keys = _keys(out / "results.jsonl")
    assert len(keys) == SHIPPED and len(set(keys)) == SHIPPED


def test_validate_shipped_problems_on_ray_equals_local(cluster):
    on_ray = cluster.cli("problems", "validate", "problems/", "--json", "-q", "--ray", cluster.address)
    local = cluster.cli("problems", "validate", "problems/", "--json", "-q", "--workers", "2")
    assert (on_ray.returncode, local.returncode) == (0, 0), on_ray.stderr[-2000:] + local.stderr[-2000:]
    ray_reports, local_reports = json.loads(on_ray.stdout), json.loads(local.stdout)
    strip = lambda reports: [{k: v for k, v in r.items() if k != "seconds"} for r in reports["problems"]]  # noqa: E731
    assert strip(ray_reports) == strip(local_reports)
    assert len(ray_reports["problems"]) == SHIPPED
    assert ray_reports["totals"]["ok"] == SHIPPED
    assert ray_reports["totals"]["test_runs"] == local_reports["totals"]["test_runs"]
    assert "ray: 2 node(s), 2 task slot(s)" in on_ray.stderr


def test_unreachable_model_is_an_error_record_then_resume_retries_it(cluster, local_bench, tmp_path):
    out = tmp_path / "bench"
    first = _driver(cluster, out, "--unreachable", "circle,sum-two")
    errors = {r["problem"]: r for r in first["records"] if r["status"] == "error"}
    assert sorted(errors) == ["circle", "sum-two"], [r["error"] for r in errors.values()]
    assert "scripted outage for circle" in errors["circle"]["error"]
    assert [r for r in first["records"] if r["status"] != "error"] == [
        r for r in local_bench if r["problem"] not in ("circle", "sum-two")]
    again = _driver(cluster, out)
    assert again["new"] == 2
    assert again["records"] == local_bench


def test_driver_killed_with_minus_9_resumes_without_loss_or_duplicates(cluster, local_bench, tmp_path):
    out = tmp_path / "bench"
    driver = cluster.python(["-m", "tests.ray.driver", cluster.address, str(out), "--delay", "1.0"])
    results = out / "results.jsonl"
    try:
        assert wait_for(lambda: results.exists() and len(results.read_text().splitlines()) >= 3, timeout=180)
    finally:
        os.kill(driver.pid, signal.SIGKILL)
        driver.communicate(timeout=60)
    written = len(_keys(results))
    assert 3 <= written < SHIPPED
    resumed = _driver(cluster, out)
    assert resumed["new"] == SHIPPED - written
    assert resumed["records"] == local_bench
    keys = _keys(results)
    assert len(keys) == SHIPPED and len(set(keys)) == SHIPPED


def test_worker_node_killed_mid_run_still_completes_and_equals_local(cluster, local_bench, tmp_path):
    victim = cluster.add_worker()  # a third node, killed below; the module's two nodes stay up
    out = tmp_path / "bench"
    driver = cluster.python(["-m", "tests.ray.driver", cluster.address, str(out), "--delay", "1.5"])
    results = out / "results.jsonl"
    try:
        assert wait_for(lambda: results.exists() and len(results.read_text().splitlines()) >= 3, timeout=180)
        cluster.kill_node(victim)
        stdout, stderr = driver.communicate(timeout=600)
    finally:
        if driver.poll() is None:
            driver.kill()
    assert driver.returncode == 0, stderr[-3000:]
    assert stdout.startswith("{"), stdout[:3000]
    assert "ray: 3 node(s), 3 task slot(s)" in stderr
    assert "ray: lost the worker on node" in stderr, stderr[-3000:]
    result = json.loads(stdout)
    assert result["new"] == SHIPPED
    assert result["records"] == local_bench
    keys = _keys(results)
    assert len(keys) == SHIPPED and len(set(keys)) == SHIPPED


def test_search_on_ray_asks_the_same_trials_as_locally_and_resumes(cluster, tmp_path):
    local = _driver(cluster, tmp_path / "local", "--search", "--local")
    on_ray = _driver(cluster, tmp_path / "ray", "--search")
    assert local["new"] == on_ray["new"] == 2
    assert [t["state"] for t in on_ray["trials"]] == ["COMPLETE", "COMPLETE"]
    assert on_ray == local
    again = _driver(cluster, tmp_path / "ray", "--search")
    assert again["new"] == 0
    assert {k: v for k, v in again.items() if k != "new"} == {k: v for k, v in on_ray.items() if k != "new"}


def test_bench_command_on_ray_sends_the_model_options_to_the_nodes(cluster, tmp_path):
    """The real ``bench --ray`` command, its model on an endpoint that refuses connections
    (127.0.0.1:9 inside the namespace): every task is an error record naming that endpoint,
    never a fail, and the command exits 1 (rerun to retry)."""
    out = tmp_path / "bench"
    done = cluster.cli("bench", "problems/", "--arch", "single", "--ids", "sum-two,fizzbuzz", "--model",
                       "openai/gpt-4o-mini", "--api-base", "http://127.0.0.1:9/v1", "--retries", "0",
                       "--no-cache", "--out", str(out), "--json", "--ray", cluster.address)
    assert done.returncode == 1, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    (single,) = summary["archs"]
    assert (single["arch"], single["problems"], single["errors"], summary["new_records"]) == ("single", 0, 2, 2)
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(r["problem"] for r in records) == ["fizzbuzz", "sum-two"]
    assert {r["status"] for r in records} == {"error"}
    assert all("127.0.0.1:9" in r["error"] for r in records), [r["error"] for r in records]
    assert "ray: 2 node(s), 2 task slot(s)" in done.stderr


def test_an_address_where_nothing_listens_is_one_line_at_once(cluster):
    done = cluster.cli("problems", "validate", "problems/sum-two.yaml", "--ray", "127.0.0.1:1", timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "error: option '--ray': cannot connect to '127.0.0.1:1': Connection refused"
    assert "Traceback" not in done.stderr


@pytest.mark.model
def test_bench_command_with_the_embedded_model_on_ray_equals_local(cluster, tmp_path):
    """The real command and the real embedded 0.5B model, started inside a node's worker: the
    record equals the one of the same command run locally (greedy, seeded: the same program)."""
    from tests.conftest import require_model

    require_model()
    args = ["bench", "problems/", "--arch", "single", "--model", "local/qwen2.5-coder-1.5b-q8", "--ids", "sum-two",
            "--no-cache", "--json"]
    on_ray = cluster.cli(*args, "--out", str(tmp_path / "ray"), "--ray", cluster.address, timeout=900)
    local = cluster.cli(*args, "--out", str(tmp_path / "local"), timeout=900)
    assert (on_ray.returncode, local.returncode) == (0, 0), on_ray.stderr[-2000:] + local.stderr[-2000:]
    records = [[{k: v for k, v in json.loads(line).items() if k not in COST_ONLY}
                for line in (tmp_path / name / "results.jsonl").read_text().splitlines()] for name in ("ray", "local")]
    assert records[0] == records[1]
    (record,) = records[0]
    assert (record["problem"], record["status"], record["calls"], record["error"]) == ("sum-two", "pass", 1, "")
