import json

from archon_code.bench.store import BenchRecord, ResultStore, record_key


def _rec(problem: str, status: str = "pass", arch: str = "single", sample: int = 0, **kw) -> BenchRecord:
    return BenchRecord(arch=arch, problem=problem, sample=sample, status=status, **kw)


def test_append_then_load_round_trips(tmp_path):
    store = ResultStore(tmp_path / "results.jsonl")
    first, second = _rec("a", calls=3, program="print(1)"), _rec("b", "fail", sample=1)
    store.append(first)
    store.append(second)
    assert store.load() == {first.key: first, second.key: second}
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 2


def test_torn_last_line_is_skipped_and_repaired(tmp_path):
    path = tmp_path / "results.jsonl"
    store = ResultStore(path)
    store.append(_rec("a"))
    with open(path, "a") as handle:
        handle.write('{"arch": "single", "problem": "b", "sam')  # killed mid-write
    assert list(store.load()) == [record_key("single", "a", 0)]
    store.append(_rec("b"))
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    assert json.loads(lines[2])["problem"] == "b"
    assert sorted(r.problem for r in store.load().values()) == ["a", "b"]


def test_duplicates_keep_the_last_record(tmp_path):
    store = ResultStore(tmp_path / "r.jsonl")
    store.append(_rec("a", "fail"))
    store.append(_rec("a", "pass"))
    assert [r.status for r in store.load().values()] == ["pass"]


def test_error_records_are_dropped_so_they_rerun(tmp_path):
    store = ResultStore(tmp_path / "r.jsonl")
    store.append(_rec("a", "error", error="SandboxError: engine gone"))
    store.append(_rec("b", "fail"))
    assert [r.problem for r in store.load().values()] == ["b"]
    assert sorted(r.problem for r in store.load(keep_errors=True).values()) == ["a", "b"]


def test_reset_forgets_everything(tmp_path):
    store = ResultStore(tmp_path / "r.jsonl")
    store.append(_rec("a"))
    store.reset()
    assert store.load() == {}


def test_missing_file_loads_empty(tmp_path):
    assert ResultStore(tmp_path / "none.jsonl").load() == {}
