"""GeeLarkClient: one long-lived `httpx.AsyncClient`, `restart()`, `query()` and `history()`.

Answers are parsed defensively: GeeLark's own examples are not valid JSON, send codes as
strings, omit `failDetails`, and gateways in front of the API answer with HTML. Anything
that is not a readable envelope becomes a `TransportFailure` that says whether the request
may have been applied, so the engine can decide between resending and verifying.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

import httpx

from geelark_tui.api.endpoints import CANCEL_PATH, HISTORY_PATH, QUERY_PATH, RESTART_PATH
from geelark_tui.api.models import BatchResult, Envelope, FailDetail, QueryResult, Task
from geelark_tui.api.transport import transport_for

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 8 * 1024 * 1024  # a restart answer for 100 IDs is a few KB
UNSENDABLE = ("the request could not be sent: a credential holds a character that HTTP "
              "headers do not allow (a line break?); paste it again")


class FailureKind(StrEnum):
    NOT_SENT = "not_sent"  # never reached the server: safe to resend
    THROTTLED = "throttled"  # HTTP 429: the gateway refused it before processing
    AMBIGUOUS = "ambiguous"  # may or may not have been applied: verify, never resend
    CONFIG = "config"  # wrong base URL or similar: nothing will work, stop


class TransportFailure(Exception):
    def __init__(self, kind: FailureKind, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status


_NUMERIC = re.compile(r"-?[0-9]{1,40}")


def parse_code(value: Any) -> int | None:
    """GeeLark documents `code` as int but its examples send numeric strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _NUMERIC.fullmatch(value.strip()):
        return int(value.strip())  # at most 40 digits: never int()'s 4300-digit ValueError
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _as_int(value: Any) -> int | None:
    return parse_code(value)


def _as_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_envelope(status: int, body: bytes) -> Envelope:
    """Read the envelope or raise TransportFailure saying how unsure we are."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    code = parse_code(payload.get("code")) if isinstance(payload, dict) else None
    if not isinstance(payload, dict) or code is None:
        snippet = body[:80].strip()
        if status == 429:
            raise TransportFailure(FailureKind.THROTTLED, "HTTP 429 too many requests", status)
        if status in (404, 405):
            raise TransportFailure(
                FailureKind.CONFIG,
                f"HTTP {status}: this base URL does not serve the GeeLark API",
                status,
            )
        what = "a body that is not JSON" if payload is None else "an envelope without a code"
        if not snippet:
            what = "an empty body"
        said = _gateway_message(payload)
        message = f"HTTP {status}: {said}" if said else f"HTTP {status} with {what}"
        raise TransportFailure(FailureKind.AMBIGUOUS, message, status)
    msg = payload.get("msg")
    trace = payload.get("traceId")
    return Envelope(
        code=code,
        msg=msg if isinstance(msg, str) else "",
        trace_id=trace if isinstance(trace, str) else "",
        data=payload.get("data"),
        http_status=status,
    )


def _gateway_message(payload: Any) -> str:
    """The text of a gateway's own JSON error (`{"message": "An invalid response was received
    from the upstream server"}`), on one line and at most 200 characters; "" if none."""
    if not isinstance(payload, dict):
        return ""
    said = payload.get("message", payload.get("msg"))
    return " ".join(said.split())[:200] if isinstance(said, str) else ""


def parse_batch(envelope: Envelope, sent: Iterable[str]) -> BatchResult:
    data = envelope.data if isinstance(envelope.data, dict) else {}
    sent_set = set(sent)
    details: list[FailDetail] = []
    malformed: list[str] = []
    raw = data.get("failDetails")
    for entry in raw if isinstance(raw, list) else ():
        task_id = _as_str(entry.get("id")) if isinstance(entry, dict) else None
        if task_id is None:
            malformed.append(repr(entry)[:120])
            continue
        if task_id not in sent_set:
            log.warning("failDetails names %s, which this request did not send", task_id)
            malformed.append(f"unsent id {task_id}")
            continue
        msg = entry.get("msg")
        details.append(FailDetail(task_id, parse_code(entry.get("code")),
                                  msg if isinstance(msg, str) else ""))
    return BatchResult(
        envelope=envelope,
        total=_as_int(data.get("totalAmount")),
        success=_as_int(data.get("successAmount")),
        fail=_as_int(data.get("failAmount")),
        fail_details=tuple(details),
        malformed=tuple(malformed),
    )


def parse_task(item: Any) -> Task | None:
    if not isinstance(item, dict):
        return None
    task_id = _as_str(item.get("id"))
    if task_id is None:
        return None

    def text(key: str) -> str | None:
        value = item.get(key)
        return value if isinstance(value, str) else None

    def shared(value: str | None) -> str | None:
        """Plans, phones and failures repeat across thousands of tasks: one copy of each
        (a pre-flight of 100,000 IDs keeps every task)."""
        return None if value is None else sys.intern(value)

    return Task(
        id=task_id,
        status=_as_int(item.get("status")),
        plan_name=shared(text("planName")),
        task_type=_as_int(item.get("taskType")),
        serial_name=shared(text("serialName")),
        env_id=shared(_as_str(item.get("envId"))),
        schedule_at=_as_int(item.get("scheduleAt")),
        fail_code=_as_int(item.get("failCode")),
        fail_desc=shared(text("failDesc")),
        cost=_as_int(item.get("cost")),
        share_link=text("shareLink"),
    )


def parse_task_list(envelope: Envelope) -> QueryResult:
    """`data: {total, items: [Task]}` as it came: `incomplete` when there is no item list or
    an item cannot be read (a list that cannot be trusted is never "no tasks")."""
    data = envelope.data if isinstance(envelope.data, dict) else {}
    items = data.get("items")
    tasks: list[Task] = []
    malformed: list[str] = []
    for item in items if isinstance(items, list) else ():
        task = parse_task(item)
        if task is None:
            malformed.append(repr(item)[:120])
        else:
            tasks.append(task)
    incomplete = ""
    if not isinstance(items, list):
        incomplete = "no task list in the answer"
    elif malformed:
        incomplete = f"{len(malformed)} of its {len(items)} tasks could not be read"
    return QueryResult(envelope=envelope, tasks=tuple(tasks), malformed=tuple(malformed),
                       incomplete=incomplete, total=_as_int(data.get("total")))


def parse_query(envelope: Envelope) -> QueryResult:
    """task/query: also incomplete when it lists fewer tasks than its `total`."""
    result = parse_task_list(envelope)
    if result.complete and result.total is not None and result.total > len(result.tasks):
        return replace(result,
                       incomplete=f"it counts {result.total} tasks but lists {len(result.tasks)}")
    return result


def parse_history(envelope: Envelope) -> QueryResult:
    """One page of historyRecords. Its `total` counts every task of the 7 days, not this page,
    so a page shorter than `total` is normal; a page without `items`, or with an item that
    cannot be read, is incomplete (a failed page, never "no more tasks")."""
    return parse_task_list(envelope)


class GeeLarkClient:
    """Talks to one GeeLark API host. Use as `async with GeeLarkClient(...) as client:`."""

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        timeout: float = 30.0,
        max_connections: int = 20,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        limits = httpx.Limits(max_connections=max_connections,
                              max_keepalive_connections=max_connections)
        connect = min(timeout, 10.0)
        # httpx's timeouts are per step (each read of an answer gets `timeout` again): a
        # server that trickles its answer a byte at a time held a request, and a run that
        # waits for its requests in flight, for good. The whole exchange has this deadline:
        # longer than the longest wait for a free connection (the pool timeout, `timeout`)
        # and a connect and TLS handshake (`connect` each) together, so when it passes the
        # request was being sent or answered: it may have been applied.
        self.deadline = 2 * (connect + timeout)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            timeout=httpx.Timeout(timeout, connect=connect),
            limits=limits,
            headers={"Content-Type": "application/json", "User-Agent": "geelark-tui"},
            transport=transport or transport_for(self.base_url, limits),
            follow_redirects=False,
        )
        # Answers are taken in one per turn of the event loop. Ten that arrive together were
        # all parsed, and their callers' next steps run, in one turn: 25-50 ms of a pre-flight
        # (100 tasks an answer) in which the app could not paint or take a key. The work is
        # the same either way; in turns, everything else on the loop gets its share between.
        self._one_per_turn = asyncio.Lock()

    async def __aenter__(self) -> GeeLarkClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def host(self) -> str:
        return httpx.URL(self.base_url).host

    async def restart(self, ids: Sequence[str]) -> BatchResult:
        envelope = await self._post(RESTART_PATH, {"ids": list(ids)})
        return parse_batch(envelope, ids)

    async def cancel(self, ids: Sequence[str]) -> BatchResult:
        """task/cancel: the same answer shape (and outer codes) as a restart."""
        envelope = await self._post(CANCEL_PATH, {"ids": list(ids)})
        return parse_batch(envelope, ids)

    async def query(self, ids: Sequence[str]) -> QueryResult:
        return parse_query(await self._post(QUERY_PATH, {"ids": list(ids)}))

    async def history(self, size: int, last_id: str | None = None,
                      ids: Sequence[str] | None = None) -> QueryResult:
        """One page of task/historyRecords (tasks scheduled in the last 7 days): `size` at most
        100, `last_id` the id of the last item of the previous page (cursor paging)."""
        payload: dict[str, Any] = {"size": size}
        if last_id is not None:
            payload["lastId"] = last_id
        if ids:
            payload["ids"] = list(ids)
        return parse_history(await self._post(HISTORY_PATH, payload))

    async def _post(self, path: str, payload: dict[str, Any]) -> Envelope:
        body = json.dumps(payload).encode()
        try:
            async with asyncio.timeout(self.deadline), \
                    self._http.stream("POST", path, content=body) as response:
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise TransportFailure(
                            FailureKind.AMBIGUOUS,
                            f"answer larger than {MAX_BODY_BYTES // 1024 // 1024} MiB: refused",
                            response.status_code,
                        )
                    chunks.append(chunk)
                status = response.status_code
        except TimeoutError:  # the deadline's, not httpx's (those are TransportErrors)
            raise TransportFailure(FailureKind.AMBIGUOUS, "no whole answer within "
                                   f"{self.deadline:g} s") from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TransportFailure(FailureKind.NOT_SENT, _describe(exc)) from None
        except httpx.UnsupportedProtocol as exc:
            raise TransportFailure(FailureKind.CONFIG, _describe(exc)) from None
        except httpx.LocalProtocolError:
            # Our own request could not be written, so nothing was sent. Its message quotes
            # the offending header, which is the credential: never pass it on.
            raise TransportFailure(FailureKind.CONFIG, UNSENDABLE) from None
        except httpx.TransportError as exc:
            raise TransportFailure(FailureKind.AMBIGUOUS, _describe(exc)) from None
        async with self._one_per_turn:
            await asyncio.sleep(0)  # a queued answer is parsed in a later turn than this one
        return parse_envelope(status, b"".join(chunks))


def _describe(exc: httpx.TransportError) -> str:
    kind = {
        httpx.ConnectError: "could not connect",
        httpx.ConnectTimeout: "connect timed out",
        httpx.PoolTimeout: "no free connection",
        httpx.ReadTimeout: "no answer within the timeout",
        httpx.WriteTimeout: "sending timed out",
        httpx.RemoteProtocolError: "connection dropped by the server",
        httpx.ReadError: "connection dropped while reading",
        httpx.WriteError: "connection dropped while sending",
    }.get(type(exc), type(exc).__name__)
    detail = str(exc)
    return f"{kind} ({detail})" if detail else kind
