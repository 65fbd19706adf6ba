"""Image naming and the offline build's inputs (pure; no engine needed)."""

from __future__ import annotations

import shutil

from archon_code.resources import resource_dir
from archon_code.sandbox.image import debian_mirror, image_hash, sandbox_packages


def test_image_hash_changes_with_any_input(tmp_path):
    folder = tmp_path / "sandbox"
    shutil.copytree(resource_dir("sandbox"), folder)
    before = image_hash(folder)
    assert before == image_hash(resource_dir("sandbox")) and len(before) == 12
    for name in ("Dockerfile", "packages.txt", "runner.py"):
        copy = tmp_path / name
        shutil.copytree(folder, copy)
        (copy / name).write_text((copy / name).read_text() + "\n# changed\n")
        assert image_hash(copy) != before


def test_both_build_paths_install_the_same_packages():
    dockerfile = (resource_dir("sandbox") / "Dockerfile").read_text()
    assert "packages.txt" in dockerfile and "runner.py" in dockerfile
    assert sandbox_packages() == ["python3", "python3-pip", "python3-pytest", "g++"]


def test_mirror_from_one_line_sources(tmp_path):
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb http://security.debian.org/debian-security bookworm-security main\n"
        "deb [arch=amd64] http://mirror.example/debian/ bookworm main\n")
    assert debian_mirror((str(tmp_path / "sources.list"),)) == "http://mirror.example/debian"


def test_mirror_from_deb822_sources(tmp_path):
    folder = tmp_path / "sources.list.d"
    folder.mkdir()
    (folder / "debian.sources").write_text("Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm\n")
    assert debian_mirror((str(tmp_path / "missing.list"), str(folder))) == "http://deb.example/debian"


def test_mirror_defaults_to_debian(tmp_path):
    assert debian_mirror((str(tmp_path / "none"),)) == "http://deb.debian.org/debian"
