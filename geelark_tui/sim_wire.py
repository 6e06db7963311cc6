"""What the simulator's answers look like on the wire: GeeLark's envelope with the outer
messages the real API sends, the non-envelope bodies a proxy produces, and reading the
``{"ids": [...]}`` body every task endpoint takes (40001 unreadable, 40004 invalid)."""

from __future__ import annotations

import json
from typing import Any

from geelark_tui.sim_http import Reply
from geelark_tui.sim_tasks import TASK_CODE_MSG

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
GARBAGE = (b"<html><body>OK</body></html>", b"\xff\xfe\x00\x9c garbage", b"null",
           b'"success"', b"[]", b'{"msg":"success","data":{"totalAmount":1}}', b"")


def garbage_reply(v: float) -> Reply:
    """HTTP 200 whose body is no envelope (a proxy page, binary noise, JSON without a code)."""
    body = GARBAGE[int(v * len(GARBAGE)) % len(GARBAGE)]
    return Reply(200, body, "text/html" if body.startswith(b"<") else "application/json")


def envelope(trace: str, code: Any, data: object = None, msg: str | None = None) -> Reply:
    out: dict[str, object] = {"traceId": trace, "code": code,
                              "msg": msg if msg is not None else OUTER_MSG.get(int(code), "")}
    if data is not None:
        out["data"] = data
    return Reply(200, json.dumps(out, separators=(",", ":")).encode())


def parse_ids(raw: bytes | None, max_ids: int) -> list[str] | int:
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


def batch_reply(
    trace: str, done: tuple[str, ...], failed: list[tuple[str, int]], *, quirks: bool,
    bad_counts: bool, v: float,
) -> tuple[Reply, int, str | None]:
    """A restart (or cancel) answer: 0, 40006 or 40009 with its counts and failDetails. With
    `quirks`, GeeLark's published oddities (codes as strings, code 0 with failures); with
    `bad_counts`, counts that do not add up. Also the code meant and the quirk shown."""
    ok, bad = len(done), len(failed)
    code = 0 if not bad else 40009 if not ok else 40006
    data: dict[str, object] = {"totalAmount": ok + bad, "successAmount": ok, "failAmount": bad}
    if failed:
        data["failDetails"] = [
            {"id": tid, "code": str(c) if quirks else c, "msg": TASK_CODE_MSG[c]}
            for tid, c in failed
        ]
    if bad_counts:
        data["successAmount"] = ok + 1
    quirk = None
    if quirks and code == 40006 and v < 0.4:
        code, quirk = 0, "quirk_code_0"
    outer: int | str = str(code) if quirks and v >= 0.6 else code
    return envelope(trace, outer, data, OUTER_MSG[code]), code, quirk
