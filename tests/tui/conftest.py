"""Fixtures for the TUI tests: UTC dates, cursors that do not blink, a simulator on a free
loopback port, and no request ever leaving the machine (the pre-flight and the detail pane look
tasks up on their own)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, TextArea

from geelark_tui.simulator import Simulator, SimulatorConfig

from .helpers import TOKEN


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    """Dates on screen (recent sets) do not depend on the machine's time zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def _still_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text field is made with a cursor that does not blink, so that a screenshot never
    catches one half-way through a blink."""

    def without_blink(init: Callable[..., None]) -> Callable[..., None]:
        def __init__(self: Input | TextArea, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            self.cursor_blink = False

        return __init__

    for field in (Input, TextArea):
        monkeypatch.setattr(field, "__init__", without_blink(field.__init__))


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test configured for the real API host gets "cannot reach" instead of a request."""
    real = httpx.AsyncHTTPTransport.handle_async_request

    async def guarded(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        if request.url.host not in ("127.0.0.1", "localhost", "::1"):
            raise httpx.ConnectError(f"tests never contact {request.url.host}", request=request)
        return await real(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", guarded)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(SimulatorConfig(token=TOKEN))
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def restyled(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each node Textual restyles with its descendants (`App.update_styles`: on a class or
    pseudo-class change), as it happens; a screen restyled is every widget on it."""
    nodes: list[object] = []
    update_styles = App.update_styles

    def recording(self: App[Any], node: Any, animate: bool = True) -> None:
        nodes.append(node)
        update_styles(self, node, animate)

    monkeypatch.setattr(App, "update_styles", recording)
    return nodes


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[Screen[Any]]:
    """Each layout of a screen, as it happens."""
    done: list[Screen[Any]] = []
    original = Screen._refresh_layout

    def counting(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
        done.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    return done
