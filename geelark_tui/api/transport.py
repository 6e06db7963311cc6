"""The HTTP transport for a base URL: httpx's, over httpcore's pool on our asyncio backend.

httpx's own transport reaches the network through anyio (see `network` for why we do not).
Ours is the same pool with `network.AsyncioBackend`, built as httpx builds it, except:

- for plain ``http://`` the pool gets no SSL context. httpx builds one for every transport,
  loading the whole CA bundle (25-50 ms of CPU), even when no TLS connection will ever be made;
  a client for a plain-http base URL (only ever a loopback host: the simulator, a local relay;
  see `connection.validate_base_url`) never makes one: it sends only to its base URL and
  follows no redirect. No proxy from the environment either: a proxy cannot reach our loopback.
- for ``https://`` httpx's SSL context (certificates and host names checked, SSL_CERT_FILE and
  SSL_CERT_DIR honoured), and httpx's own transport when the environment names a proxy: an
  explicit transport would make httpx ignore it, and proxies (with NO_PROXY) stay httpx's job.
"""

from __future__ import annotations

import contextlib
import importlib
import ssl
from urllib.request import getproxies

import httpx

# What httpcore imports on a client's first request under asyncio (its locks are anyio's):
# 10-20 ms that would otherwise stall the event loop in the middle of a run's first batch.
_FIRST_REQUEST_MODULES = ("sniffio", "anyio._backends._asyncio")
_PROXY_SCHEMES = ("http", "https", "all")  # the ones httpx takes from the environment


class AsyncioTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool on `network.AsyncioBackend`."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None) -> None:
        import httpcore  # as httpx does: only once a client is made

        from geelark_tui.api.network import AsyncioBackend

        # Not `super().__init__()`: that builds an SSL context and a pool of its own.
        # `handle_async_request`, `aclose` and the context manager only use `_pool` (httpx 0.27
        # and 0.28; tests/test_http_setup.py guards it).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(),
        )


def transport_for(base_url: str, limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
    """The transport for `base_url`; None: httpx's default (https through a proxy)."""
    if httpx.URL(base_url).scheme == "http":
        return AsyncioTransport(limits, ssl_context=None)
    proxies = getproxies()
    if any(proxies.get(scheme) for scheme in _PROXY_SCHEMES):
        return None
    return AsyncioTransport(limits, httpx.create_ssl_context())


def import_first_request_modules() -> None:
    """Import now, in the caller's thread, what the first request would import on the event
    loop (the app's warm-up thread calls this). These are httpcore's and anyio's own module
    names: should they change, only this head start is lost (a test would say so)."""
    for name in _FIRST_REQUEST_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
