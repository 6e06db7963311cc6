import json

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import (
    MAX_BODY_BYTES,
    FailureKind,
    GeeLarkClient,
    TransportFailure,
    parse_batch,
    parse_code,
    parse_envelope,
)


def client_answering(status: int, body: bytes | str) -> GeeLarkClient:
    raw = body.encode() if isinstance(body, str) else body

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=raw)

    return GeeLarkClient("http://api.test", TokenAuth("t"), transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (48001, 48001), ("48001", 48001), (" 40006 ", 40006), ("abc", None),
    (None, None), (True, None), (3.0, 3), ("٤٨", None),
])
def test_parse_code_accepts_int_or_numeric_string(value: object, expected: int | None) -> None:
    assert parse_code(value) == expected


async def test_full_success_without_fail_details() -> None:
    body = {"traceId": "123456ABCEDF", "code": 0, "msg": "success",
            "data": {"totalAmount": 2, "successAmount": 2, "failAmount": 0}}
    async with client_answering(200, json.dumps(body)) as client:
        result = await client.restart(["111111", "222222"])
    assert result.code == 0 and result.fail_details == () and result.total == 2


async def test_string_codes_and_malformed_entries_survive() -> None:
    body = {"code": "40006", "data": {"totalAmount": 3, "successAmount": 1, "failAmount": "2",
            "failDetails": [{"id": "111111", "code": "48001", "msg": "busy"},
                            "garbage", {"code": 48002}, {"id": "999999", "code": 48002}]}}
    async with client_answering(200, json.dumps(body)) as client:
        result = await client.restart(["111111", "222222", "333333"])
    assert result.code == 40006
    assert result.fail == 2
    assert [(d.id, d.code) for d in result.fail_details] == [("111111", 48001)]
    # a non-dict, an entry without id, and an id that was not sent are all noted, not fatal
    assert len(result.malformed) == 3


@pytest.mark.parametrize("data", [None, "nope", [], {"failDetails": None}, {"failDetails": []}])
def test_data_null_or_odd_shapes(data: object) -> None:
    envelope = parse_envelope(200, json.dumps({"code": 0, "data": data}).encode())
    result = parse_batch(envelope, ["111111"])
    assert result.fail_details == ()


async def test_non_json_body_is_ambiguous() -> None:
    async with client_answering(200, "<html>oops</html>") as client:
        with pytest.raises(TransportFailure) as caught:
            await client.restart(["111111"])
    assert caught.value.kind is FailureKind.AMBIGUOUS


@pytest.mark.parametrize(("status", "kind"), [
    (502, FailureKind.AMBIGUOUS), (503, FailureKind.AMBIGUOUS), (500, FailureKind.AMBIGUOUS),
    (429, FailureKind.THROTTLED), (404, FailureKind.CONFIG),
])
async def test_http_errors_with_html(status: int, kind: FailureKind) -> None:
    async with client_answering(status, "<html><body>Bad Gateway</body></html>") as client:
        with pytest.raises(TransportFailure) as caught:
            await client.restart(["111111"])
    assert caught.value.kind is kind
    assert caught.value.http_status == status


async def test_json_error_envelope_on_http_error_is_still_read() -> None:
    async with client_answering(500, json.dumps({"code": 50000, "msg": "x"})) as client:
        result = await client.restart(["111111"])
    assert result.code == 50000


async def test_oversized_body_is_refused_with_a_message() -> None:
    async with client_answering(200, b"x" * (MAX_BODY_BYTES + 10)) as client:
        with pytest.raises(TransportFailure) as caught:
            await client.restart(["111111"])
    assert "larger than" in caught.value.message


async def test_connection_refused_is_not_sent() -> None:
    client = GeeLarkClient("http://127.0.0.1:9", TokenAuth("t"), timeout=2)
    async with client:
        with pytest.raises(TransportFailure) as caught:
            await client.restart(["111111"])
    assert caught.value.kind is FailureKind.NOT_SENT


async def test_query_parses_tasks_and_skips_bad_items() -> None:
    body = {"code": 0, "data": {"total": 2, "items": [
        {"id": "111111", "status": 4, "taskType": 1, "serialName": "P1", "scheduleAt": 1716972892,
         "failCode": 29998, "failDesc": "phone deleted"},
        {"status": 1}, "junk", {"id": 222222, "status": "3"}]}}
    async with client_answering(200, json.dumps(body)) as client:
        result = await client.query(["111111", "222222"])
    assert [(t.id, t.status) for t in result.tasks] == [("111111", 4), ("222222", 3)]
    assert result.tasks[0].fail_code == 29998
    assert len(result.malformed) == 2


async def test_ids_stay_strings_on_the_wire() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"code": 0})

    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    async with client:
        await client.restart(["574376043897425896"])
    assert bodies == [{"ids": ["574376043897425896"]}]


async def test_a_gateways_json_502_keeps_its_message() -> None:
    body = {"message": "An invalid response was received from the upstream server"}
    async with client_answering(502, json.dumps(body)) as client:
        with pytest.raises(TransportFailure) as caught:
            await client.restart(["111111"])
    assert caught.value.kind is FailureKind.AMBIGUOUS  # it may have reached the origin
    assert caught.value.message == (
        "HTTP 502: An invalid response was received from the upstream server")


@pytest.mark.parametrize(("data", "why"), [
    ({"total": 3, "items": [{"id": "111111", "status": 4}]}, "counts 3 tasks but lists 1"),
    ({"total": 2}, "no task list"),
    (None, "no task list"),
    ({"total": 2, "items": [{"id": "111111", "status": 4}, {"status": 4}]}, "could not be read"),
])
async def test_a_query_answer_that_lists_less_than_it_counts_is_incomplete(
    data: object, why: str
) -> None:
    async with client_answering(200, json.dumps({"code": 0, "data": data})) as client:
        result = await client.query(["111111", "222222", "333333"])
    assert not result.complete and why in result.incomplete


@pytest.mark.parametrize("data", [
    {"total": 1, "items": [{"id": "111111", "status": 4}]},
    {"total": 0, "items": []},  # none of the asked tasks exists
    {"items": [{"id": "111111", "status": 4}]},  # no total: nothing says more exist
])
async def test_a_query_answer_listing_all_it_counts_is_complete(data: object) -> None:
    async with client_answering(200, json.dumps({"code": 0, "data": data})) as client:
        result = await client.query(["111111", "222222"])
    assert result.complete and result.incomplete == ""
