"""Demo mode: the simulator on a free loopback port, a throwaway config pointing at it.

Nothing real is contacted and the user's config file is never written: the demo's settings
live in a temporary directory removed on exit, and runs are not written to the run log. The
simulator is seeded so the sample set (`DEMO_IDS`) shows every outcome, with the pre-flight
(the default) and without it: some restarted, some rejected with different codes, a batch the
server answers with 5xx after applying it (`unknown`, looked up afterwards), a batch refused
twice with 40017 (`not_sent`) and, with the pre-flight, the tasks still waiting, running or
completed, or missing (`skipped`). Restarted tasks move on in the simulator (waiting 2 s,
running 6 s, then completed, or failed again for a third of them), so the results screen's
following shows them run and end within seconds (polls every 5 s, as against the real API). Find
(ctrl+f) reads the simulator's task history (`sim_history`: 7 days of plans, phones and
failures), and every failed or cancelled task it lists can be restarted.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from geelark_tui.config import load_config
from geelark_tui.configstore import save_config
from geelark_tui.context import AppContext
from geelark_tui.simulator import DEMO_IDS, Simulator, SimulatorConfig

DEMO_TOKEN = "demo-token"
DEMO_TASK_TIMING = (2.0, 6.0)  # seconds a restarted task waits, then runs
DEMO_BATCH_SIZE = 6  # DEMO_IDS in 5 to 7 requests: enough batches for every outcome to show
DEMO_CONCURRENCY = 1  # one request at a time keeps the seeded faults on the same batches
# Give up on a batch the server refuses twice, and back off briefly: the demo shows `not_sent`
# in seconds rather than after minutes of back-off.
DEMO_RUN_OVERRIDES: dict[str, Any] = {"max_resends": 1, "backoff": 0.5}


def demo_simulator_config(latency: float = 0.15) -> SimulatorConfig:
    return SimulatorConfig(token=DEMO_TOKEN, seed=47, error_5xx_rate=0.1, code_40017_rate=0.2,
                           query_faults=False, latency=latency, state_timing=DEMO_TASK_TIMING)


def demo_text() -> str:
    return "\n".join(DEMO_IDS)


@dataclass
class Demo:
    simulator: Simulator
    context: AppContext
    _tmp: tempfile.TemporaryDirectory[str]

    def close(self) -> None:
        self.simulator.stop()
        self._tmp.cleanup()


def start_demo(*, theme: str | None = None, latency: float = 0.15) -> Demo:
    """Start the simulator and build a context whose config lives in a temporary directory."""
    simulator = Simulator(demo_simulator_config(latency), host="127.0.0.1", port=0)
    base_url = simulator.start()
    tmp = tempfile.TemporaryDirectory(prefix="geelark-tui-demo-")
    try:
        config = load_config(Path(tmp.name) / "config.toml", env={})  # no GEELARK_* either
        config.api = replace(config.api, base_url=base_url, auth_method="token",
                             token=DEMO_TOKEN, app_id="", api_key="")
        config.submit = replace(config.submit, batch_size=DEMO_BATCH_SIZE,
                                concurrency=DEMO_CONCURRENCY)
        if theme:
            config.ui = replace(config.ui, theme=theme)
        save_config(config)
        config.take_warnings()
    except BaseException:
        simulator.stop()
        tmp.cleanup()
        raise
    context = AppContext(config, demo=True, run_log=None, run_overrides=DEMO_RUN_OVERRIDES)
    return Demo(simulator, context, tmp)
