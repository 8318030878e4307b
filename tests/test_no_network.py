"""The network guard of tests/no_network.py fires: every guarded call raises, and a test that
catches the error and goes on still fails."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from no_network import NetworkUseError, attempts, forgive

ADDRESS = ("192.0.2.1", 80)  # TEST-NET-1: reserved, never routed


def _close_after(call: Callable[[socket.socket], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            return call(sock)

    return run


@pytest.mark.parametrize(
    ("name", "attempt"),
    [
        ("create_connection", lambda: socket.create_connection(ADDRESS, timeout=1)),
        ("getaddrinfo", lambda: socket.getaddrinfo("example.org", 80)),
        ("socket.connect", _close_after(lambda s: s.connect(ADDRESS))),
        ("socket.connect_ex", _close_after(lambda s: s.connect_ex(ADDRESS))),
        ("socket.bind", _close_after(lambda s: s.bind(("127.0.0.1", 0)))),
        ("socket.sendto", _close_after(lambda s: s.sendto(b"x", ADDRESS))),
    ],
)
def test_every_guarded_call_raises(name: str, attempt: Callable[[], Any]) -> None:
    with forgive() as tried, pytest.raises(NetworkUseError, match="must not use the network"):
        attempt()
    assert len(tried) == 1 and tried[0].startswith(name)
    assert attempts() == []  # forgiven: this test passes


def test_a_caught_attempt_still_fails_the_test(pytester: pytest.Pytester) -> None:
    """Code that swallows the OSError (as an offline-tolerant library would) does not hide it."""
    pytester.makepyfile(
        """
        import socket

        def test_quietly_online():
            try:
                socket.create_connection(("192.0.2.1", 80), timeout=1)
            except OSError:
                pass

        def test_offline():
            assert True
        """
    )
    result = pytester.runpytest_inprocess("-p", "no_network", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*network use during call of*test_quietly_online*"])
    assert attempts() == []
