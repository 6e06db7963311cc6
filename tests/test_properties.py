"""Properties that must hold for *any* input: the ID parser, the response parsers, the engine's
reading of answers, and inputs too large to be honest (a 50 MB paste, a 10 MB answer)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import (
    MAX_BODY_BYTES,
    FailureKind,
    GeeLarkClient,
    TransportFailure,
    parse_batch,
    parse_code,
    parse_envelope,
    parse_query,
)
from geelark_tui.api.models import Outcome
from geelark_tui.engine import RestartRun, RunSettings
from geelark_tui.events import Event, OutcomesReported
from geelark_tui.ids import is_valid_id, parse_ids
from geelark_tui.pacing import FakeClock

# -- the ID parser ----------------------------------------------------------------------------

ids = st.from_regex(r"[0-9]{6,24}", fullmatch=True)
near_ids = st.one_of(st.from_regex(r"[0-9]{1,5}|[0-9]{25,30}", fullmatch=True),
                     st.from_regex(r"[0-9]{3,10}[a-zA-Z٤.e+-][0-9]{3,10}", fullmatch=True))
words = st.sampled_from(["please", "retry", "task", "failed:", "ID", "id", "taskId", "and",
                         "(", ")", "[", "]", "{", "}", '"', "'", "#", "•", "—", "…", "\ufeff"])
seps = st.sampled_from([" ", "\n", "\r\n", ",", ", ", ";", "|", "\t", " | ", ",\n"])
pieces = st.lists(st.one_of(ids, near_ids, words, st.text(max_size=6)), max_size=40)


@st.composite
def pastes(draw: st.DrawFn) -> str:
    """Text shaped like what people paste: lists, prose, CSV, JSON, or anything at all."""
    shape = draw(st.sampled_from(["any", "list", "csv", "json", "json_response", "prose"]))
    if shape == "any":
        return draw(st.text(max_size=300))
    if shape == "list":
        sep = draw(seps)
        return sep.join(draw(pieces))
    if shape == "csv":
        delim = draw(st.sampled_from([",", ";", "\t", "|"]))
        header = delim.join(draw(st.permutations(["taskId", "name", "status"])))
        rows = draw(st.lists(st.tuples(st.one_of(ids, near_ids, st.just("")), st.text(
            alphabet="abc ,;\"", max_size=5)), max_size=20))
        return header + "\n" + "\n".join(f'{a}{delim}"{b}"{delim}4' for a, b in rows)
    if shape == "json":
        values = st.one_of(ids, near_ids, st.integers(), st.floats(), st.none(), st.booleans())
        doc: Any = draw(st.one_of(st.lists(values),
                                  st.fixed_dictionaries({"ids": st.lists(values)})))
        return json.dumps(doc, indent=draw(st.sampled_from([None, 2])))
    if shape == "json_response":
        items = st.lists(st.fixed_dictionaries({"id": st.one_of(ids, st.integers(0, 10**20)),
                                                "code": st.sampled_from(["48001", 48002])}))
        return json.dumps({"code": 40006, "data": {"failDetails": draw(items)}})
    return " ".join(draw(st.lists(st.one_of(words, ids, near_ids, st.just("thanks")))))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(pastes(), st.text()))
def test_parse_ids_on_any_text(text: str) -> None:
    parsed = parse_ids(text)  # never raises
    assert all(i in text for i in parsed.ids)  # nothing invented
    assert all(is_valid_id(i) for i in parsed.ids)
    assert len(set(parsed.ids)) == len(parsed.ids)
    assert parse_ids("\n".join(parsed.ids)).ids == parsed.ids


# -- response parsing -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=5),
    max_leaves=20,
)
SENT = ["574376043897000000", "574376043897000001", "574376043897000002"]
codes = st.one_of(st.sampled_from([0, 40006, 40009, 40000, 40003, 40007, 40014, 40017, 50000,
                                   "0", "40006", " 48001 ", "--5", "1" * 5000, 1e300, 0.5]),
                  st.integers(), json_values)
counts = st.one_of(st.integers(-2, 5), st.sampled_from(["3", "x", None, 2.0]), json_values)
details = st.lists(st.one_of(
    st.fixed_dictionaries({"id": st.one_of(st.sampled_from(SENT), json_values), "code": codes,
                           "msg": json_values}), json_values), max_size=4)
items = st.lists(st.one_of(
    st.fixed_dictionaries({"id": st.sampled_from(SENT), "status": st.one_of(
        st.sampled_from([1, 2, 3, 4, 7, "4"]), json_values)}), json_values), max_size=4)
envelopes = st.fixed_dictionaries(
    {"code": codes},
    optional={"msg": json_values, "traceId": json_values, "data": st.one_of(
        json_values,
        st.fixed_dictionaries({}, optional={"totalAmount": counts, "successAmount": counts,
                                            "failAmount": counts, "failDetails": details}),
        st.fixed_dictionaries({"items": items}, optional={"total": counts}))},
)
bodies = st.one_of(envelopes.map(json.dumps), json_values.map(json.dumps),
                   st.binary(max_size=200), envelopes.map(lambda e: json.dumps(e)[:-3]))
statuses = st.sampled_from([200, 200, 200, 404, 405, 429, 500, 502, 503])


@settings(max_examples=500, deadline=None)
@given(statuses, bodies.map(lambda b: b if isinstance(b, bytes) else b.encode()))
def test_parsers_give_a_result_or_a_transport_failure(status: int, body: bytes) -> None:
    try:
        envelope = parse_envelope(status, body)
    except TransportFailure as failure:
        assert failure.kind in FailureKind and failure.message
        return
    assert isinstance(envelope.code, int)
    batch = parse_batch(envelope, SENT)
    assert all(d.id in SENT for d in batch.fail_details)
    assert all(isinstance(n, int | None) for n in (batch.total, batch.success, batch.fail))
    query = parse_query(envelope)
    assert all(isinstance(t.id, str) for t in query.tasks)


def test_code_strings_that_once_crashed_the_parser() -> None:
    assert parse_code("--5") is None and parse_code("1" * 5000) is None
    with pytest.raises(TransportFailure):
        parse_envelope(200, b'{"code": "--5"}')
    batch = parse_batch(parse_envelope(200, b'{"code": 0, "data": {"failAmount": "--1"}}'), SENT)
    assert batch.fail is None


ENGINE_IDS = [f"5743760438970000{i:02d}" for i in range(12)]
looked_up = st.lists(st.fixed_dictionaries({"id": st.sampled_from(ENGINE_IDS), "status": st.one_of(
    st.sampled_from([1, 2, 3, 4, 7, 5]), json_values)}), max_size=12).map(
    lambda found: json.dumps({"code": 0, "data": {"items": found}}))
batch_answers = st.builds(
    lambda code, ok, bad, failed: json.dumps({"code": code, "data": {
        "totalAmount": ok + bad, "successAmount": ok, "failAmount": bad,
        "failDetails": [{"id": i, "code": c} for i, c in failed]}}),
    st.sampled_from([0, 40006, 40009, "0"]), st.integers(0, 5), st.integers(0, 5),
    st.lists(st.tuples(st.sampled_from(ENGINE_IDS), st.sampled_from([48001, "48000", None]))))
answers = st.lists(st.one_of(bodies, looked_up, batch_answers,
                             st.sampled_from(["connect", "timeout", "drop"])),
                   min_size=1, max_size=6)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers, st.sampled_from([200, 200, 200, 500, 429]), st.integers(1, 12),
       st.integers(1, 5), st.integers(1, 3), st.booleans())
def test_engine_gives_one_outcome_per_id_whatever_the_answers(
    script: list[str | bytes], status: int, n: int, batch_size: int, concurrency: int,
    with_prior: bool,
) -> None:
    ids = ENGINE_IDS[:n]
    confirmable: set[str] = set()  # IDs of restart requests answered 0 or 40006
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        answer = script[calls % len(script)]
        calls += 1
        if answer == "connect":
            raise httpx.ConnectError("refused", request=request)
        if answer == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if answer == "drop":
            raise httpx.RemoteProtocolError("dropped", request=request)
        body = answer if isinstance(answer, bytes) else answer.encode()
        sent = json.loads(request.content)["ids"]
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        restart = request.url.path.endswith("/restart")
        if restart and isinstance(doc, dict) and parse_code(doc.get("code")) in (0, 40006):
            confirmable.update(sent)
        return httpx.Response(status, content=body)

    events: list[Event] = []
    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    prior = dict.fromkeys(ids, 4) if with_prior else None
    run = RestartRun(client, ids, RunSettings(batch_size=batch_size, concurrency=concurrency,
                                              backoff=0.01),
                     on_event=events.append, prior_status=prior, clock=FakeClock())
    report = asyncio.run(run.run())
    assert [r.id for r in report.ordered()] == ids
    reported = Counter(r.id for e in events if isinstance(e, OutcomesReported) for r in e.results)
    assert reported == Counter(ids)
    restarted = {r.id for r in report.ordered() if r.outcome is Outcome.RESTARTED}
    if not with_prior:  # without a known earlier status, only the restart answer can say so
        assert restarted <= confirmable


# -- inputs too large to be honest ------------------------------------------------------------

MEASURE = textwrap.dedent("""
    import gc, sys
    from geelark_tui.ids import parse_ids
    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    shape, size = sys.argv[1], int(sys.argv[2])
    chunks, total, i = [], 0, 0
    while total < size:
        if shape == "lines":
            chunk = "\\n".join(str(574376043897000000 + 7919 * j) for j in range(i, i + 10000))
        else:
            chunk = "".join(f"2026-01-01 12:{j % 60:02d}:07 worker-{j % 7} task "
                            f"{574376043897000000 + 13 * j} failed: code 2999{j % 10}, retry\\n"
                            for j in range(i, i + 10000))
        chunks.append(chunk + "\\n"); total += len(chunk) + 1; i += 10000
    text = "".join(chunks); del chunks; gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak RSS
    base = status("VmRSS")
    parsed = parse_ids(text)
    print(len(text), len(parsed.ids), status("VmHWM") - base)
""")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("shape", ["lines", "log"])
def test_a_50_mb_paste_parses_in_bounded_memory(shape: str) -> None:
    out = subprocess.run([sys.executable, "-c", MEASURE, shape, str(50 * 2**20)],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    size, found, peak = map(int, out.split())
    assert found > 500_000
    assert peak < 8 * size, f"peak {peak / 2**20:.0f} MiB for {size / 2**20:.0f} MiB of text"


class _Huge(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.close_connection = True
        self.send_response(200)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "application/json")
        chunk = b'{"code": 0, "data": "' + b"x" * (1 << 20)
        if self.path.endswith("endless"):  # chunked, never ends: only the size limit stops it
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                return
        body = (chunk * 10)[: 10 * 2**20]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)


@pytest.fixture
def huge_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Huge)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/ten-mb", "/endless"])
async def test_a_10_mb_answer_is_refused_with_a_message(huge_server: str, path: str) -> None:
    async with GeeLarkClient(huge_server + path, TokenAuth("t"), timeout=10) as client:
        with pytest.raises(TransportFailure) as caught:
            await client.restart(SENT)
    assert caught.value.kind is FailureKind.AMBIGUOUS  # it may have been applied: verify
    assert "larger than 8 MiB: refused" in caught.value.message


async def test_an_endless_streamed_answer_is_cut_off_at_the_limit() -> None:
    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        while True:
            produced += 1 << 20
            yield b"x" * (1 << 20)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Stream(endless()))

    async with GeeLarkClient("http://api.test", TokenAuth("t"),
                             transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(TransportFailure, match="refused"):
            await asyncio.wait_for(client.query(SENT), timeout=30)
    assert MAX_BODY_BYTES < produced <= MAX_BODY_BYTES + (2 << 20)


class _Stream(httpx.AsyncByteStream):
    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self.source = source

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.source:
            yield chunk
