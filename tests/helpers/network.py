"""The test suite's network: loopback only, enforced; and servers that misbehave on purpose.

- ``LoopbackGuard``: installed for the whole session by ``conftest.py`` (as pytest-socket's
  ``--allow-hosts=127.0.0.1,::1`` would): a socket connecting (or a name lookup resolving) anywhere but this
  machine raises ``BlockedConnection``, and is recorded, so a test that tried fails even if the code under test
  swallowed the error (the Snowflake connector's cloud platform detection swallows everything);
- ``SilentServer``: accepts TCP connections and never answers (a hung server, a proxy or firewall holding them);
- ``Relay``: forwards to a real server until told to go silent, so a test can make Snowflake stop answering
  in the middle of a step.
"""

from __future__ import annotations

import contextlib
import ipaddress
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class BlockedConnection(OSError):
    """A test tried to reach something other than this machine."""


def _is_local(host: Any) -> bool:
    if host is None or host == "":
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]")
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class LoopbackGuard:
    """Refuses (and records) any socket connection or name lookup that leaves this machine."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self._originals: dict[str, Any] = {}

    def _check(self, family: Any, address: Any) -> None:
        if family == getattr(socket, "AF_UNIX", object()):
            return
        host = address[0] if isinstance(address, tuple) and address else address
        if not _is_local(host):
            self.blocked.append(str(address))
            raise BlockedConnection(f"tests may only reach loopback addresses, not {address!r}")

    def install(self) -> None:
        guard = self
        connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
        self._originals = {"connect": connect, "connect_ex": connect_ex, "getaddrinfo": getaddrinfo}

        def guarded_connect(sock: socket.socket, address: Any) -> Any:
            guard._check(sock.family, address)
            return connect(sock, address)

        def guarded_connect_ex(sock: socket.socket, address: Any) -> Any:
            guard._check(sock.family, address)
            return connect_ex(sock, address)

        def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not _is_local(host):
                guard.blocked.append(f"lookup of {host!r}")
                raise socket.gaierror(socket.EAI_NONAME, f"tests may only resolve loopback names, not {host!r}")
            return getaddrinfo(host, *args, **kwargs)

        socket.socket.connect = guarded_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = guarded_getaddrinfo

    def uninstall(self) -> None:
        if self._originals:
            socket.socket.connect = self._originals["connect"]  # type: ignore[method-assign]
            socket.socket.connect_ex = self._originals["connect_ex"]  # type: ignore[method-assign]
            socket.getaddrinfo = self._originals["getaddrinfo"]

    def take(self) -> list[str]:
        """The attempts blocked since the last call (and forget them)."""
        found, self.blocked = self.blocked, []
        return found


GUARD = LoopbackGuard()


class SilentServer:
    """Listens on 127.0.0.1, accepts every connection, never sends a byte (until ``close``)."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        for conn in self._held:
            with contextlib.suppress(OSError):
                conn.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Relay(SilentServer):
    """Forwards every connection to ``target`` (host, port) until ``go_silent()``; from then on, open
    connections stop moving and new ones are accepted and never answered."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.silent = threading.Event()
        super().__init__()

    def go_silent(self) -> None:
        self.silent.set()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)
            if not self.silent.is_set():
                threading.Thread(target=self._pipe, args=(conn,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError), socket.create_connection(self.target) as upstream:
            pair = {client: upstream, upstream: client}
            while not self._closed.is_set():
                ready, _, _ = select.select(list(pair), [], [], 0.2)
                if self.silent.is_set():
                    time.sleep(0.2)  # hold the connection open, pass nothing on
                    continue
                for side in ready:
                    data = side.recv(65536)
                    if not data:
                        return
                    pair[side].sendall(data)


@contextlib.contextmanager
def silent_server() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server
