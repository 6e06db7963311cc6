"""Suite-wide isolation: no test can read or write the real user's config, data or cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geelark_tui.simulator import Simulator, SimulatorConfig


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                     ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(var, str(home / sub))
    for var in list(os.environ):
        if var.startswith("GEELARK_"):
            monkeypatch.delenv(var)
    return home


# The headless commands' tests (restart, tasks): a simulator with no rate limit and no
# injected lookup faults, and the environment a script would give the command. A test module
# with other needs defines its own `sim`.
@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(per_minute=0, query_faults=False)) as s:
        yield s


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"GEELARK_TOKEN": "demo-token",
              "GEELARK_TUI_CONFIG": str(tmp_path / "cfg" / "config.toml"),
              "GEELARK_TUI_DATA_DIR": str(tmp_path / "data")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values
