import hashlib
import re
import uuid

import httpx
import pytest

from geelark_tui.api.auth import KeyAuth, TokenAuth, compute_sign

VECTOR = {
    "app_id": "eH6gQR4oHr3FsZpI36La01IW",
    "api_key": "YjmFIUuq0oJgSDJ42fxLEb6R1qjjqf",
    "trace_id": "db6094ab-3797-4186-84d5-b0b58eebad56",
    "ts": "1716972892166",
    "nonce": "db6094",
}
EXPECTED = "6280C080AF7C3CCE168F15C913E3444A00A618CB0E16038EED9811D6E3366BDD"


def test_signing_test_vector_from_the_docs() -> None:
    v = VECTOR
    assert compute_sign(v["app_id"], v["trace_id"], v["ts"], v["nonce"], v["api_key"]) == EXPECTED


def _send(auth: httpx.Auth) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 0})

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.post("http://api.test/open/v1/task/restart", json={"ids": []})
    return seen[0]


def test_key_auth_headers_reproduce_the_vector() -> None:
    auth = KeyAuth(
        VECTOR["app_id"], VECTOR["api_key"],
        trace_ids=lambda: VECTOR["trace_id"], clock_ms=lambda: int(VECTOR["ts"]),
    )
    request = _send(auth)
    assert request.headers["appId"] == VECTOR["app_id"]
    assert request.headers["traceId"] == VECTOR["trace_id"]
    assert request.headers["ts"] == VECTOR["ts"]
    assert request.headers["nonce"] == "db6094"
    assert request.headers["sign"] == EXPECTED
    assert "Authorization" not in request.headers


def test_key_auth_fresh_trace_id_and_matching_nonce_per_request() -> None:
    auth = KeyAuth("app", "secret-key")
    first, second = _send(auth), _send(auth)
    assert first.headers["traceId"] != second.headers["traceId"]
    for request in (first, second):
        h = request.headers
        assert h["nonce"] == h["traceId"][:6]
        plain = h["appId"] + h["traceId"] + h["ts"] + h["nonce"] + "secret-key"
        assert h["sign"] == hashlib.sha256(plain.encode()).hexdigest().upper()
        assert len(h["ts"]) == 13  # milliseconds


def test_token_auth_sets_bearer_and_fresh_trace_id() -> None:
    auth = TokenAuth("tok-123")
    first, second = _send(auth), _send(auth)
    assert first.headers["Authorization"] == "Bearer tok-123"
    assert first.headers["traceId"] != second.headers["traceId"]


def test_auth_repr_hides_secrets() -> None:
    assert "tok-123" not in repr(TokenAuth("tok-123"))
    assert "secret-key" not in repr(KeyAuth("app", "secret-key"))


OFFICIAL_TRACE_ID = re.compile(r"[0-9A-F]{32}")  # as GeeLark's official client sends it


@pytest.mark.parametrize("auth", [TokenAuth("tok-123"), KeyAuth("app", "secret-key")],
                         ids=["token", "app key"])
def test_trace_id_is_32_uppercase_hex_without_hyphens(auth: httpx.Auth) -> None:
    sent = [_send(auth).headers for _ in range(20)]
    assert all(OFFICIAL_TRACE_ID.fullmatch(h["traceId"]) for h in sent)
    assert len({h["traceId"] for h in sent}) == 20  # fresh each time
    as_uuids = [uuid.UUID(hex=h["traceId"]) for h in sent]  # each a UUID4, as the docs ask
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in as_uuids)
    if isinstance(auth, KeyAuth):  # and the signature covers exactly what was sent
        for h in sent:
            assert h["nonce"] == h["traceId"][:6]
            plain = h["appId"] + h["traceId"] + h["ts"] + h["nonce"] + "secret-key"
            assert h["sign"] == hashlib.sha256(plain.encode()).hexdigest().upper()
