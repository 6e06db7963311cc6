"""DemoBanner: the unmistakable "DEMO: simulated API" marker shown on every screen in demo mode."""

from __future__ import annotations

from textual.widgets import Static


class DemoBanner(Static):
    def __init__(self, host: str) -> None:
        super().__init__(
            f"DEMO: simulated API at {host}; nothing real is contacted", markup=False,
            id="demo-banner",
        )
