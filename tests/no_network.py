"""No test may use the network: a pytest plugin (registered in tests/conftest.py).

DeepStep works offline; nothing in it may connect anywhere. From the start of the session every
way Python opens a connection is guarded: ``socket.socket.connect``, ``connect_ex``, ``bind``,
``sendto``, ``socket.create_connection`` and ``socket.getaddrinfo`` (a name lookup is network
traffic too). A guarded call raises :class:`NetworkUseError` (an ``OSError``, as a machine without
network would) and is remembered: the test during whose setup, call or teardown it happened
fails, even if the code under test caught the error and went on. (It guards the pytest process;
programs a test starts are separate processes.)

:func:`forgive` is for the test that proves the guard works: attempts made inside it are expected
(at least one must happen) and do not fail the test.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

__all__ = ["NetworkUseError", "attempts", "forgive"]

pytest_plugins = ["pytester"]  # for the test that proves a swallowed attempt still fails


class NetworkUseError(OSError):
    """A test tried to use the network."""


_attempts: list[str] = []
_originals: dict[tuple[Any, str], Any] = {}
_installs = 0
GUARDED_METHODS = ("connect", "connect_ex", "bind", "sendto")
GUARDED_FUNCTIONS = ("create_connection", "getaddrinfo")


def attempts() -> list[str]:
    """What was tried since the current test phase began."""
    return list(_attempts)


def _blocker(what: str) -> Callable[..., Any]:
    def blocked(*args: Any, **kwargs: Any) -> Any:
        shown = args[1:] if what.startswith("socket.") else args  # not the socket itself
        message = f"{what}{shown!r}: tests must not use the network"
        _attempts.append(message)
        raise NetworkUseError(message)

    return blocked


def install() -> None:
    """Guard the socket module (counted: a nested pytest session installs it again)."""
    global _installs
    _installs += 1
    if _originals:
        return
    for name in GUARDED_METHODS:
        _originals[(socket.socket, name)] = getattr(socket.socket, name)
        setattr(socket.socket, name, _blocker(f"socket.{name}"))
    for name in GUARDED_FUNCTIONS:
        _originals[(socket, name)] = getattr(socket, name)
        setattr(socket, name, _blocker(name))


def uninstall() -> None:
    """Put the socket module back once the last session that installed the guard ends."""
    global _installs
    _installs = max(0, _installs - 1)
    if _installs:
        return
    for (owner, name), original in _originals.items():
        setattr(owner, name, original)
    _originals.clear()


@contextmanager
def forgive() -> Iterator[list[str]]:
    """Expect blocked attempts inside: they are handed back and do not fail the test."""
    before = len(_attempts)
    tried: list[str] = []
    try:
        yield tried
    finally:
        tried.extend(_attempts[before:])
        del _attempts[before:]
    assert tried, "no network use was attempted inside forgive()"


def pytest_configure(config: pytest.Config) -> None:
    install()


def pytest_unconfigure(config: pytest.Config) -> None:
    uninstall()


def _guarded_phase(phase: str) -> Callable[[pytest.Item], Generator[None, object, object]]:
    @pytest.hookimpl(wrapper=True)
    def hook(item: pytest.Item) -> Generator[None, object, object]:
        _attempts.clear()
        result = yield
        tried = list(_attempts)
        _attempts.clear()
        if tried:
            pytest.fail(
                f"network use during {phase} of {item.nodeid}:\n  " + "\n  ".join(tried),
                pytrace=False,
            )
        return result

    return hook


pytest_runtest_setup = _guarded_phase("setup")
pytest_runtest_call = _guarded_phase("call")
pytest_runtest_teardown = _guarded_phase("teardown")
