"""A GeeLark Open API simulator on 127.0.0.1 over real HTTP (demo mode, tests, benchmarks).

Endpoints (POST, JSON body; anything else gets an HTML 404/405):
``/open/v1/task/restart`` and ``/open/v1/task/query``, both ``{"ids": [...]}``, with the envelope
``{"traceId", "code", "msg", "data"}`` and both auth methods (Bearer token, or signed app key).

Task states come from the ID's last two digits, see the table in `geelark_tui.sim_tasks`:
00-39 failed, 40-49 cancelled (both restartable), 50-57 waiting/in progress and 58-63 completed
(48001), 64-69 five restarts used (48000), 70-74 cloud phone deleted (40005), 75-79 resource
expired (48003), 80-84 needs app version (48004), 85-99 do not exist (48002).

Each request goes through, in order: auth (40002/40003) -> rate limit (40007 until the next
wall-clock minute; 40014 and a lock of ``lock_seconds``; counted per endpoint, the lock is
account-wide) -> body validation (40001/40004) -> faults that leave the batch alone (HTTP 429,
40017, half of the 5xx and drops) -> apply -> faults after applying (the other half of 5xx and
drops, slow answers, counts that do not add up, truncated answers; non-JSON answers come
half before and half after applying) -> answer ``latency`` after arrival. One
``random.Random(seed)`` draws the fault and quirk of each request, so runs are reproducible.
Duplicate IDs in one restart are processed one by one (the second gets 48001).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import random
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast

from geelark_tui.api.auth import compute_sign
from geelark_tui.sim_tasks import (
    DEMO_IDS,
    TASK_CODE_MSG,
    TaskState,
    expected_outcome,
    initial_state,
    state_after_restart,
)

__all__ = ["DEMO_IDS", "RequestRecord", "Simulator", "SimulatorConfig", "TaskState", "serve"]

RESTART_PATH = "/open/v1/task/restart"
QUERY_PATH = "/open/v1/task/query"
OUTER_MSG: dict[int, str] = {
    0: "success",
    40001: "request body unreadable",
    40002: "traceId is empty",
    40003: "signature verification failed",
    40004: "request parameter validation failed",
    40006: "partial success",
    40007: "too many requests, please retry in the next minute",
    40009: "process all failure",
    40014: "hourly request limit exceeded, account locked for 2 hours",
    40017: "too many requests, please try again later",
}
_REASONS = {404: "Not Found", 405: "Not Allowed", 429: "Too Many Requests", 500: "Internal "
            "Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable"}
_MAX_BODY = 4 * 1024 * 1024


@dataclass
class SimulatorConfig:
    token: str = "demo-token"
    app_id: str = "demo-app"
    api_key: str = "demo-api-key"
    latency: float = 0.0
    per_minute: int = 200  # 0 = unlimited
    per_hour: int = 24000  # 0 = unlimited
    lock_seconds: float = 7200.0
    error_5xx_rate: float = 0.0
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 5.0
    rate_429: float = 0.0
    code_40017_rate: float = 0.0
    quirks: bool = False
    bad_counts_rate: float = 0.0
    truncate_rate: float = 0.0  # the answer is cut short (applied)
    garbage_rate: float = 0.0  # HTTP 200 with a body that is not an envelope
    seed: int = 0
    state_timing: tuple[float, float] = (2.0, 5.0)
    max_ids: int = 100
    query_faults: bool = True  # False: task/query is never hit by the random faults
    wall_clock: Callable[[], float] = time.time  # for the minute/hour windows and the lock


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """Ground truth for one request. ``applied``: the restart batch was processed (state may
    have changed); ``restarted``: the IDs it restarted. ``http_status`` is 0 for a drop.
    ``wall`` is ``config.wall_clock()`` at arrival (the clock the rate limits count by)."""

    time: float
    path: str
    ids: tuple[str, ...]
    http_status: int
    code: int | None
    applied: bool
    fault: str | None
    restarted: tuple[str, ...] = ()
    wall: float = 0.0


@dataclass(slots=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    drop: bool = False
    delay: float = 0.0
    cut_at: int | None = None  # announce the whole body, send this many bytes, then close


def _html(status: int) -> _Reply:
    title = f"{status} {_REASONS.get(status, 'Error')}"
    body = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}"
            "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    return _Reply(status, body.encode(), "text/html")


_GARBAGE = (b"<html><body>OK</body></html>", b"\xff\xfe\x00\x9c garbage", b"null",
            b'"success"', b"[]", b'{"msg":"success","data":{"totalAmount":1}}', b"")


def _garbage(v: float) -> _Reply:
    """HTTP 200 whose body is no envelope (a proxy page, binary noise, JSON without a code)."""
    body = _GARBAGE[int(v * len(_GARBAGE)) % len(_GARBAGE)]
    return _Reply(200, body, "text/html" if body.startswith(b"<") else "application/json")


def _envelope(trace: str, code: Any, data: object = None, msg: str | None = None) -> _Reply:
    out: dict[str, object] = {"traceId": trace, "code": code,
                              "msg": msg if msg is not None else OUTER_MSG.get(int(code), "")}
    if data is not None:
        out["data"] = data
    return _Reply(200, json.dumps(out, separators=(",", ":")).encode())


def _parse_ids(raw: bytes | None, max_ids: int) -> list[str] | int:
    if raw is None:
        return 40001
    try:
        body = json.loads(raw)
    except ValueError:
        return 40001
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not ids or len(ids) > max_ids:
        return 40004
    if not all(isinstance(i, str) for i in ids):
        return 40004
    return ids


class Simulator:
    """A GeeLark API on ``host:port`` (0 = a free port) in a daemon thread; thread-safe."""

    def __init__(
        self, config: SimulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SimulatorConfig()
        self.host, self.port = host, port
        self.base_url = ""
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.seed)
        self._applied: dict[str, int] = {}
        self._last_restart: dict[str, float] = {}
        self._records: list[RequestRecord] = []
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}  # (path, span) -> window, n
        self._locked_until = 0.0
        self._conns: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is None:
            self._server = _Server((self.host, self.port), self)
            self.port = self._server.socket.getsockname()[1]
            self.base_url = f"http://{self.host}:{self.port}"
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name="geelark-simulator", daemon=True)
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with self._lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:  # idle keep-alive connections would otherwise keep being served
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- ground truth ----------------------------------------------------------------------
    @property
    def restart_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._applied)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def task_state(self, task_id: str) -> TaskState:
        with self._lock:
            return self._state(task_id, time.monotonic())

    def initial_state(self, task_id: str) -> TaskState:
        return initial_state(task_id)

    def expected_outcome(self, task_id: str) -> tuple[str, int | None]:
        return expected_outcome(task_id)

    # -- request handling ------------------------------------------------------------------
    def _state(self, task_id: str, now: float) -> TaskState:
        n = self._applied.get(task_id)
        init = initial_state(task_id)
        if not n:
            return init
        elapsed = now - self._last_restart[task_id]
        return state_after_restart(init, n, elapsed, self.config.state_timing)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def _auth_code(self, headers: Message) -> int | None:
        cfg = self.config
        trace = headers.get("traceId") or ""
        if not trace:
            return 40002
        authz = headers.get("Authorization")
        if authz is not None:
            return None if hmac.compare_digest(str(authz), f"Bearer {cfg.token}") else 40003
        app_id, ts = str(headers.get("appId") or ""), str(headers.get("ts") or "")
        nonce, sign = str(headers.get("nonce") or ""), str(headers.get("sign") or "")
        if app_id != cfg.app_id or not ts.isdigit() or nonce != trace[:6]:
            return 40003
        expected = compute_sign(app_id, trace, ts, nonce, cfg.api_key)
        return None if hmac.compare_digest(sign, expected) else 40003

    def _limit_code(self, path: str) -> int | None:
        """Count one authenticated request (caller holds the lock)."""
        cfg, now = self.config, self.config.wall_clock()
        over: dict[str, bool] = {}
        for span, seconds, limit in (("m", 60, cfg.per_minute), ("h", 3600, cfg.per_hour)):
            window = int(now // seconds)
            old_window, n = self._windows.get((path, span), (window, 0))
            n = n + 1 if old_window == window else 1
            self._windows[(path, span)] = (window, n)
            over[span] = limit > 0 and n > limit
        if now < self._locked_until:
            return 40014
        if over["h"]:
            self._locked_until = now + cfg.lock_seconds
            return 40014
        return 40007 if over["m"] else None

    def _pick_fault(self, u: float, is_restart: bool) -> str | None:
        cfg = self.config
        if not is_restart and not cfg.query_faults:
            return None
        half_5xx, half_drop = cfg.error_5xx_rate / 2, cfg.drop_rate / 2
        acc = 0.0
        for name, rate in (("429", cfg.rate_429), ("40017", cfg.code_40017_rate),
                           ("5xx_before", half_5xx), ("drop_before", half_drop),
                           ("5xx_after", half_5xx), ("drop_after", half_drop),
                           ("slow", cfg.slow_rate), ("bad_counts", cfg.bad_counts_rate),
                           ("garbage_before", cfg.garbage_rate / 2),
                           ("truncated", cfg.truncate_rate),
                           ("garbage_after", cfg.garbage_rate / 2)):
            acc += rate
            if u < acc:
                return None if name == "bad_counts" and not is_restart else name
        return None

    def _process(self, path: str, headers: Message, raw: bytes | None) -> _Reply:
        """Answer one POST (the HTTP handler calls this) and record it."""
        now, wall = time.monotonic(), self.config.wall_clock()
        trace = str(headers.get("traceId") or "")
        ids: tuple[str, ...] = ()

        def done(reply: _Reply, code: int | None, fault: str | None = None,
                 restarted: tuple[str, ...] | None = None) -> _Reply:
            status = 0 if reply.drop else reply.status
            rec = RequestRecord(now, path, ids, status, code, restarted is not None, fault,
                                restarted or (), wall)
            with self._lock:
                self._records.append(rec)
            # `latency` counts from arrival, the simulator's own work inside it as a real
            # server's is; added after that work, it made every request ~1 ms slower than
            # configured (100 IDs) and benchmarks charged that to the client.
            reply.delay += max(0.0, self.config.latency - (time.monotonic() - now))
            return reply

        if path not in (RESTART_PATH, QUERY_PATH):
            return done(_html(404), None)
        code = self._auth_code(headers)
        if code is not None:
            return done(_envelope(trace, code), code)
        parsed = _parse_ids(raw, self.config.max_ids)
        with self._lock:
            code = self._limit_code(path)
            u, v = self._rng.random(), self._rng.random()
        if code is not None:
            return done(_envelope(trace, code), code)
        if isinstance(parsed, int):
            return done(_envelope(trace, parsed), parsed)
        ids = tuple(parsed)
        fault = self._pick_fault(u, path == RESTART_PATH)
        if fault == "429":
            return done(_html(429) if v < 0.5 else _Reply(429, b"", "text/plain"), None, fault)
        if fault == "40017":
            return done(_envelope(trace, 40017), 40017, fault)
        applied: tuple[str, ...] | None = None
        failed: list[tuple[str, int]] = []
        if path == RESTART_PATH and fault not in ("5xx_before", "drop_before", "garbage_before"):
            applied, failed = self._apply(ids, now)
        if fault in ("5xx_before", "5xx_after"):
            return done(_html((502, 503, 500)[int(v * 3) % 3]), None, fault, applied)
        if fault in ("drop_before", "drop_after"):
            return done(_Reply(0, b"", drop=True), None, fault, applied)
        if fault in ("garbage_before", "garbage_after"):
            return done(_garbage(v), None, fault, applied)
        if applied is None:
            reply, code, quirk = self._query(trace, ids, now), 0, None
        else:
            reply, code, quirk = self._restart_reply(trace, applied, failed, fault, v)
        if fault == "slow":
            reply.delay += self.config.slow_seconds
        if fault == "truncated":  # half: a shorter body as a whole; half: the connection drops
            cut = max(1, int(len(reply.body) * (v % 0.5) * 2))
            if v < 0.5:
                reply.body = reply.body[:cut]
            else:
                reply.cut_at = cut
        named = fault if fault in ("slow", "bad_counts", "truncated") else quirk
        return done(reply, code, named, applied)

    def _apply(
        self, ids: tuple[str, ...], now: float
    ) -> tuple[tuple[str, ...], list[tuple[str, int]]]:
        restarted: list[str] = []
        failed: list[tuple[str, int]] = []
        with self._lock:
            for tid in ids:
                code = self._state(tid, now).restart_code()
                if code is None:
                    self._applied[tid] = self._applied.get(tid, 0) + 1
                    self._last_restart[tid] = now
                    restarted.append(tid)
                else:
                    failed.append((tid, code))
        return tuple(restarted), failed

    def _restart_reply(
        self, trace: str, restarted: tuple[str, ...], failed: list[tuple[str, int]],
        fault: str | None, v: float,
    ) -> tuple[_Reply, int, str | None]:
        quirks = self.config.quirks
        ok, bad = len(restarted), len(failed)
        code = 0 if not bad else 40009 if not ok else 40006
        data: dict[str, object] = {"totalAmount": ok + bad, "successAmount": ok, "failAmount": bad}
        if failed:
            data["failDetails"] = [
                {"id": tid, "code": str(c) if quirks else c, "msg": TASK_CODE_MSG[c]}
                for tid, c in failed
            ]
        if fault == "bad_counts":
            data["successAmount"] = ok + 1
        quirk = None
        if quirks and code == 40006 and v < 0.4:
            code, quirk = 0, "quirk_code_0"
        outer: int | str = str(code) if quirks and v >= 0.6 else code
        return _envelope(trace, outer, data, OUTER_MSG[code]), code, quirk

    def _query(self, trace: str, ids: tuple[str, ...], now: float) -> _Reply:
        items: list[dict[str, object]] = []
        with self._lock:
            for tid in dict.fromkeys(ids):
                state = self._state(tid, now)
                if state.exists:
                    items.append(state.to_json(omit_empty=self.config.quirks))
        return _envelope(trace, 0, {"total": len(items), "items": items})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "geelark-simulator"
    sys_version = ""

    @property
    def sim(self) -> Simulator:
        return cast(_Server, self.server).sim

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.sim._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.sim._track(self.connection, False)

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
        if not 0 <= n <= _MAX_BODY:
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
        reply = self.sim._process(self.path.split("?", 1)[0], self.headers, raw)
        self._send(reply)

    def _not_post(self) -> None:
        path = self.path.split("?", 1)[0]
        self._send(_html(405 if path in (RESTART_PATH, QUERY_PATH) else 404))

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_post

    def _send(self, reply: _Reply) -> None:
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


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        super().__init__(address, _Handler)

    def server_bind(self) -> None:  # skip HTTPServer's getfqdn(): a reverse DNS lookup
        socketserver.TCPServer.server_bind(self)
        host, port = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # resets and broken pipes are normal
            super().handle_error(request, client_address)


def serve(port: int = 0, config: SimulatorConfig | None = None) -> None:
    """Run a simulator in the foreground until Ctrl+C (``geelark-tui simulator``)."""
    sim = Simulator(config, port=port)
    url = sim.start()
    cfg = sim.config
    print(f"GeeLark API simulator listening on {url}")
    print(f"  token auth:   GEELARK_TOKEN={cfg.token}")
    print(f"  app key auth: GEELARK_APP_ID={cfg.app_id} GEELARK_API_KEY={cfg.api_key}")
    print(f"  try: GEELARK_BASE_URL={url} GEELARK_TOKEN={cfg.token} geelark-tui restart "
          f"{' '.join(DEMO_IDS[:3])}")
    print("  IDs: the last two digits pick the behaviour (00-49 restartable, 50-63 busy or "
          "done, 64-84 refused, 85-99 unknown). Ctrl+C stops.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
