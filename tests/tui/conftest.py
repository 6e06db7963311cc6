"""Fixtures for the TUI tests: UTC dates, a simulator on a free loopback port."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

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


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(SimulatorConfig(token=TOKEN))
    simulator.start()
    yield simulator
    simulator.stop()


