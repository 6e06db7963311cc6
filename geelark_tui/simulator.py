"""A GeeLark Open API simulator on 127.0.0.1 over real HTTP (demo mode, tests, benchmarks).

Endpoints (POST, JSON body; anything else gets an HTML 404/405):
``/open/v1/task/restart``, ``/open/v1/task/cancel`` and ``/open/v1/task/query``, all
``{"ids": [...]}``, with the envelope ``{"traceId", "code", "msg", "data"}`` and both auth
methods (Bearer token, or signed app key); ``/open/v1/task/historyRecords`` over a population
of tasks of the last 8 days (`sim_history`). A cancel turns a waiting or running task into a
cancelled one at once (others get 48001, missing ones 48002); the answer has the restart's
shape, and cancels meet the same faults as restarts.

Task states come from the ID's last two digits, see the table in `geelark_tui.sim_tasks`:
00-39 failed, 40-49 cancelled (both restartable), 50-57 waiting/in progress and 58-63 completed
(48001), 64-69 five restarts used (48000), 70-74 cloud phone deleted (40005), 75-79 resource
expired (48003), 80-84 needs app version (48004), 85-99 do not exist (48002).

Each request goes through, in order: auth (40002/40003) -> rate limit (40007 until the next
wall-clock minute; 40014 and a lock of ``lock_seconds``; counted per endpoint, the lock is
account-wide) -> body validation (40001/40004) -> faults that leave the batch alone (HTTP 429,
40017, half of the 5xx and drops) -> apply -> faults after applying (the other half of 5xx and
drops, slow answers, counts that do not add up, truncated answers, a task/query that lists
fewer tasks than its total; non-JSON answers come half before and half after applying) ->
answer ``latency`` after arrival. One ``random.Random(seed)`` draws the fault and quirk of each
request, so runs are reproducible.
Duplicate IDs in one restart are processed one by one (the second gets 48001).

The HTTP plumbing is in `sim_http`, the shape of the answers in `sim_wire`.
"""

from __future__ import annotations

import contextlib
import hmac
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.message import Message
from types import TracebackType

from geelark_tui.api.auth import compute_sign
from geelark_tui.api.endpoints import CANCEL_PATH, HISTORY_PATH, QUERY_PATH, RESTART_PATH
from geelark_tui.sim_faults import pick_fault
from geelark_tui.sim_history import HISTORY_SIZE, HistoryBook
from geelark_tui.sim_http import Reply, SimServer, html_reply
from geelark_tui.sim_tasks import (
    CANCELLED,
    DEMO_IDS,
    IN_PROGRESS,
    WAITING,
    TaskState,
    expected_outcome,
    initial_state,
    state_after_restart,
)
from geelark_tui.sim_wire import batch_reply, envelope, garbage_reply, parse_ids

__all__ = ["DEMO_IDS", "RequestRecord", "Simulator", "SimulatorConfig", "TaskState", "serve"]

SERVED = (RESTART_PATH, CANCEL_PATH, QUERY_PATH, HISTORY_PATH)
CHANGING = (RESTART_PATH, CANCEL_PATH)  # requests that change tasks: same faults


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
    incomplete_rate: float = 0.0  # task/query: code 0 listing fewer tasks than `total`, or none
    seed: int = 0
    state_timing: tuple[float, float] = (2.0, 5.0)
    max_ids: int = 100
    query_faults: bool = True  # False: task/query is never hit by the random faults
    wall_clock: Callable[[], float] = time.time  # for the minute/hour windows and the lock
    history_size: int = HISTORY_SIZE  # tasks in the 8-day history (sim_history)
    history_seed: int = 0
    history_faults: dict[int, str] = field(default_factory=dict)  # n-th history request: fault


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
        self._cancelled_at: dict[str, float] = {}
        self._cancels: dict[str, int] = {}
        self._records: list[RequestRecord] = []
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}  # (path, span) -> window, n
        self._locked_until = 0.0
        self._conns: set[socket.socket] = set()
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None
        cfg = self.config
        self.history = HistoryBook(cfg.history_size, cfg.history_seed, cfg.history_faults,
                                   cfg.wall_clock)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, tls: ssl.SSLContext | None = None) -> str:
        """Serve; over https when given a server-side TLS context (tests of the client's TLS).
        Starting again while serving changes nothing."""
        if self._server is None:
            self._server = SimServer(
                (self.host, self.port), lambda *request: self._process(*request), self._track,
                SERVED)
            self.port = self._server.socket.getsockname()[1]
            scheme = "http"
            if tls is not None:  # each connection's handshake runs in its handler's thread
                self._server.socket = tls.wrap_socket(
                    self._server.socket, server_side=True, do_handshake_on_connect=False)
                scheme = "https"
            self.base_url = f"{scheme}://{self.host}:{self.port}"
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
    def cancel_counts(self) -> dict[str, int]:
        """How often each task was cancelled by this simulator."""
        with self._lock:
            return dict(self._cancels)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def task_state(self, task_id: str) -> TaskState:
        with self._lock:
            return self._state(task_id, time.monotonic())

    def initial_state(self, task_id: str) -> TaskState:
        return self.history.initial(task_id) or initial_state(task_id)

    def history_tasks(self) -> list[TaskState]:
        """What historyRecords lists now (the last 7 days), in its order, as the tasks are now."""
        return self.history.listed(self.task_state)

    def expected_outcome(self, task_id: str) -> tuple[str, int | None]:
        return expected_outcome(task_id)

    # -- request handling ------------------------------------------------------------------
    def _state(self, task_id: str, now: float) -> TaskState:
        n = self._applied.get(task_id)
        state = self.history.initial(task_id) or initial_state(task_id)
        if n:
            elapsed = now - self._last_restart[task_id]
            state = state_after_restart(state, n, elapsed, self.config.state_timing)
        cancelled = self._cancelled_at.get(task_id)
        if cancelled is not None and cancelled >= self._last_restart.get(task_id, -1.0):
            state = replace(state, status=CANCELLED, fail_code=0, fail_desc="", share_link="")
        return state

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

    def _process(self, path: str, headers: Message, raw: bytes | None) -> Reply:
        """Answer one POST (the HTTP handler calls this) and record it."""
        now, wall = time.monotonic(), self.config.wall_clock()
        trace = str(headers.get("traceId") or "")
        ids: tuple[str, ...] = ()

        def done(reply: Reply, code: int | None, fault: str | None = None,
                 restarted: tuple[str, ...] | None = None) -> Reply:
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

        if path not in SERVED:
            return done(html_reply(404), None)
        code = self._auth_code(headers)
        if code is not None:
            return done(envelope(trace, code), code)
        parsed = parse_ids(raw, self.config.max_ids)
        with self._lock:
            code = self._limit_code(path)
            u, v = self._rng.random(), self._rng.random()
        if code is not None:
            return done(envelope(trace, code), code)
        if path == HISTORY_PATH:
            with self._lock:
                answer = self.history.answer(trace, raw, lambda t: self._state(t, now))
            return done(*answer)
        if isinstance(parsed, int):
            return done(envelope(trace, parsed), parsed)
        ids = tuple(parsed)
        fault = pick_fault(self.config, u, changes_tasks=path in CHANGING)
        if fault == "429":
            return done(html_reply(429) if v < 0.5 else Reply(429, b"", "text/plain"), None, fault)
        if fault == "40017":
            return done(envelope(trace, 40017), 40017, fault)
        applied: tuple[str, ...] | None = None
        failed: list[tuple[str, int]] = []
        if path in CHANGING and fault not in ("5xx_before", "drop_before", "garbage_before"):
            applied, failed = (self._apply if path == RESTART_PATH else self._cancel)(ids, now)
        if fault in ("5xx_before", "5xx_after"):
            return done(html_reply((502, 503, 500)[int(v * 3) % 3]), None, fault, applied)
        if fault in ("drop_before", "drop_after"):
            return done(Reply(0, b"", drop=True), None, fault, applied)
        if fault in ("garbage_before", "garbage_after"):
            return done(garbage_reply(v), None, fault, applied)
        if applied is None:
            reply, code, quirk = self._query(trace, ids, now, fault, v), 0, None
        else:
            reply, code, quirk = batch_reply(trace, applied, failed, quirks=self.config.quirks,
                                             bad_counts=fault == "bad_counts", v=v)
        if fault == "slow":
            reply.delay += self.config.slow_seconds
        if fault == "truncated":  # half: a shorter body as a whole; half: the connection drops
            cut = max(1, int(len(reply.body) * (v % 0.5) * 2))
            if v < 0.5:
                reply.body = reply.body[:cut]
            else:
                reply.cut_at = cut
        named = fault if fault in ("slow", "bad_counts", "truncated", "incomplete") else quirk
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

    def _cancel(
        self, ids: tuple[str, ...], now: float
    ) -> tuple[tuple[str, ...], list[tuple[str, int]]]:
        cancelled: list[str] = []
        failed: list[tuple[str, int]] = []
        with self._lock:
            for tid in ids:
                state = self._state(tid, now)
                if not state.exists:
                    failed.append((tid, 48002))
                elif state.status in (WAITING, IN_PROGRESS):
                    self._cancelled_at[tid] = now
                    self._cancels[tid] = self._cancels.get(tid, 0) + 1
                    cancelled.append(tid)
                else:
                    failed.append((tid, 48001))
        return tuple(cancelled), failed

    def _query(
        self, trace: str, ids: tuple[str, ...], now: float, fault: str | None, v: float
    ) -> Reply:
        items: list[dict[str, object]] = []
        with self._lock:
            for tid in dict.fromkeys(ids):
                state = self._state(tid, now)
                if state.exists:
                    items.append(state.to_json(omit_empty=self.config.quirks))
        if fault != "incomplete":
            return envelope(trace, 0, {"total": len(items), "items": items})
        if v < 0.5:  # seen in real traffic: a `total` larger than the items listed
            return envelope(trace, 0, {"total": len(items) + 1, "items": items[: len(items) // 2]})
        return envelope(trace, 0, {"total": len(items)})  # ... or no `items` at all


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
