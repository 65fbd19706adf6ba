"""Third-party requirements: read, hashed into a derived image, tests run network-off."""

from __future__ import annotations

import os

import pytest

from archon_code.errors import ConfigError
from archon_code.integrations.deps import deps_image_tag, read_requirements, scan_requirements
from archon_code.integrations.models import SuggestConfig
from archon_code.integrations.runtime import repo_sandbox
from archon_code.integrations.suggest import Suggester
from tests.integrations.helpers import fenced, fixture_repo
from tests.support.scripted_llm import ScriptedLLM


def test_requirements_from_files_and_pyproject(tmp_path):
    (tmp_path / "requirements.txt").write_text("# pinned\nrequests>=2  # http\n-r sub/other.txt\n-e .\n\nsix==1.16.0\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.txt").write_text("pluggy \\\n  >=1.0\n-r ../requirements.txt\n./localpkg\n--pre\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest-mock\nsix==1.16.0\n")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndependencies = ["attrs >= 22"]\n'
        '[project.optional-dependencies]\ntest = ["hypothesis"]\ndocs = ["sphinx"]\n'
    )
    assert read_requirements(tmp_path) == [
        "attrs >= 22", "hypothesis", "pluggy >=1.0", "pytest-mock", "requests>=2", "six==1.16.0",
    ]
    assert scan_requirements(tmp_path).left_out == (
        "sub/other.txt:4: ./localpkg (a local path: not installed)",
        "sub/other.txt:5: --pre (pip option: not used)",
        "requirements.txt:4: -e . (a local path: not installed)",
    )


_REFUSED = "is a direct requirement or index option (installed from an address other than PyPI, with the network on); "
_REFUSED += "refused: pass --allow-direct-requirements to install it"


@pytest.mark.parametrize(
    "line",
    [
        "pkg @ https://127.0.0.1:9/pkg-1.0-py3-none-any.whl",
        "git+https://127.0.0.1:9/pkg.git#egg=pkg",
        "https://127.0.0.1:9/pkg-1.0.tar.gz",
        "-e git+https://127.0.0.1:9/pkg.git#egg=pkg",
        "--index-url https://127.0.0.1:9/simple",
        "-i https://127.0.0.1:9/simple",
        "--extra-index-url=https://127.0.0.1:9/simple",
        "-f https://127.0.0.1:9/wheels/",
        "--find-links https://127.0.0.1:9/wheels/",
        "--trusted-host 127.0.0.1",
    ],
)
def test_direct_requirements_are_refused_unless_allowed(tmp_path, line):
    (tmp_path / "requirements-dev.txt").write_text(f"six==1.16.0\n{line}\n")
    with pytest.raises(ConfigError) as info:
        read_requirements(tmp_path)
    assert str(info.value) == f"requirements-dev.txt:2: {line!r} {_REFUSED}"
    assert read_requirements(tmp_path, allow_direct=True) == sorted([" ".join(line.split()), "six==1.16.0"])


def test_direct_pyproject_dependency_is_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.optional-dependencies]\ntest = ["tool @ git+https://127.0.0.1:9/t"]\n'
    )
    with pytest.raises(ConfigError) as info:
        read_requirements(tmp_path)
    assert str(info.value) == (
        f"pyproject.toml [project.optional-dependencies] test: 'tool @ git+https://127.0.0.1:9/t' {_REFUSED}"
    )


@pytest.mark.parametrize(
    "include, message",
    [
        ("-r ../outside.txt", "requirements.txt:1: -r '../outside.txt' leads outside the repository; not read"),
        ("--requirement=/etc/hostname", "requirements.txt:1: -r '/etc/hostname' leads outside the repository; not read"),
        ("-r missing.txt", "requirements.txt:1: -r 'missing.txt': no such file in the repository"),
        ("-rlink.txt", "requirements.txt:1: -r 'link.txt' is a symlink leading outside the repository or not a "
                       "regular file; not read"),
    ],
)
def test_includes_never_leave_the_repository_even_when_allowed(tmp_path, include, message):
    (tmp_path / "outside.txt").write_text("secret-package==1\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(tmp_path / "outside.txt", repo / "link.txt")
    (repo / "requirements.txt").write_text(include + "\n")
    for allow in (False, True):
        with pytest.raises(ConfigError) as info:
            read_requirements(repo, allow_direct=allow)
        assert str(info.value) == message


def test_a_requirements_file_linked_outside_is_not_read(tmp_path):
    (tmp_path / "host.txt").write_text("secret-package==1\n")
    (tmp_path / "host.toml").write_text('[project]\nname = "x"\ndependencies = ["other-secret"]\n')
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(tmp_path / "host.txt", repo / "requirements.txt")
    os.symlink(tmp_path / "host.toml", repo / "pyproject.toml")
    assert read_requirements(repo) == []
    assert scan_requirements(repo).left_out == (
        "requirements.txt: not read (a symlink leading outside the repository or not a regular file)",
    )


def test_no_requirements(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n')
    assert read_requirements(tmp_path) == []


def test_bad_pyproject_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(ConfigError, match="pyproject.toml: invalid TOML"):
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
