"""Images with a repository's third-party test dependencies.

Decision: dependencies are installed once per (sandbox image, requirement list) into a
derived image ``archon-code-deps:<hash>`` built with the Docker SDK; only that build has
the network. The tests themselves then run in the derived image with the network off,
like every other sandbox run. Requirements come from ``requirements.txt`` (and
``requirements-test.txt``, ``requirements-dev.txt``, ``test-requirements.txt``) and from
``pyproject.toml``'s ``[project] dependencies`` and its ``test``/``tests``/``dev`` extras.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import ssl
import tempfile
import tomllib
from pathlib import Path
from typing import Callable, Optional

from archon_code.errors import ConfigError, SandboxError

__all__ = ["DEPS_REPOSITORY", "deps_image_tag", "ensure_deps_image", "read_requirements"]

DEPS_REPOSITORY = "archon-code-deps"
REQUIREMENT_FILES = ("requirements.txt", "requirements-test.txt", "requirements-dev.txt", "test-requirements.txt")
EXTRAS = ("test", "tests", "testing", "dev")
_DOCKERFILE = """FROM {base}
USER root
COPY requirements.txt /opt/archon/deps/requirements.txt
COPY ca.pem /opt/archon/deps/ca.pem
RUN PIP_CERT=$([ -s /opt/archon/deps/ca.pem ] && echo /opt/archon/deps/ca.pem) \\
    python3 -m pip install --no-cache-dir --break-system-packages --no-warn-script-location \\
    -r /opt/archon/deps/requirements.txt
USER 10001:10001
"""


def _requirement_lines(text: str) -> list[str]:
    lines = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-", ".", "/")) or ("://" in line and "@" not in line):
            continue  # options, includes, editable and local paths are not installed
        lines.append(line)
    return lines


def _pyproject_requirements(path: Path) -> list[str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    project = data.get("project", {})
    found = list(project.get("dependencies", []))
    extras = project.get("optional-dependencies", {})
    for name in EXTRAS:
        found += list(extras.get(name, []))
    if not all(isinstance(r, str) for r in found):
        raise ConfigError(f"{path}: [project] dependencies must be strings")
    return found


def read_requirements(repo: Path) -> list[str]:
    """The repository's third-party requirements, normalised, sorted and de-duplicated."""
    found: list[str] = []
    for name in REQUIREMENT_FILES:
        if (repo / name).is_file():
            found += _requirement_lines((repo / name).read_text(encoding="utf-8", errors="replace"))
    if (repo / "pyproject.toml").is_file():
        found += _pyproject_requirements(repo / "pyproject.toml")
    return sorted({" ".join(r.split()) for r in found})


def deps_image_tag(base_image_id: str, requirements: list[str]) -> str:
    """``archon-code-deps:<12 hex>`` over the base image id and the requirement list."""
    digest = hashlib.sha256(base_image_id.encode() + b"\0" + "\n".join(requirements).encode())
    return f"{DEPS_REPOSITORY}:{digest.hexdigest()[:12]}"


def _ca_bundle() -> Optional[Path]:
    """CA certificates for pip inside the build: ARCHON_CODE_DEPS_CERT, else the host's."""
    named = os.environ.get("ARCHON_CODE_DEPS_CERT")
    if named:
        return Path(named)
    cafile = ssl.get_default_verify_paths().cafile
    for candidate in (cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def ensure_deps_image(
    client, base_image: str, repo: Path, log: Callable[[str], None] = lambda line: None
) -> Optional[str]:
    """The tag of an image with ``repo``'s requirements (built on first use), or None when
    the repository has none."""
    requirements = read_requirements(repo)
    if not requirements:
        return None
    import docker.errors

    try:
        base_id = client.images.get(base_image).id
    except docker.errors.ImageNotFound:
        raise SandboxError(
            f"sandbox image {base_image} is missing: run 'archon-code sandbox build --offline'"
        ) from None
    tag = deps_image_tag(base_id, requirements)
    try:
        client.images.get(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    log(f"building {tag} with {len(requirements)} requirement(s) (network on for this build only)")
    with tempfile.TemporaryDirectory(prefix="archon-deps-") as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(_DOCKERFILE.format(base=base_image))
        (context / "requirements.txt").write_text("\n".join(requirements) + "\n")
        ca = _ca_bundle()
        if ca is not None:
            shutil.copyfile(ca, context / "ca.pem")
        else:
            (context / "ca.pem").write_text("")
        _build(client, context, tag, log)
    return tag


def _build(client, context: Path, tag: str, log: Callable[[str], None]) -> None:
    import docker.errors

    try:
        for chunk in client.api.build(path=str(context), tag=tag, rm=True, forcerm=True, decode=True,
                                      labels={"archon-code.image": "deps"}):
            if chunk.get("stream", "").strip():
                log(chunk["stream"].rstrip())
            if "error" in chunk:
                raise SandboxError(f"installing the repository's requirements failed: {chunk['error'].strip()[:300]}")
    except docker.errors.APIError as exc:
        raise SandboxError(f"docker build of {tag} failed: {exc.explanation or exc}") from None
