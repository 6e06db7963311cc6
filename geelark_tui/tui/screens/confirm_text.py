"""What the restart confirmation says: the facts of the run, what the pre-flight found and
what will therefore be sent. Text only: the screen (confirm.py) lays it out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geelark_tui.api.codes import describe
from geelark_tui.words import plural

if TYPE_CHECKING:
    from geelark_tui.plan import RunPlan
    from geelark_tui.preflight import Lookup


def plan_text(plan: RunPlan, demo: bool = False, *, preflight: bool = False) -> str:
    """The facts of a run: IDs, requests (lookups included), host, auth and pace."""
    s = plan.settings
    host = f"{plan.host} (DEMO: simulated API)" if demo else plan.host
    source = " from the environment" if plan.auth_source == "environment" else ""
    lookups = plural(plan.lookups, "lookup")
    if plan.lookup is not None and plan.lookup.stopped:
        requests = f"none: the pre-flight stopped after {plural(plan.lookup.requests, 'lookup')}"
    elif plan.lookup is not None:
        requests = (f"{plural(plan.requests, 'restart request')} of up to {s.batch_size} IDs"
                    f" (after {lookups})")
    elif preflight:
        requests = (f"{lookups}, then up to {plural(plan.requests, 'restart request')}"
                    f" of up to {s.batch_size} IDs")
    else:
        requests = f"{plural(plan.requests, 'restart request')} of up to {s.batch_size} IDs"
    return "\n".join([
        f"IDs:       {ids_line(plan)}",
        f"Requests:  {requests}",
        f"API host:  {host}",
        f"Auth:      {plan.auth_label}{source}",
        f"Pace:      at most {s.per_minute} requests a minute, {s.concurrency} at a time",
    ])


def ids_line(plan: RunPlan) -> str:
    """``9 · 1 duplicate dropped · 2 tokens ignored`` (the last chance to notice them), or
    ``3, the selected rows`` for a retry."""
    parts = [f"{len(plan.ids):,}" + (f", {plan.scope}" if plan.scope else "")]
    if plan.duplicates:
        parts.append(f"{plural(plan.duplicates, 'duplicate')} dropped")
    if plan.ignored:
        parts.append(f"{plural(plan.ignored, 'token')} ignored")
    return " · ".join(parts)


def others_count(found: Lookup) -> int:
    """IDs a default run leaves out: waiting, running, completed, missing, undocumented
    (none to include on purpose after an account-level stop: nothing is sent then)."""
    return 0 if found.stopped else len(found.ids) - len(found.to_send(False))


def left_out_count(plan: RunPlan) -> int:
    """What "include all" would add: the IDs a default run leaves out, less the waiting and
    running tasks the run cancels and restarts when asked to."""
    found = plan.lookup
    if found is None:
        return 0
    cancelled = len(plan.active) if plan.cancel_active else 0
    return others_count(found) - cancelled


def stopped_text(found: Lookup) -> str:
    """An account-level answer stopped the pre-flight: why, and what to do about it."""
    return (f"The API refused this account: {found.stop_reason}. Nothing will be restarted.\n"
            f"{describe(found.stop_code).hint}")


def preflight_text(plan: RunPlan) -> str:
    """What the pre-flight found, and what will therefore be sent."""
    found = plan.lookup
    if found is None:
        return ""
    lines = [f"Now: {found.groups_line()}."]
    if found.stopped:
        return "\n".join([*lines, stopped_text(found)])
    others = others_count(found)
    failed = found.groups()["lookup_failed"]
    if failed:
        reason = found.errors[0] if found.errors else "no answer"
        lines.append(f"Lookup failed for {plural(len(failed), 'ID')} ({reason}): they are "
                     "sent anyway, and the server decides.")
    if not others:
        return "\n".join(lines)
    if plan.include_all and plan.cancel_active and plan.active:
        rest = left_out_count(plan)
        lines.append(f"Restarting all {len(plan.ids):,}: the {len(plan.active):,} waiting or "
                     "running cancelled first"
                     + (f", the {rest:,} that cannot be restarted now included on purpose."
                        if rest else "."))
    elif plan.include_all:
        lines.append(f"Restarting all {len(plan.ids):,}, the {others:,} that cannot be "
                     "restarted now included on purpose.")
    elif plan.cancel_active and plan.active:
        rest = left_out_count(plan)
        lines.append(f"Cancelling the {len(plan.active):,} waiting or running first, then "
                     "restarting them with the failed and cancelled"
                     + (f": {rest:,} skipped." if rest else "."))
    elif plan.to_send:
        lines.append(f"Restarting only the failed and cancelled: {others:,} skipped.")
    else:
        lines.append("None can be restarted now: only failed or cancelled tasks can be.")
    return "\n".join(lines)
