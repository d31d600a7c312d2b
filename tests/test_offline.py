"""The suite itself proves it stays offline."""

import socket

import pytest

from tests.conftest import NetworkBlocked


def test_outside_connections_are_refused() -> None:
    """A connection to a public address fails before any packet leaves."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(NetworkBlocked):
        s.connect(("93.184.216.34", 80))


def test_loopback_connections_are_allowed() -> None:
    """Loopback stays usable, for the app's own browser tests."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
            conn, _ = server.accept()
            conn.close()
