"""The HTTP transport for a base URL: httpx's own, except for plain ``http://``.

httpx builds an SSL context for every transport, loading the whole CA bundle (25-50 ms of CPU),
even when no TLS connection will ever be made. A client for a plain-http base URL (only ever
a loopback host: the simulator, a local relay; see `connection.validate_base_url`) never makes
one: it sends only to its base URL and follows no redirect. So for ``http://`` the transport's
connection pool gets no SSL context (httpcore would build its default one only for an https
connection), and no proxy from the environment either: a proxy cannot reach our loopback.
``https://`` is untouched: httpx's transport, certificates and host names checked, proxies
from the environment honoured.
"""

from __future__ import annotations

import contextlib
import importlib

import httpx

# What httpcore imports on a client's first request under asyncio (its anyio network backend):
# 20-30 ms that would otherwise stall the event loop in the middle of a run's first batch.
_FIRST_REQUEST_MODULES = ("sniffio", "httpcore._backends.anyio", "anyio._backends._asyncio")


class PlainHTTPTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool without an SSL context."""

    def __init__(self, limits: httpx.Limits) -> None:
        import httpcore  # as httpx does: only once a client is made

        # Not `super().__init__()`: that builds the SSL context. `handle_async_request`,
        # `aclose` and the context manager only use `_pool` (httpx 0.27 and 0.28).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=None,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )


def transport_for(base_url: str, limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """The transport for `base_url`; None: httpx's default (every https URL)."""
    if httpx.URL(base_url).scheme == "http":
        return PlainHTTPTransport(limits)
    return None


def import_first_request_modules() -> None:
    """Import now, in the caller's thread, what the first request would import on the event
    loop (the app's warm-up thread calls this). These are httpcore's and anyio's own module
    names: should they change, only this head start is lost (a test would say so)."""
    for name in _FIRST_REQUEST_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
