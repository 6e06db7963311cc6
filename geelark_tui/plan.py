"""RunPlan: one run of one ID set as the user confirms it (or the command line asks for it).

Plain data shared by both front ends and the session: which IDs, where, how fast, and what a
pre-flight found. The session turns it into results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geelark_tui.engine import RunSettings, count_requests
from geelark_tui.follow import INTERVAL as FOLLOW_INTERVAL
from geelark_tui.follow import TIMEOUT as FOLLOW_TIMEOUT
from geelark_tui.ids import IgnoredToken
from geelark_tui.limits import MAX_BATCH

if TYPE_CHECKING:
    from geelark_tui.api.models import IdResult
    from geelark_tui.preflight import Lookup


@dataclass(frozen=True)
class RunPlan:
    """One run as the user confirms it."""

    ids: tuple[str, ...]
    settings: RunSettings
    base_url: str
    host: str
    auth_label: str
    auth_source: str = "config"
    invalid: tuple[IgnoredToken, ...] = ()
    duplicates: int = 0  # repeated IDs dropped from the text
    ignored_total: int = 0  # tokens ignored, also those beyond the ones `invalid` lists
    unknown_resubmits: int = 0  # IDs whose last outcome was `unknown`: maybe restarted
    scope: str = ""  # which rows of a result set a re-run takes, e.g. "the 3 selected"
    set_key: str | None = None  # the recent set this run is part of (a retry of its rows)
    preflight: bool = False  # look every ID up before the run
    lookup: Lookup | None = None  # what the pre-flight found, once it has run
    include_all: bool = False  # with a pre-flight: restart also what cannot be restarted now
    cancel_active: bool = False  # with a pre-flight: cancel the waiting and running, restart them
    cancelled: tuple[str, ...] = ()  # ... the ones cancelled, once that stage has run
    follow: bool = False  # after the run, follow the restarted tasks to their end
    follow_timeout: float = FOLLOW_TIMEOUT
    follow_interval: float = FOLLOW_INTERVAL  # no task is polled more often

    @property
    def ignored(self) -> int:
        """Tokens of the text that were not IDs."""
        return max(self.ignored_total, len(self.invalid))

    @property
    def to_send(self) -> tuple[str, ...]:
        """The IDs the run sends: after a pre-flight, by default only the failed, cancelled
        and not-looked-up ones."""
        if self.lookup is None:
            return self.ids
        chosen = self.lookup.to_send(self.include_all)
        if not self.cancelled:
            return tuple(chosen)
        wanted = set(chosen).union(self.cancelled)
        return tuple(i for i in self.ids if i in wanted)

    @property
    def active(self) -> list[str]:
        """The tasks the pre-flight found waiting or running: what `cancel_active` cancels."""
        return [] if self.lookup is None or self.lookup.stopped else \
            self.lookup.groups()["running"]

    @property
    def planned(self) -> tuple[str, ...]:
        """What the run is to restart: `to_send`, and with `cancel_active` (before that stage
        has run) the waiting and running tasks it will cancel first."""
        if not self.cancel_active or self.cancelled or not self.active:
            return self.to_send
        wanted = set(self.to_send).union(self.active)
        return tuple(i for i in self.ids if i in wanted)

    @property
    def requests(self) -> int:
        """Restart requests for the IDs planned."""
        return count_requests(len(self.planned), self.settings.batch_size)

    @property
    def lookups(self) -> int:
        """task/query requests a pre-flight of these IDs takes (at most 100 IDs each)."""
        return count_requests(len(self.ids), MAX_BATCH)

    def skipped(self) -> list[IdResult]:
        """`skipped` results for the IDs the pre-flight kept out of the run."""
        return [] if self.lookup is None else self.lookup.skipped(self.to_send)
