"""Found tasks (`geelark-tui tasks`) as IDs, a table, JSON or CSV.

The JSON document is the headless contract's: ``{"summary": {"total", "by_status",
"by_fail_code"}, "tasks": [{"id", "status", "state", "task_type", "plan_name", "phone",
"scheduled_at", "fail_code", "fail_desc"}]}``, plus (additively) ``summary.complete`` and
``summary.stop_reason``: whether every page of the history was read, and if not, why.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from geelark_tui.api.models import Task
from geelark_tui.task_filter import STATE_NAMES, state_name
from geelark_tui.task_groups import GroupBy, group_tasks

TASK_FIELDS = ("id", "status", "state", "task_type", "plan_name", "phone", "scheduled_at",
               "fail_code", "fail_desc")
STATE_W, WHEN_W, PHONE_W = 9, 11, 12  # table columns, without the two-space gap
TABLE_GROUPS = 10  # failure reasons listed under the table


def iso_utc(seconds: int | None) -> str | None:
    """Unix seconds as ISO 8601 UTC ("2026-01-07T13:45:00Z"); None stays None."""
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):  # a timestamp no calendar holds
        return None


def short_time(seconds: int | None) -> str:
    """"01-07 13:45" (UTC), for tables and screens; "—" when unknown."""
    stamp = iso_utc(seconds)
    return "—" if stamp is None else f"{stamp[5:10]} {stamp[11:16]}"


def newest_first(tasks: Sequence[Task]) -> list[Task]:
    """Tasks by scheduleAt, newest first (unknown times last), ties by ID: the server's
    order is not documented, so the output does not depend on it."""
    return sorted(tasks, key=lambda t: (t.schedule_at is None, -(t.schedule_at or 0), t.id))


def task_row(task: Task) -> dict[str, Any]:
    return {"id": task.id, "status": task.status, "state": state_name(task.status),
            "task_type": task.task_type, "plan_name": task.plan_name,
            "phone": task.serial_name, "scheduled_at": iso_utc(task.schedule_at),
            "fail_code": task.fail_code, "fail_desc": task.fail_desc}


def summarize_tasks(tasks: Sequence[Task], statuses: Collection[int] | None) -> dict[str, Any]:
    """Counts by state name (every state asked for, even at 0) and by failCode (those set)."""
    asked = STATE_NAMES if statuses is None else {s: STATE_NAMES[s] for s in STATE_NAMES
                                                  if s in statuses}
    by_status = dict.fromkeys(asked.values(), 0)
    by_code: dict[int, int] = {}
    for task in tasks:
        name = state_name(task.status)
        by_status[name] = by_status.get(name, 0) + 1
        if task.fail_code:
            by_code[task.fail_code] = by_code.get(task.fail_code, 0) + 1
    return {"total": len(tasks), "by_status": by_status,
            "by_fail_code": {str(code): by_code[code] for code in sorted(by_code)}}


def tasks_json(tasks: Sequence[Task], statuses: Collection[int] | None, *,
               stop_reason: str | None = None) -> str:
    summary = summarize_tasks(tasks, statuses)
    summary.update(complete=stop_reason is None, stop_reason=stop_reason)
    return json.dumps({"summary": summary, "tasks": [task_row(t) for t in tasks]},
                      ensure_ascii=False, indent=2) + "\n"


def tasks_csv(tasks: Sequence[Task]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TASK_FIELDS)
    for task in tasks:
        writer.writerow(["" if v is None else v for v in task_row(task).values()])
    return buffer.getvalue()


def _fit(text: str, width: int) -> str:
    text = "".join(c if c.isprintable() else " " for c in text)  # no line break, tab, escape
    return f"{text:<{width}}" if len(text) <= width else text[: max(width - 1, 0)] + "…"


def tasks_table(tasks: Sequence[Task], width: int | None = None) -> str:
    """A table that fits the terminal (80 columns when not a terminal), then the count by
    failure reason."""
    width = width or min(shutil.get_terminal_size((80, 24)).columns, 160)
    id_w = max([len(t.id) for t in tasks] + [2])
    rest = width - id_w - STATE_W - WHEN_W - PHONE_W - 8
    plan_w = rest * 2 // 5 if rest >= 40 else 0
    reason_w = max(rest - plan_w - (2 if plan_w else 0), 10)

    def line(*cells: tuple[str, int]) -> str:
        return "  ".join(_fit(text, w) for text, w in cells if w).rstrip()

    head = (("ID", id_w), ("STATE", STATE_W), ("UTC", WHEN_W), ("PHONE", PHONE_W),
            ("PLAN", plan_w), ("FAILURE", reason_w))
    lines = [line(*head)]
    for t in tasks:
        failure = f"{t.fail_code} {t.fail_desc or ''}" if t.fail_code else ""
        lines.append(line((t.id, id_w), (state_name(t.status), STATE_W),
                          (short_time(t.schedule_at), WHEN_W), (t.serial_name or "", PHONE_W),
                          (t.plan_name or "", plan_w), (failure, reason_w)))
    counts = summarize_tasks(tasks, ())["by_status"]
    states = ", ".join(f"{n} {name}" for name, n in counts.items())
    lines += ["", f"{len(tasks)} tasks" + (f": {states}" if states else "")]
    groups = group_tasks(tasks, GroupBy.REASON)
    for group in groups[:TABLE_GROUPS]:
        lines.append(_fit(f"{len(group.tasks):>6}  {group.key}", width).rstrip())
    if len(groups) > TABLE_GROUPS:
        lines.append(f"   ... and {len(groups) - TABLE_GROUPS} more failure reasons")
    return "\n".join(lines) + "\n"


def render_tasks(fmt: str, tasks: Sequence[Task], statuses: Collection[int] | None, *,
                 stop_reason: str | None = None) -> str:
    if fmt == "ids":
        return "".join(f"{t.id}\n" for t in tasks)
    if fmt == "json":
        return tasks_json(tasks, statuses, stop_reason=stop_reason)
    if fmt == "csv":
        return tasks_csv(tasks)
    return tasks_table(tasks)
