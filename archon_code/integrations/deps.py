"""Images with a repository's third-party test dependencies.

Decision: dependencies are installed once per (sandbox image, requirement list) into a
derived image ``archon-code-deps:<hash>`` built with the Docker SDK; only that build has
the network. The tests themselves then run in the derived image with the network off,
like every other sandbox run. Requirements come from ``requirements.txt`` (and
``requirements-test.txt``, ``requirements-dev.txt``, ``test-requirements.txt``) and from
``pyproject.toml``'s ``[project] dependencies`` and its ``test``/``tests``/``dev`` extras;
what is refused or left out is decided in :mod:`archon_code.integrations.requirements`.
With the network on, the build runs exactly one command as root in a container of the
sandbox image: ``pip install -r requirements.txt`` over the normalised list (which runs the
build code of any sdist it downloads); nothing of the repository but that list is in the
build context.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import ssl
import tempfile
from pathlib import Path
from typing import Callable, Optional

from archon_code.errors import ConfigError, SandboxError
from archon_code.integrations.requirements import Requirements, parse_requirement_files
from archon_code.integrations.workspace import repo_file
from archon_code.textio import read_config_file

__all__ = ["DEPS_REPOSITORY", "deps_image_tag", "ensure_deps_image", "read_requirements", "scan_requirements"]

DEPS_REPOSITORY = "archon-code-deps"
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


def _pyproject_requirements(repo: Path) -> list[tuple[str, str]]:
    path = repo_file(repo, "pyproject.toml")
    if path is None:
        return []
    data = read_config_file(path)
    project = data.get("project", {})
    found = [("pyproject.toml [project] dependencies", r) for r in project.get("dependencies", [])]
    extras = project.get("optional-dependencies", {})
    for name in EXTRAS:
        found += [(f"pyproject.toml [project.optional-dependencies] {name}", r) for r in extras.get(name, [])]
    if not all(isinstance(r, str) for _, r in found):
        raise ConfigError(f"{path}: [project] dependencies must be strings")
    return found


def scan_requirements(repo: Path, *, allow_direct: bool = False) -> Requirements:
    """Everything :func:`read_requirements` found, with the lines left out and why."""
    return parse_requirement_files(repo, allow_direct=allow_direct, extra=_pyproject_requirements(repo))


def read_requirements(repo: Path, *, allow_direct: bool = False) -> list[str]:
    """The repository's third-party requirements, normalised, sorted and de-duplicated.
    A direct requirement (URL, VCS, index option) is a ConfigError unless ``allow_direct``."""
    return list(scan_requirements(repo, allow_direct=allow_direct).install)


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
    client, base_image: str, repo: Path, log: Callable[[str], None] = lambda line: None,
    *, allow_direct: bool = False,
) -> Optional[str]:
    """The tag of an image with ``repo``'s requirements (built on first use), or None when
    the repository has none."""
    found = scan_requirements(repo, allow_direct=allow_direct)
    for line in found.left_out:
        log(f"not installed: {line}")
    requirements = list(found.install)
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
