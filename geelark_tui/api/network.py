"""httpcore's network layer on asyncio's own transports, in place of its anyio backend.

httpcore reaches the network through a backend, a public extension point (``network_backend=``
of its connection pool). Under asyncio its default is anyio's socket streams: layers of
wrappers over the same asyncio transport, about 0.5 ms of CPU a request (a fifth of the
client's share; a run of many requests is CPU-bound on a small machine) and 10-20 ms of imports
on the first request. This backend talks to the transport directly, through a protocol that
keeps what arrived until httpcore reads it.

Failures become the httpcore exceptions anyio's backend raises for the same causes (refused,
unreachable or a failed TLS handshake: ConnectError; no answer in time: ReadTimeout; ...), so
the client tells "not sent" from "may have been applied" exactly as before (`client._post`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import ssl
import sys
from collections.abc import Iterable
from typing import Any

import httpcore

# Reading from the socket pauses while this much has arrived unread, and resumes below half.
_HIGH_WATER = 256 * 1024


class _Connection(asyncio.Protocol):
    """One connection's transport, the bytes that arrived and were not read yet, and its end."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.unread = bytearray()
        self.ended = False  # the peer closed its side, or the connection is gone
        self.lost: Exception | None = None
        self._reading_paused = False
        self._writing_paused = False
        self._waiter: asyncio.Future[None] | None = None

    # -- asyncio's side ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.unread += data
        if len(self.unread) > _HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
            self._reading_paused = True
        self._wake()

    def eof_received(self) -> None:
        self.ended = True  # returning None lets the transport close itself
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.lost = exc
        self._wake()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- the stream's side ---------------------------------------------------------------
    async def _wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def arrival(self) -> None:
        """Until something is unread or the connection ended."""
        while not self.unread and not self.ended:
            await self._wait()

    def take(self, max_bytes: int) -> bytes:
        data = bytes(self.unread[:max_bytes])
        del self.unread[:max_bytes]
        if self._reading_paused and len(self.unread) < _HIGH_WATER // 2:
            self._reading_paused = False
            if self.transport is not None:
                self.transport.resume_reading()
        return data

    async def drained(self) -> None:
        """Until the transport takes more writes; ConnectionError once the connection is gone."""
        while self._writing_paused and not self.ended:
            await self._wait()
        if self.ended and self.lost is not None:
            raise self.lost


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    @property
    def _transport(self) -> asyncio.Transport:
        assert self._connection.transport is not None
        return self._connection.transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        connection = self._connection
        try:
            async with asyncio.timeout(timeout):
                await connection.arrival()
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        if connection.unread:
            return connection.take(max_bytes)
        if connection.lost is not None:
            raise httpcore.ReadError(connection.lost) from connection.lost
        return b""  # the peer closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._connection.ended or self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        try:
            self._transport.write(buffer)
            async with asyncio.timeout(timeout):
                await self._connection.drained()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    async def aclose(self) -> None:
        transport = self._transport
        if not transport.is_closing():
            transport.close()
            await asyncio.sleep(0)  # lets a plain connection close cleanly, as anyio does
            transport.abort()  # a TLS one does not wait for the peer's goodbye

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        tls: asyncio.BaseTransport | None = None
        try:
            if self._connection.ended:  # asyncio would wait for a handshake that cannot come
                raise ConnectionResetError("the server closed the connection")
            async with asyncio.timeout(timeout):
                tls = await loop.start_tls(self._transport, self._connection, ssl_context,
                                           server_hostname=server_hostname)
            if not isinstance(tls, asyncio.Transport):  # None: lost during the handshake
                raise ConnectionResetError("the server closed the connection")
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:  # ssl.SSLError is one
            await self.aclose()
            raise httpcore.ConnectError(exc) from exc
        self._connection.transport = tls  # the connection now hears the decrypted bytes
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # asked of an idle connection before it is used again
            connection = self._connection
            return bool(connection.ended or connection.unread
                        or _socket_readable(self._transport.get_extra_info("socket")))
        name = {"client_addr": "sockname", "server_addr": "peername"}.get(info, info)
        if name in ("ssl_object", "socket", "sockname", "peername"):
            return self._transport.get_extra_info(name)
        return None


def _socket_readable(sock: Any) -> bool:
    """Whether the kernel holds bytes or the peer's close that the event loop has not taken
    yet (it takes them on its next turn): a closed socket counts as readable."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if sys.platform == "win32" or not hasattr(select, "poll"):
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        # A name may have an IPv6 and an IPv4 address: try the next after 0.25 s (anyio's
        # delay). Not for an address: asyncio's race would cost two tasks a connection, and
        # may leave a socket it connected unclosed when the connect is cancelled.
        racing = None if _is_address(host) else 0.25
        try:
            async with asyncio.timeout(timeout):
                transport, connection = await loop.create_connection(
                    _Connection, host, port, happy_eyeballs_delay=racing,
                    local_addr=(local_address, 0) if local_address else None)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(connection)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
