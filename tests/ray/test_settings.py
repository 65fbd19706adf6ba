"""Ray settings from the environment: defaults, overrides, one-line errors naming the setting."""

from __future__ import annotations

import pytest

from archon_code.distributed import RaySettings, WorkerSettings
from archon_code.errors import ConfigError


def test_defaults(monkeypatch):
    monkeypatch.delenv("ARCHON_CODE_RAY_CPUS_PER_TASK", raising=False)
    monkeypatch.delenv("ARCHON_CODE_RAY_MAX_ATTEMPTS", raising=False)
    settings = RaySettings.from_env("auto")
    assert (settings.address, settings.cpus_per_task, settings.max_attempts) == ("auto", 1.0, 3)
    assert WorkerSettings() == WorkerSettings(slots=1, cache=True, llm_config=None, llm_factory=None,
                                              requests_per_task=4)


def test_a_node_sizes_its_embedded_model_slots_like_a_local_bench(monkeypatch):
    """Each node's server gets (tasks on the node) x (the bench's largest architecture's requests
    in flight) slots, as ``bench --workers`` does locally; the command's model options are kept."""
    from archon_code.architecture import load_architecture
    from archon_code.architecture.config import largest_concurrency
    from archon_code.llm.client import LLMClientConfig
    from archon_code.llm.local_config import MAX_SLOTS

    monkeypatch.delenv("ARCHON_CODE_LOCAL_SLOTS", raising=False)
    per_task = largest_concurrency([load_architecture("single"), load_architecture("full")], 4)
    assert (per_task, largest_concurrency([load_architecture("single")], 4), largest_concurrency([], 3)) == (4, 1, 3)
    command = LLMClientConfig(timeout_s=7, local={"threads": 1})
    node = WorkerSettings(slots=3, llm_config=command, requests_per_task=per_task).client_config()
    assert (node.local.parallel, node.max_concurrency, node.timeout_s, node.local.threads) == (12, 12, 7, 1)
    single = WorkerSettings(slots=2, requests_per_task=1).client_config()
    assert (single.local.parallel, single.timeout_s) == (2, LLMClientConfig().timeout_s)
    assert WorkerSettings(slots=8, requests_per_task=4).client_config().local.parallel == MAX_SLOTS


def test_environment_and_overrides(monkeypatch):
    monkeypatch.setenv("ARCHON_CODE_RAY_CPUS_PER_TASK", "0.5")
    monkeypatch.setenv("ARCHON_CODE_RAY_MAX_ATTEMPTS", "5")
    settings = RaySettings.from_env("ray://head:10001")
    assert (settings.address, settings.cpus_per_task, settings.max_attempts) == ("ray://head:10001", 0.5, 5)
    assert RaySettings.from_env("auto", max_attempts=1).max_attempts == 1


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ARCHON_CODE_RAY_CPUS_PER_TASK", "0", "Ray setting 'cpus_per_task': must be > 0, got '0'"),
    ("ARCHON_CODE_RAY_MAX_ATTEMPTS", "none", "Ray setting 'max_attempts': expected an integer, got 'none'"),
])
def test_bad_values_are_one_line(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        RaySettings.from_env("auto")
    assert str(error.value) == message


def test_empty_address_is_refused():
    with pytest.raises(ConfigError) as error:
        RaySettings.from_env("")
    assert str(error.value).startswith("Ray setting 'address': must have at least 1 character, got ''")
