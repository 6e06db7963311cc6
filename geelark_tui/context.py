"""What the app's screens share: the config, where to connect, the one pacer and the one HTTP
client of the session, and how a run is planned and started. No widgets.

Credentials, base URL and config path resolve exactly as for the headless command (`--base-url`,
then ``GEELARK_*`` environment variables, then the config file), because both go through
`geelark_tui.connection` and `geelark_tui.config`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geelark_tui.config import Config
from geelark_tui.history import host_of

if TYPE_CHECKING:
    from geelark_tui.api.client import GeeLarkClient
    from geelark_tui.connection import Credentials
    from geelark_tui.engine import RunSettings
    from geelark_tui.ids import IgnoredToken
    from geelark_tui.pacing import Pacer
    from geelark_tui.plan import RunPlan
    from geelark_tui.session import RunSession

# Start-up cost: `connection` and `engine` pull in httpx (~40 ms); they are imported when first
# used, after the first screen is painted.


def display_path(path: Path | str) -> str:
    """A path as shown on screen: the home directory as ``~``."""
    text = str(path)
    home = os.environ.get("HOME", "")
    if home and (text == home or text.startswith(home.rstrip("/") + "/")):
        return "~" + text[len(home.rstrip("/")) :]
    return text


@dataclass
class AppContext:
    """The session: config in use, connection overrides, demo flag, run log, clock."""

    config: Config
    base_url_flag: str | None = None
    demo: bool = False
    run_log: Path | None = None  # None: runs are not logged (demo mode)
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time  # what "the last 12 hours" counts back from
    # Demo mode tunes a few engine knobs the config does not expose (see tui/demo.py).
    run_overrides: Mapping[str, Any] = field(default_factory=dict)
    # Seconds between two polls of one followed task (None: follow.INTERVAL, 5 s; the tests
    # and the demo's screenshots shorten it, the simulator's tasks running in a second).
    follow_interval: float | None = None
    # Messages from servers and exceptions pass through `scrub` before they are kept; the run
    # log refuses a line holding any of `secrets()`. The app sets both (its redactor).
    scrub: Callable[[str], str] | None = None
    secrets: Callable[[], Iterable[str]] = frozenset
    _pacer: tuple[tuple[int, int], Pacer] | None = field(default=None, repr=False)
    _client: tuple[tuple[object, ...], GeeLarkClient] | None = field(default=None, repr=False)
    _retired: list[GeeLarkClient] = field(default_factory=list, repr=False)
    # `warm_up` makes the client in a thread while the app may ask for it.
    _client_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def preflight(self) -> bool:
        """Look the IDs up before a run (Settings: "Pre-flight lookup before restarting")."""
        return self.config.submit.preflight

    def pacer(self, settings: RunSettings | None = None) -> Pacer:
        """The one request pacer of the session: pre-flight lookups, restarts, their
        verification, re-checks and detail lookups all share GeeLark's per-minute and
        per-hour budget. A new one only when the limits change in Settings."""
        from geelark_tui.pacing import Pacer

        settings = settings or self.run_settings()
        limits = (settings.per_minute, settings.per_hour)
        if self._pacer is None or self._pacer[0] != limits:
            self._pacer = (limits, Pacer.for_api(*limits))
        return self._pacer[1]

    def base_url(self) -> str:
        """The base URL in use; raises ConnectionConfigError when it is unusable."""
        from geelark_tui.connection import resolve_base_url

        return resolve_base_url(self.base_url_flag, self.config)

    def base_url_problem(self) -> str | None:
        """Why the base URL in use is unusable (what is wrong, where it came from), or None."""
        from geelark_tui.connection import ConnectionConfigError

        try:
            self.base_url()
        except ConnectionConfigError as exc:
            return str(exc)
        return None

    def credentials(self) -> Credentials:
        from geelark_tui.connection import credentials_from

        return credentials_from(self.config.api, self.config.env_sources)

    def host(self) -> str:
        from geelark_tui.connection import ConnectionConfigError

        try:
            return host_of(self.base_url())
        except ConnectionConfigError:
            return "(invalid base URL)"

    def shown_host(self) -> str:
        """The host as configured, for the first paint (validated later by `host`)."""
        return host_of(self.config.api.base_url if self.base_url_flag is None
                       else self.base_url_flag)

    def requests_for(self, n_ids: int) -> int:
        """Restart requests for ``n_ids`` at the configured batch size (as
        `engine.count_requests`, without importing the engine before the first paint)."""
        return -(-n_ids // self.config.submit.batch_size)

    def run_settings(self) -> RunSettings:
        from geelark_tui.engine import RunSettings

        submit = self.config.submit
        return RunSettings(batch_size=submit.batch_size, concurrency=submit.concurrency,
                           per_minute=submit.per_minute, **dict(self.run_overrides))

    def make_client(self, plan: RunPlan | None = None) -> GeeLarkClient:
        """A new client for a plan's host, or (no plan) for the host configured now."""
        from geelark_tui.api.client import GeeLarkClient

        base_url = plan.base_url if plan is not None else self.base_url()
        concurrency = (plan.settings if plan is not None else self.run_settings()).concurrency
        return GeeLarkClient(base_url, self.credentials().auth(),
                             timeout=self.config.submit.timeout,
                             max_connections=max(concurrency, 2))

    def client(self, plan: RunPlan | None = None) -> GeeLarkClient:
        """The session's one long-lived client (its connections and TLS context are reused
        by every lookup and run); a new one only when the host, credentials, timeout or
        concurrency change. Never closed by its users: `aclose()` at the end."""
        api = self.config.api
        base_url = plan.base_url if plan is not None else self.base_url()
        concurrency = (plan.settings if plan is not None else self.run_settings()).concurrency
        key = (base_url, api.auth_method, api.token, api.app_id, api.api_key,
               self.config.submit.timeout, max(concurrency, 2))
        with self._client_lock:
            if self._client is None or self._client[0] != key:
                if self._client is not None:
                    self._retired.append(self._client[1])
                self._client = (key, self.make_client(plan))
            return self._client[1]

    def warm_up(self) -> bool:
        """Make the client now (its TLS context takes 25-50 ms to build) and import what its
        first request needs, so that the first lookup or run does not: the app calls it in a
        thread after the first paint. False when the connection settings are not usable yet
        (Settings will say why)."""
        from geelark_tui.api.transport import import_first_request_modules
        from geelark_tui.connection import ConnectionConfigError

        try:
            if not self.credentials().complete:
                return False
            self.client()
        except (ConnectionConfigError, ValueError):
            return False
        import_first_request_modules()
        return True

    async def aclose(self) -> None:
        """Close every client this context made (at the app's end)."""
        with self._client_lock:
            clients = [*self._retired, *([self._client[1]] if self._client else [])]
            self._client, self._retired = None, []
        for client in clients:
            await client.aclose()

    def session(self, plan: RunPlan) -> RunSession:
        """A run session for ``plan``: the shared client and pacer, this config, the run log."""
        from geelark_tui.session import RunSession

        return RunSession(plan, self.client(plan), self.pacer(plan.settings),
                          config=self.config, run_log=self.run_log, scrub=self.scrub,
                          secrets=self.secrets)

    def plan(self, ids: tuple[str, ...], invalid: tuple[IgnoredToken, ...] = (),
             *, duplicates: int = 0, ignored_total: int = 0, unknown_resubmits: int = 0,
             scope: str = "", set_key: str | None = None,
             cancel_active: bool = False) -> RunPlan:
        """Everything the confirmation states; raises ConnectionConfigError when not ready.

        ``duplicates`` and ``ignored_total`` come from the parser, for the confirmation to
        repeat; ``scope`` and ``set_key`` say which rows of which set a re-run takes."""
        from geelark_tui.connection import ConnectionConfigError
        from geelark_tui.plan import RunPlan

        base_url = self.base_url()
        credentials = self.credentials()
        if not credentials.complete:
            raise ConnectionConfigError(
                "no credentials: set them in Settings (F2), or set GEELARK_TOKEN "
                "(or GEELARK_APP_ID and GEELARK_API_KEY) before starting the app"
            )
        plan = RunPlan(ids=ids, settings=self.run_settings(), base_url=base_url,
                       host=host_of(base_url), auth_label=credentials.label,
                       auth_source=credentials.source, invalid=invalid,
                       duplicates=duplicates, ignored_total=ignored_total,
                       unknown_resubmits=unknown_resubmits, scope=scope, set_key=set_key,
                       preflight=self.preflight or cancel_active, cancel_active=cancel_active)
        if self.follow_interval is not None:
            plan = replace(plan, follow_interval=self.follow_interval)
        return plan
