"""Build and name the sandbox image.

The tag carries a hash of everything that builds the image (Dockerfile, packages.txt,
runner.py), so changing any of them makes a new tag and the next run rebuilds.

Two equivalent build paths:

* ``build_image()``: ``docker build`` of ``sandbox/Dockerfile`` (needs a registry for
  ``debian:bookworm``).
* ``build_image_offline()``: ``debootstrap --variant=minbase`` of the same Debian release
  with the same packages from the mirror the host's apt sources name, the same user,
  runner and settings, then ``docker import``. Needs root and debootstrap, no registry.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Callable, Optional

from archon_code.errors import SandboxError, SandboxUnavailableError
from archon_code.resources import resource_dir

__all__ = [
    "IMAGE_REPOSITORY",
    "build_image",
    "build_image_offline",
    "debian_mirror",
    "default_image_tag",
    "image_hash",
    "sandbox_packages",
]

IMAGE_REPOSITORY = "archon-code-sandbox"
DEBIAN_SUITE = "bookworm"
SANDBOX_UID = 10001
_RUNTIME = ("runner.py", "packages.txt")
"""What goes into /opt/archon. (The function-call harness, sandbox/harness.py, travels with
each job as one of the program's files, so both back ends run the same one.)"""
_INPUTS = ("Dockerfile", "packages.txt", "runner.py")
# The settings `docker import` applies; they mirror the Dockerfile's USER/WORKDIR/ENV/CMD.
_IMPORT_CHANGES = [
    "USER 0:0",
    "WORKDIR /work",
    "ENV LANG=C.UTF-8",
    "ENV PATH=/usr/local/bin:/usr/bin:/bin",
    'CMD ["python3", "/opt/archon/runner.py", "--serve"]',
]


def image_hash(folder: Optional[Path] = None) -> str:
    """First 12 hex digits of the SHA-256 over the files that build the image."""
    folder = folder or resource_dir("sandbox")
    digest = hashlib.sha256()
    for name in _INPUTS:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def default_image_tag() -> str:
    return f"{IMAGE_REPOSITORY}:{image_hash()}"


def sandbox_packages(folder: Optional[Path] = None) -> list[str]:
    folder = folder or resource_dir("sandbox")
    lines = (folder / "packages.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def debian_mirror(sources: tuple[str, ...] = ("/etc/apt/sources.list", "/etc/apt/sources.list.d")) -> str:
    """The first Debian mirror the host's apt sources name (one-line or deb822 format)."""
    texts = []
    for entry in sources:
        path = Path(entry)
        files = sorted(path.glob("*")) if path.is_dir() else [path]
        texts += [f.read_text(errors="replace") for f in files if f.is_file()]
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            match = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line) or re.match(r"^URIs:\s*(\S+)", line)
            if match and "security" not in match.group(1):
                return match.group(1).rstrip("/")
    return "http://deb.debian.org/debian"


def _labels(tag_hash: str) -> dict[str, str]:
    return {"archon-code.image": "sandbox", "archon-code.image-hash": tag_hash}


def build_image(client, log: Callable[[str], None] = print) -> str:
    """``docker build`` of sandbox/Dockerfile; returns the tag."""
    tag_hash, folder = image_hash(), resource_dir("sandbox")
    tag = f"{IMAGE_REPOSITORY}:{tag_hash}"
    import docker.errors

    try:
        for chunk in client.api.build(path=str(folder), tag=tag, labels=_labels(tag_hash), rm=True, decode=True):
            if "stream" in chunk and chunk["stream"].strip():
                log(chunk["stream"].rstrip())
            if "error" in chunk:
                raise SandboxError(f"docker build failed: {chunk['error'].strip()}")
    except docker.errors.APIError as exc:
        raise SandboxError(f"docker build failed: {exc.explanation or exc}") from None
    return tag


def _debootstrap(root: Path, mirror: str, log: Callable[[str], None]) -> None:
    if shutil.which("debootstrap") is None:
        raise SandboxError("the offline build needs debootstrap: apt-get install -y debootstrap")
    include = ",".join(sandbox_packages())
    cmd = ["debootstrap", "--variant=minbase", f"--include={include}", DEBIAN_SUITE, str(root), mirror]
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SandboxError(f"debootstrap failed (exit {proc.returncode}): {tail[0]}")


def _finish_rootfs(root: Path) -> None:
    """What the Dockerfile does after installing packages: user, folders, runner."""
    folder = resource_dir("sandbox")
    with open(root / "etc/passwd", "a") as fh:
        fh.write(f"sandbox:x:{SANDBOX_UID}:{SANDBOX_UID}:archon-code sandbox:/work:/usr/sbin/nologin\n")
    with open(root / "etc/group", "a") as fh:
        fh.write(f"sandbox:x:{SANDBOX_UID}:\n")
    # Docker gives a tmpfs mounted here the mode of the folder below it: /work and /in are
    # the runner's (each run gets a folder of its own uid inside /work), /out is root-only.
    for name, mode in (("work", 0o755), ("in", 0o700), ("out", 0o700)):
        (root / name).mkdir(exist_ok=True)
        (root / name).chmod(mode)
    (root / "opt/archon").mkdir(parents=True, exist_ok=True)
    for name in _RUNTIME:
        shutil.copy(folder / name, root / "opt/archon" / name)
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for item in (root / junk).glob("*"):
            if item.is_file():
                item.unlink()


def build_image_offline(client, mirror: Optional[str] = None, log: Callable[[str], None] = print) -> str:
    """debootstrap + docker import; returns the tag. Needs root."""
    tag_hash = image_hash()
    tag = f"{IMAGE_REPOSITORY}:{tag_hash}"
    mirror = mirror or debian_mirror()
    with tempfile.TemporaryDirectory(prefix="archon-rootfs-") as tmp:
        root = Path(tmp) / "root"
        _debootstrap(root, mirror, log)
        _finish_rootfs(root)
        tar_path = Path(tmp) / "rootfs.tar"
        log("packing the root file system")
        with tarfile.open(tar_path, "w") as tar:
            tar.add(root, arcname=".")
        log(f"importing as {tag}")
        changes = _IMPORT_CHANGES + [f'LABEL {k}="{v}"' for k, v in _labels(tag_hash).items()]
        try:
            client.api.import_image_from_file(str(tar_path), repository=IMAGE_REPOSITORY, tag=tag_hash, changes=changes)
        except Exception as exc:  # docker.errors.APIError or a connection error
            raise SandboxUnavailableError(f"docker import failed: {exc}") from None
    return tag
