"""Finding the code a failing test exercises."""

from __future__ import annotations

from pathlib import Path

import pytest

from archon_code.integrations.locate import failing_test_source, implicated_files, is_test_file
from archon_code.integrations.testrun import TestOutcome


@pytest.mark.parametrize(
    "path, expected",
    [
        ("tests/test_a.py", True),
        ("test_a.py", True),
        ("pkg/a_test.py", True),
        ("conftest.py", True),
        ("pkg/tests/helpers.py", True),
        ("pkg/a.py", False),
        ("testing_utils.py", False),
    ],
)
def test_is_test_file(path, expected):
    assert is_test_file(path) is expected


def _repo(tmp_path: Path) -> Path:
    files = {
        "pkg/__init__.py": "",
        "pkg/core.py": "def add(a, b):\n    return helper(a) - b\n",
        "pkg/util.py": "def helper(a):\n    return a\n",
        "other.py": "X = 1\n",
        "tests/test_core.py": (
            "import other\nfrom pkg.core import add\nfrom pkg import util\n\n\n"
            "class TestAdd:\n    def test_add(self):\n        assert add(1, 2) == 3\n"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


FILES = {"pkg/__init__.py", "pkg/core.py", "pkg/util.py", "other.py", "tests/test_core.py"}


def test_traceback_frames_come_first_innermost_first(tmp_path):
    outcome = TestOutcome(
        id="tests/test_core.py::TestAdd::test_add",
        outcome="failed",
        frames=(("tests/test_core.py", 8), ("pkg/core.py", 2), ("pkg/util.py", 2)),
    )
    assert implicated_files(outcome, _repo(tmp_path), FILES) == [
        "pkg/util.py",
        "pkg/core.py",
        "other.py",
        "pkg/__init__.py",
    ]


def test_imports_used_by_the_failing_test_come_before_other_imports(tmp_path):
    outcome = TestOutcome(id="tests/test_core.py::TestAdd::test_add", outcome="failed", frames=(("tests/test_core.py", 8),))
    assert implicated_files(outcome, _repo(tmp_path), FILES) == ["pkg/core.py", "other.py", "pkg/__init__.py", "pkg/util.py"]


def test_test_files_only_when_nothing_else_is_implicated(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_x.py").write_text("def test_x():\n    assert 1 == 2\n")
    outcome = TestOutcome(id="tests/test_x.py::test_x", outcome="failed", frames=(("tests/test_x.py", 2),))
    assert implicated_files(outcome, tmp_path, {"tests/test_x.py"}) == ["tests/test_x.py"]


def test_test_source_finds_a_method_and_strips_parameters(tmp_path):
    repo = _repo(tmp_path)
    assert failing_test_source(repo, "tests/test_core.py::TestAdd::test_add[1-2]") == (
        "    def test_add(self):\n        assert add(1, 2) == 3"
    )
    assert failing_test_source(repo, "tests/missing.py::test_a") == ""
