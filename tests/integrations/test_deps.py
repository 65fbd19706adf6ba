"""Third-party requirements: read, hashed into a derived image, tests run network-off."""

from __future__ import annotations

import pytest

from archon_code.errors import ConfigError
from archon_code.integrations.deps import deps_image_tag, read_requirements
from archon_code.integrations.models import SuggestConfig
from archon_code.integrations.runtime import repo_sandbox
from archon_code.integrations.suggest import Suggester
from tests.integrations.helpers import fenced, fixture_repo
from tests.support.scripted_llm import ScriptedLLM


def test_requirements_from_files_and_pyproject(tmp_path):
    (tmp_path / "requirements.txt").write_text("# pinned\nrequests>=2  # http\n-r other.txt\n-e .\n\nsix==1.16.0\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest-mock\nsix==1.16.0\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["attrs >= 22"]\n'
        '[project.optional-dependencies]\ntest = ["hypothesis"]\ndocs = ["sphinx"]\n'
    )
    assert read_requirements(tmp_path) == ["attrs >= 22", "hypothesis", "pytest-mock", "requests>=2", "six==1.16.0"]


def test_no_requirements(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert read_requirements(tmp_path) == []


def test_bad_pyproject_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ConfigError, match="pyproject.toml: not valid TOML"):
        read_requirements(tmp_path)


def test_tag_depends_on_base_image_and_requirements():
    tag = deps_image_tag("sha256:aaa", ["six==1.16.0"])
    assert tag.startswith("archon-code-deps:") and len(tag) == len("archon-code-deps:") + 12
    assert deps_image_tag("sha256:aaa", ["six==1.16.0"]) == tag
    assert deps_image_tag("sha256:bbb", ["six==1.16.0"]) != tag
    assert deps_image_tag("sha256:aaa", ["six==1.15.0"]) != tag


@pytest.mark.docker
def test_repo_with_requirements_is_fixed_in_a_derived_image_with_network_off(sandbox, tmp_path):
    repo = fixture_repo("needs_deps", tmp_path)
    fixed = (repo / "textwrap2.py").read_text().replace(".lower()", ".upper()")
    with repo_sandbox(repo) as box:
        assert box.image.startswith("archon-code-deps:")
        report = Suggester(ScriptedLLM([fenced(fixed)]), box, SuggestConfig(samples=1), model="scripted").run(repo)
    assert report.before.failing_ids == ("tests/test_textwrap2.py::test_shout",)
    assert report.before.passing_ids == ("tests/test_textwrap2.py::test_network_is_off",)
    assert report.exit_code == 1
    assert report.suggestion.after.counts()["passed"] == 2
