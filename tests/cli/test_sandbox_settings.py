"""The ARCHON_CODE_SANDBOX_* settings reach the sandbox of every command that opens one
(each goes through ``archon_code.sandbox.open_sandbox``), and a real container gets them."""

from __future__ import annotations

import pytest

from archon_code.errors import SandboxUnavailableError
from archon_code.sandbox import DockerSandbox, Job, Run, open_sandbox
from archon_code.sandbox.local import LocalProcessRunner
from tests.conftest import ROOT, require_docker
from tests.support.cli import run_main

SUM_TWO = str(ROOT / "problems" / "sum-two.yaml")
REPO = str(ROOT / "tests" / "fixtures" / "repos" / "calc_bug")


@pytest.fixture
def started(monkeypatch, tmp_path):
    """Records the config of every DockerSandbox a command starts, then refuses to start."""
    configs = []

    def start(self):
        configs.append(self.config)
        raise SandboxUnavailableError("sandbox start recorded by the test")

    monkeypatch.setattr(DockerSandbox, "start", start)
    monkeypatch.setenv("ARCHON_CODE_SANDBOX_MEMORY_MB", "777")
    for name in ("ARCHON_CODE_WORKERS", "ARCHON_CODE_BENCH_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARCHON_CODE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sol.py").write_text("print(sum(map(int, input().split())))\n")
    return configs


COMMANDS = {
    "judge": ["judge", SUM_TWO, "sol.py"],
    "solve": ["solve", SUM_TWO, "--quiet"],
    "bench": ["bench", str(ROOT / "problems"), "--arch", "single", "--limit", "2", "--out", "b"],
    "search": ["search", str(ROOT / "problems"), "--limit", "2", "--trials", "1", "--out", "s"],
    "problems validate": ["problems", "validate", SUM_TWO],
    "suggest": ["suggest", REPO, "--quiet"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_memory_setting_reaches_the_commands_sandbox(command, started, monkeypatch, capsys):
    code, out, err = run_main(monkeypatch, capsys, *COMMANDS[command])
    assert err.endswith("sandbox start recorded by the test\n"), err
    assert code == 2
    assert [c.memory_mb for c in started] == [777]


def test_open_sandbox_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ARCHON_CODE_SANDBOX_MEMORY_MB", "640")
    monkeypatch.setenv("ARCHON_CODE_SANDBOX_IMAGE", "archon-code-sandbox:some-tag")
    box = open_sandbox(workers=3)
    assert (type(box), box.config.memory_mb, box.config.workers, box.image) == (
        DockerSandbox, 640, 3, "archon-code-sandbox:some-tag")
    local = open_sandbox("local")
    assert (type(local), local.config.memory_mb) == (LocalProcessRunner, 640)


def test_a_real_container_gets_the_memory_setting(monkeypatch):
    require_docker()
    monkeypatch.setenv("ARCHON_CODE_SANDBOX_MEMORY_MB", "640")
    with open_sandbox(workers=1) as box:
        result = box.run_job(Job(runs=(Run(cmd=("true",)),)))
        (slot,) = box._all
        slot.container.reload()
        memory = slot.container.attrs["HostConfig"]["Memory"]
    assert result.runs[0].exit_code == 0
    assert memory == 640 << 20


@pytest.mark.parametrize("env, containers", [
    ({"ARCHON_CODE_BENCH_WORKERS": "3"}, 3),                              # tasks at once, at least 2 containers
    ({"ARCHON_CODE_BENCH_WORKERS": "3", "ARCHON_CODE_WORKERS": "5"}, 5),  # containers: ARCHON_CODE_WORKERS
    ({"ARCHON_CODE_WORKERS": "5"}, 5),                                    # not bench tasks: those stay 1
])
@pytest.mark.parametrize("command", ["bench", "search"])
def test_workers_means_containers_and_bench_workers_means_tasks(command, env, containers, started, monkeypatch,
                                                                 capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_main(monkeypatch, capsys, *COMMANDS[command])
    assert (code, [c.workers for c in started]) == (2, [containers]), err
