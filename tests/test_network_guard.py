"""The test process cannot reach anything but loopback (tests/conftest.py's guard)."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.conftest import OutboundConnectionRefused


@pytest.mark.parametrize("address", [("203.0.113.7", 443), ("api.openai.com", 443), ("10.0.0.1", 80)])
def test_outbound_tcp_is_refused_before_any_packet(address):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(OutboundConnectionRefused, match="loopback only"):
            sock.connect(address)
        with pytest.raises(OutboundConnectionRefused):
            sock.connect_ex(address)


def test_outbound_udp_and_ipv6_are_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(OutboundConnectionRefused):
            sock.sendto(b"x", ("198.51.100.1", 53))
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
        with pytest.raises(OutboundConnectionRefused):
            sock.connect(("2001:db8::1", 443, 0, 0))


def test_a_model_call_to_a_public_endpoint_fails_as_unreachable_not_sent():
    import urllib.error
    import urllib.request

    with pytest.raises((urllib.error.URLError, OutboundConnectionRefused)) as caught:
        urllib.request.urlopen("http://203.0.113.9/v1/models", timeout=5)
    assert "loopback only" in str(caught.value)


def test_loopback_still_works():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0].recv(5)))
    thread.start()
    with socket.create_connection(("localhost", port), timeout=5) as client:
        client.sendall(b"hello")
    thread.join(5)
    server.close()
    assert accepted == [b"hello"]
