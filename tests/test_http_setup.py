"""What a client costs before and per request: no SSL context for a plain-http (loopback) base
URL, certificates checked for https, and no import attempted on each request (httpcore imports
`sniffio` several times a request: without it installed, each one searches the whole path)."""

from __future__ import annotations

import importlib.machinery
import ssl
from collections.abc import Iterator
from typing import Any

import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.simulator import Simulator, SimulatorConfig

TOKEN = "demo-token"
IDS = ["574376043897425800", "574376043897425801"]


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(SimulatorConfig(token=TOKEN))
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def ssl_contexts(monkeypatch: pytest.MonkeyPatch) -> list[ssl.SSLContext]:
    """Every SSL context made from now on."""
    made: list[ssl.SSLContext] = []
    new = ssl.SSLContext.__new__

    def counting(cls: type[ssl.SSLContext], *args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = new(cls, *args, **kwargs)
        made.append(context)
        return context

    monkeypatch.setattr(ssl.SSLContext, "__new__", counting)
    return made


async def test_a_plain_http_client_builds_no_ssl_context(
        sim: Simulator, ssl_contexts: list[ssl.SSLContext],
        monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = "http://127.0.0.1:9"  # would refuse: a loopback request must not go through it
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    async with GeeLarkClient(sim.base_url, TokenAuth(TOKEN), max_connections=4) as client:
        answer = await client.restart(IDS)
    assert (answer.code, answer.success) == (0, 2)
    assert ssl_contexts == []


def test_an_https_client_checks_certificates_and_host_names(
        ssl_contexts: list[ssl.SSLContext]) -> None:
    client = GeeLarkClient("https://openapi.geelark.com", TokenAuth(TOKEN))
    assert ssl_contexts
    assert all(c.verify_mode == ssl.CERT_REQUIRED and c.check_hostname for c in ssl_contexts)
    assert client.host == "openapi.geelark.com"


async def test_a_request_imports_nothing(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    async with GeeLarkClient(sim.base_url, TokenAuth(TOKEN), max_connections=4) as client:
        await client.restart(IDS[:1])  # the first request may import what it needs
        looked_up: list[str] = []
        find_spec = importlib.machinery.PathFinder.find_spec

        def recording(name: str, *args: Any, **kwargs: Any) -> Any:
            looked_up.append(name)
            return find_spec(name, *args, **kwargs)

        monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", recording)
        await client.restart(IDS[1:])
        await client.query(IDS)
    assert looked_up == []


_FIRST_REQUEST = """
import asyncio, sys
from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.transport import import_first_request_modules

async def main():
    async with GeeLarkClient(sys.argv[1], TokenAuth(sys.argv[2])) as client:
        if sys.argv[3] == "warm":
            import_first_request_modules()
        before = set(sys.modules)
        await client.restart([sys.argv[4]])
        print(" ".join(sorted(set(sys.modules) - before)))

asyncio.run(main())
"""


@pytest.mark.parametrize("warm", [False, True])
def test_the_warm_up_imports_what_a_first_request_would(sim: Simulator, warm: bool) -> None:
    """The app's warm-up thread imports what httpcore would import on the event loop during a
    run's first request (anyio, for its locks: 10-20 ms): after it, the first request imports
    nothing. Without it, it does (so the module names the warm-up uses are still httpcore's)."""
    import subprocess
    import sys

    argv = [sys.executable, "-c", _FIRST_REQUEST, sim.base_url, TOKEN,
            "warm" if warm else "cold", IDS[0]]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
    imported = done.stdout.split()
    if warm:
        assert imported == []
    else:
        assert "anyio._backends._asyncio" in imported
