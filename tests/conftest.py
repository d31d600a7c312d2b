"""Test-wide guards: no test may reach the internet, and none leaves a visitor's folder."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


class NetworkBlocked(RuntimeError):
    """Raised when a test tries to connect anywhere but this machine."""


def _is_local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
    else:
        return isinstance(address, str | bytes)  # a Unix socket path is local
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse every socket connection that is not to loopback or a Unix socket."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_local(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_local(address):
            raise NetworkBlocked(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    yield


def end_app_session() -> None:
    """End the app session AppTest runs under as the server ends a disconnected one (every
    AppTest shares its session id), releasing its session-scoped resources."""
    from streamlit.runtime.caching import clear_session_resource_cache

    clear_session_resource_cache("test session id")


@pytest.fixture(autouse=True)
def _visit_ends() -> Iterator[None]:
    """After each test the app session it ran (if any) ends, and no visitor's folder this
    process made (`rightplace-<pid>-*` in the temporary folder) is left behind."""
    yield
    if "streamlit.testing.v1" in sys.modules:
        end_app_session()
    left = list(Path(tempfile.gettempdir()).glob(f"rightplace-{os.getpid()}-*"))
    assert left == [], "a visitor's folder outlived its session"
