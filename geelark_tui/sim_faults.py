"""Which fault the simulator injects into a request: one uniform draw `u` against the rates of
its config, in a fixed order (so a seed gives the same faults for the same requests)."""

from __future__ import annotations

from typing import Protocol

RESTART_ONLY = frozenset({"bad_counts"})  # faults of the requests that change tasks
QUERY_ONLY = frozenset({"incomplete"})  # ... and of task/query


class FaultRates(Protocol):
    rate_429: float
    code_40017_rate: float
    error_5xx_rate: float
    drop_rate: float
    slow_rate: float
    bad_counts_rate: float
    garbage_rate: float
    truncate_rate: float
    incomplete_rate: float
    query_faults: bool


def pick_fault(rates: FaultRates, u: float, *, changes_tasks: bool) -> str | None:
    """The fault for a request (None for most), from `u` in [0, 1)."""
    if not changes_tasks and not rates.query_faults:
        return None
    half_5xx, half_drop = rates.error_5xx_rate / 2, rates.drop_rate / 2
    acc = 0.0
    for name, rate in (("429", rates.rate_429), ("40017", rates.code_40017_rate),
                       ("5xx_before", half_5xx), ("drop_before", half_drop),
                       ("5xx_after", half_5xx), ("drop_after", half_drop),
                       ("slow", rates.slow_rate), ("bad_counts", rates.bad_counts_rate),
                       ("garbage_before", rates.garbage_rate / 2),
                       ("truncated", rates.truncate_rate),
                       ("garbage_after", rates.garbage_rate / 2),
                       ("incomplete", rates.incomplete_rate)):
        acc += rate
        if u < acc:
            other_endpoint = name in (QUERY_ONLY if changes_tasks else RESTART_ONLY)
            return None if other_endpoint else name
    return None
