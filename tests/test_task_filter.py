"""Filters and groups of found tasks (`task_filter`, `task_groups`) and the tasks' report."""

from __future__ import annotations

import csv
import io
import json

import pytest

from geelark_tui.api.models import Task
from geelark_tui.task_filter import (
    DEFAULT_STATUSES,
    TaskFilter,
    parse_duration,
    parse_fail_codes,
    parse_statuses,
)
from geelark_tui.task_groups import GroupBy, Grouping, group_tasks, reason_of
from geelark_tui.tasks_report import TASK_FIELDS, iso_utc, render_tasks, tasks_table

T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC
TASKS = (
    Task("1001", 4, "Daily video post", 1, "US-East-01", None, T0 - 3600, 29997,
         "insufficient balance"),
    Task("1002", 4, "Daily video post", 1, "US-West-03", None, T0 - 7200, 29996,
         "proxy connection failed"),
    Task("1003", 7, "US warm-up wave", 2, "US-West-03", None, T0 - 10 * 3600),
    Task("1004", 3, "Profile refresh", 6, "EU-05", None, T0 - 30 * 3600),
    Task("1005", 4, "US warm-up wave", 2, "us-west-04", None, T0 - 40 * 3600, 29996,
         "proxy connection failed"),
    Task("1006", 1, None, None, None, None, None),  # only id and status
    Task("1007", 4, "daily VIDEO post", 1, "EU-05", None, T0 - 50 * 3600, 20116, None),
    Task("1008", 8, "Image set campaign", 3, "Lab-01", None, T0 - 60),  # undocumented status
)


def ids(task_filter: TaskFilter) -> list[str]:
    return [t.id for t in TASKS if task_filter.matches(t)]


def test_by_default_only_failed_and_cancelled() -> None:
    assert {4, 7} == DEFAULT_STATUSES
    assert ids(TaskFilter()) == ["1001", "1002", "1003", "1005", "1007"]


def test_status_filter() -> None:
    assert ids(TaskFilter(statuses=frozenset({3, 1}))) == ["1004", "1006"]
    assert ids(TaskFilter(statuses=None)) == [t.id for t in TASKS]


def test_time_filter_by_schedule_since_and_until() -> None:
    every = frozenset({1, 2, 3, 4, 7, 8})
    assert ids(TaskFilter(statuses=every, since=T0 - 12 * 3600)) == ["1001", "1002", "1003",
                                                                      "1008"]
    assert ids(TaskFilter(statuses=every, since=T0 - 36 * 3600, until=T0 - 2 * 3600)) == [
        "1002", "1003", "1004"]
    # the bound itself is in; a task without a schedule is never in a time range
    assert ids(TaskFilter(statuses=every, since=T0 - 3600, until=T0 - 3600)) == ["1001"]


def test_plan_and_phone_are_case_insensitive_substrings() -> None:
    assert ids(TaskFilter(plan="VIDEO")) == ["1001", "1002", "1007"]
    assert ids(TaskFilter(plan="  daily video ")) == ["1001", "1002", "1007"]
    assert ids(TaskFilter(phone="us-west")) == ["1002", "1003", "1005"]
    assert ids(TaskFilter(phone="west", plan="warm")) == ["1003", "1005"]
    assert ids(TaskFilter(statuses=None, phone="x")) == []  # 1006 has no phone at all


def test_fail_code_filter() -> None:
    assert ids(TaskFilter(fail_codes=frozenset({29996}))) == ["1002", "1005"]
    assert ids(TaskFilter(fail_codes=frozenset({29996, 20116}), phone="eu")) == ["1007"]


@pytest.mark.parametrize(("text", "seconds"), [("90m", 5400), ("12h", 43200), ("2d", 172800),
                                               (" 7D ", 604800), ("1m", 60)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "12", "h", "1.5h", "8d", "0m", "-1h", "12 h", "1w"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|at most 7d|more than 0"):
        parse_duration(text)


def test_statuses_and_codes() -> None:
    assert parse_statuses("failed,cancelled") == {4, 7}
    assert parse_statuses(" Waiting , running ,completed") == {1, 2, 3}
    assert parse_statuses("all") is None
    for bad in ("", "failed,foo", "all,failed", "4"):
        with pytest.raises(ValueError, match="status"):
            parse_statuses(bad)
    assert parse_fail_codes("20002, 29997") == {20002, 29997}
    for bad in ("", "2000x", "-1", "1,,x"):
        with pytest.raises(ValueError, match="failure code"):
            parse_fail_codes(bad)


def counts(by: GroupBy) -> dict[str, int]:
    return {g.key: len(g.tasks) for g in group_tasks(TASKS, by)}


def test_group_by_failure_reason() -> None:
    assert counts(GroupBy.REASON) == {
        "29996 proxy connection failed": 2, "no failure code": 3, "20116 execution failure "
        "20116": 1, "29997 insufficient balance": 1, "cancelled": 1}
    assert reason_of(TASKS[6]) == "20116 execution failure 20116"  # no failDesc: its meaning
    assert list(counts(GroupBy.REASON))[:2] == ["no failure code",
                                                "29996 proxy connection failed"]


def test_group_by_plan_phone_and_status() -> None:
    assert counts(GroupBy.PLAN) == {"Daily video post": 2, "US warm-up wave": 2,
                                    "(no plan name)": 1, "Image set campaign": 1,
                                    "Profile refresh": 1, "daily VIDEO post": 1}
    assert counts(GroupBy.PHONE)["US-West-03"] == 2 and counts(GroupBy.PHONE)["EU-05"] == 2
    assert counts(GroupBy.STATUS) == {"failed": 4, "cancelled": 1, "completed": 1,
                                      "unknown": 1, "waiting": 1}


def test_groups_grow_page_by_page_and_keep_the_order_found() -> None:
    grouping = Grouping(GroupBy.PHONE)
    for n in range(0, len(TASKS), 3):
        grouping.add(TASKS[n:n + 3])
    whole = group_tasks(TASKS, GroupBy.PHONE)
    assert [(g.key, g.ids) for g in grouping.groups] == [(g.key, g.ids) for g in whole]
    assert grouping.count == len(TASKS)
    assert GroupBy.REASON.next() is GroupBy.PLAN and GroupBy.STATUS.next() is GroupBy.REASON


def test_json_has_the_contracts_shape() -> None:
    document = json.loads(render_tasks("json", TASKS, frozenset({4, 7})))
    assert set(document) == {"summary", "tasks"}
    summary = document["summary"]
    assert set(summary) >= {"total", "by_status", "by_fail_code"}
    assert summary["total"] == len(TASKS)
    assert summary["by_status"] == {"failed": 4, "cancelled": 1, "waiting": 1, "completed": 1,
                                    "unknown": 1}
    assert summary["by_fail_code"] == {"20116": 1, "29996": 2, "29997": 1}
    assert summary["complete"] is True and summary["stop_reason"] is None
    rows = document["tasks"]
    assert [tuple(r) for r in rows] == [TASK_FIELDS] * len(TASKS)
    assert rows[0] == {"id": "1001", "status": 4, "state": "failed", "task_type": 1,
                       "plan_name": "Daily video post", "phone": "US-East-01",
                       "scheduled_at": "2025-12-31T23:00:00Z", "fail_code": 29997,
                       "fail_desc": "insufficient balance"}
    assert rows[5] == {"id": "1006", "status": 1, "state": "waiting", "task_type": None,
                       "plan_name": None, "phone": None, "scheduled_at": None,
                       "fail_code": None, "fail_desc": None}
    assert rows[7]["state"] == "unknown" and rows[7]["status"] == 8
    every = json.loads(render_tasks("json", (), None, stop_reason="page 3 was refused"))
    assert every["summary"]["by_status"] == dict.fromkeys(
        ["waiting", "running", "completed", "failed", "cancelled"], 0)
    assert every["summary"]["complete"] is False
    assert every["summary"]["stop_reason"] == "page 3 was refused"


def test_ids_csv_and_table() -> None:
    assert render_tasks("ids", TASKS[:3], None) == "1001\n1002\n1003\n"
    rows = list(csv.DictReader(io.StringIO(render_tasks("csv", TASKS, None))))
    assert tuple(rows[0]) == TASK_FIELDS and len(rows) == len(TASKS)
    assert rows[1]["scheduled_at"] == "2025-12-31T22:00:00Z" and rows[5]["phone"] == ""
    table = tasks_table(TASKS, width=80)
    assert all(len(line) <= 80 for line in table.splitlines())
    assert "     2  29996 proxy connection failed" in table
    assert "8 tasks: 4 failed, 1 cancelled" in table
    assert iso_utc(10**20) is None
