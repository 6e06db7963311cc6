"""Answers are taken in one per turn of the event loop (`GeeLarkClient._post`): twenty that
arrive together are parsed in twenty turns, so whatever else is on the loop (the app painting,
a key) runs between two, over real HTTP to the simulator."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

import geelark_tui.api.client as client_module
from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.simulator import Simulator, SimulatorConfig

TOKEN = "demo-token"


async def test_answers_arriving_together_are_parsed_in_turns_of_their_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    turn = 0

    async def count_turns() -> None:
        nonlocal turn
        while True:
            await asyncio.sleep(0)  # runs once in each turn of the loop
            turn += 1

    parsed_in: list[int] = []
    parse = client_module.parse_envelope

    def recording(*args: Any) -> Any:
        parsed_in.append(turn)
        return parse(*args)

    monkeypatch.setattr(client_module, "parse_envelope", recording)
    config = SimulatorConfig(token=TOKEN, latency=0.1, per_minute=0, query_faults=False)
    with Simulator(config) as sim:
        async with GeeLarkClient(sim.base_url, TokenAuth(TOKEN)) as client:
            await client.query(["574376043897425801"])  # the first connection made
            counter = asyncio.create_task(count_turns())
            answers = await asyncio.gather(
                *(client.query([f"5743760438974258{n:02d}"]) for n in range(20)))
            counter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await counter
    assert all(answer.envelope.code == 0 for answer in answers)
    asyncio_turns = parsed_in[1:]
    assert len(set(asyncio_turns)) == len(asyncio_turns) == 20, asyncio_turns
