"""Runs the real harness as a subprocess on the host (it is standard library only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archon_code.functions import CallOutcome, HarnessReport, harness_path, plan_test, read_results, request_json


class HarnessRunner:
    """Runs ``harness.py`` on a solution and judges a test the way the judge will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def run(self, solution: str, entry_point: str, calls, start: int = 0) -> HarnessReport:
        path = self.folder / "sol.py"
        path.write_text(solution)
        proc = subprocess.run([sys.executable, str(harness_path()), str(path), entry_point],
                              input=request_json(calls), capture_output=True, text=True, timeout=30,
                              cwd=self.folder)
        return read_results(proc.stdout, len(calls), start)

    def judge(self, solution: str, test: str, entry_point: str, trusted: bool = False,
              prelude: str = "") -> tuple[bool, str]:
        check = plan_test(test, entry_point, trusted=trusted, prelude=prelude)
        outcomes: list[CallOutcome] = []
        while calls := check.next_calls(outcomes):
            report = self.run(solution, entry_point, calls, start=len(outcomes))
            if report.protocol_error:
                return False, f"protocol error: {report.protocol_error}"
            if report.load_error:
                return False, f"load error: {report.load_error}"
            outcomes += report.outcomes
        return check.verdict(outcomes)


@pytest.fixture
def harness(tmp_path: Path) -> HarnessRunner:
    return HarnessRunner(tmp_path)
