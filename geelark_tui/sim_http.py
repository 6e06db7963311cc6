"""The simulator's HTTP plumbing: a threaded HTTP/1.1 server on 127.0.0.1 that reads request
bodies (with or without Content-Length, chunked too) and writes `Reply`s, including the
broken ones a flaky gateway produces (a drop without an answer, a delay, a body cut short).

What to answer is not decided here: every POST goes to the `answer` callable it is given.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

MAX_BODY = 4 * 1024 * 1024
_REASONS = {404: "Not Found", 405: "Not Allowed", 429: "Too Many Requests", 500: "Internal "
            "Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    drop: bool = False
    delay: float = 0.0
    cut_at: int | None = None  # announce the whole body, send this many bytes, then close


def html_reply(status: int) -> Reply:
    """The page an nginx in front of the API answers with."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    body = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}"
            "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return Reply(status, body.encode(), "text/html")


Answer = Callable[[str, Message, "bytes | None"], Reply]  # (path, headers, body or None)
Track = Callable[[socket.socket, bool], None]  # (connection, opened)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "geelark-simulator"
    sys_version = ""

    @property
    def owner(self) -> SimServer:
        return cast(SimServer, self.server)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.owner.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner.track(self.connection, False)

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            if "chunked" in str(self.headers.get("Transfer-Encoding") or "").lower():
                return self._read_chunked()
            return b""
        try:
            n = int(length)
        except ValueError:
            n = -1
        if not 0 <= n <= MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(n)

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        try:
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        except ValueError:
            self.close_connection = True
            return None
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return b"".join(parts)

    def do_POST(self) -> None:
        raw = self._read_body()
        self._send(self.owner.answer(self.path.split("?", 1)[0], self.headers, raw))

    def _not_post(self) -> None:
        path = self.path.split("?", 1)[0]
        self._send(html_reply(405 if path in self.owner.served else 404))

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_post

    def _send(self, reply: Reply) -> None:
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.drop:  # close without a byte of answer: the client sees a protocol/read error
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.cut_at is not None:
                self.wfile.write(reply.body[: reply.cut_at])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif self.command != "HEAD":
                self.wfile.write(reply.body)
        except OSError:  # the client gave up (e.g. timed out on a slow answer)
            self.close_connection = True


class SimServer(ThreadingHTTPServer):
    """Serves POSTs to `answer`; other methods get an HTML 405 on a `served` path, else 404.
    `track` hears of every connection opened and closed (so a stop can close idle ones)."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], answer: Answer, track: Track,
                 served: Collection[str]) -> None:
        self.answer, self.track, self.served = answer, track, served
        super().__init__(address, _Handler)

    def server_bind(self) -> None:  # skip HTTPServer's getfqdn(): a reverse DNS lookup
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # resets and broken pipes are normal
            super().handle_error(request, client_address)
