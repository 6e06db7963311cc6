"""GeeLark's two authentication methods as `httpx.Auth` subclasses.

Each request gets a fresh traceId (32 uppercase hex characters). The app-key method signs
with a plain SHA-256 (not an HMAC) of appId + traceId + ts + nonce + apiKey, where nonce is
the first 6 characters of the traceId actually sent.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Generator

import httpx


def new_trace_id() -> str:
    """A fresh UUID4 as 32 uppercase hex characters, no hyphens: how GeeLark's official client
    and every known working one send it. Made as `uuid.uuid4()` makes one: importing `uuid`
    imports `platform`, about 1 % of a headless restart's instructions."""
    bits = int.from_bytes(os.urandom(16), "big")
    bits = bits & ~(0xF000 << 64) | (0x4000 << 64)  # version 4
    bits = bits & ~(0xC000 << 48) | (0x8000 << 48)  # variant: RFC 4122
    return f"{bits:032X}"


def compute_sign(app_id: str, trace_id: str, ts: str, nonce: str, api_key: str) -> str:
    """Uppercase hex SHA-256 of the plain concatenation, as GeeLark's docs specify."""
    return hashlib.sha256(f"{app_id}{trace_id}{ts}{nonce}{api_key}".encode()).hexdigest().upper()


class TokenAuth(httpx.Auth):
    """`Authorization: Bearer <token>` plus a fresh traceId."""

    def __init__(self, token: str, trace_ids: Callable[[], str] = new_trace_id) -> None:
        self._token = token
        self._trace_ids = trace_ids

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return "TokenAuth(token=***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["traceId"] = self._trace_ids()
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class KeyAuth(httpx.Auth):
    """Signed app-key headers: appId, traceId, ts (ms), nonce, sign."""

    def __init__(
        self,
        app_id: str,
        api_key: str,
        trace_ids: Callable[[], str] = new_trace_id,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self._app_id = app_id
        self._api_key = api_key
        self._trace_ids = trace_ids
        self._clock_ms = clock_ms

    def __repr__(self) -> str:
        return f"KeyAuth(app_id={self._app_id!r}, api_key=***)"

    def sign_headers(self) -> dict[str, str]:
        trace_id = self._trace_ids()
        ts = str(self._clock_ms())
        nonce = trace_id[:6]
        return {
            "appId": self._app_id,
            "traceId": trace_id,
            "ts": ts,
            "nonce": nonce,
            "sign": compute_sign(self._app_id, trace_id, ts, nonce, self._api_key),
        }

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.sign_headers())
        yield request
