"""What to do next, per result: 48001 (and a pre-flight skip) follows the task's status when a
lookup gave one; the CSV hint column, the grid and the detail pane all use `hint_for` (the
headless CSV: test_headless.py; the detail pane: tui/test_details.py)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest

from geelark_tui.after import After
from geelark_tui.api.codes import RUN_STOPPING, describe, next_step
from geelark_tui.api.models import IdResult, Outcome, Task, TaskStatus
from geelark_tui.report import RunExtras, hint_for, latest_of, to_csv

REFUSED = IdResult("574376043897425860", Outcome.REJECTED, 48001, "status forbids it")


def test_48001_for_a_completed_task_says_it_ran() -> None:
    hint = hint_for(replace(REFUSED, status=TaskStatus.COMPLETED))
    assert "completed" in hint and "nothing to restart" in hint
    assert "fail" not in hint and "cancel" not in hint  # it will never fail, cannot be cancelled


@pytest.mark.parametrize("status", [TaskStatus.WAITING, TaskStatus.IN_PROGRESS])
def test_48001_for_an_active_task_says_wait_or_cancel(status: int) -> None:
    hint = hint_for(replace(REFUSED, status=status))
    assert "wait until it ends" in hint and "cancel it first" in hint
    assert "nothing to restart" not in hint


@pytest.mark.parametrize("status", [None, TaskStatus.FAILED, 8])
def test_48001_with_no_telling_status_covers_both_cases(status: int | None) -> None:
    hint = hint_for(replace(REFUSED, status=status))
    assert hint == describe(48001).hint
    assert "completed" in hint and "cancel it first" in hint
    assert "until it fails" not in hint


def test_a_later_lookup_overrides_the_status_the_result_carries() -> None:
    before = replace(REFUSED, status=TaskStatus.WAITING)
    assert "It completed" in hint_for(before, TaskStatus.COMPLETED)


def test_a_skipped_completed_task_is_not_told_to_wait_for_a_failure() -> None:
    skipped = IdResult("574376043897425860", Outcome.SKIPPED, None, "skipped: completed",
                       status=TaskStatus.COMPLETED)
    assert "It completed" in hint_for(skipped)


def test_other_codes_keep_their_hint_whatever_the_status() -> None:
    assert next_step(48000, TaskStatus.COMPLETED) == describe(48000).hint


def test_47002_is_account_level_like_40003_and_40014() -> None:
    assert {40003, 40014, 47002} <= RUN_STOPPING
    assert "2 hours" in describe(47002).hint


def test_csv_hint_column_follows_the_status() -> None:
    rows = [replace(REFUSED, id=f"57437604389742586{n}", status=s)
            for n, s in enumerate((TaskStatus.WAITING, TaskStatus.COMPLETED, None))]
    written = to_csv(rows, RunExtras(with_status=True))
    hints = [r["hint"] for r in csv.DictReader(io.StringIO(written))]
    assert hints == [hint_for(r) for r in rows]
    assert len(set(hints)) == 3


# -- the latest facts win: a re-check or a follow (issue 12) ----------------------------------

RESTARTED = IdResult("574376043897425803", Outcome.RESTARTED, 0, "restarted", status=4)


def test_a_restarted_task_that_failed_again_says_so_with_its_failure() -> None:
    task = Task(RESTARTED.id, TaskStatus.FAILED, fail_code=20105,
                fail_desc="TikTok account is logged out")
    hint = hint_for(RESTARTED, task=task)
    assert hint.startswith("Failed again: 20105")
    assert "TikTok account is logged out" in hint
    assert "Nothing to do" not in hint


@pytest.mark.parametrize(("status", "words"), [
    (TaskStatus.COMPLETED, "it ran and completed"),
    (TaskStatus.WAITING, "waiting or running again"),
    (TaskStatus.CANCELLED, "Cancelled since the restart"),
])
def test_a_restarted_task_hint_follows_its_latest_status(status: int, words: str) -> None:
    assert words in hint_for(RESTARTED, task=Task(RESTARTED.id, status))


def test_a_skipped_task_that_does_not_exist_says_check_the_id() -> None:
    missing = IdResult("574376043897425890", Outcome.SKIPPED, None,
                       "skipped: task not found", status=None)
    assert hint_for(missing).startswith("Check the ID")


@pytest.mark.parametrize(("status", "words"), [
    (TaskStatus.FAILED, "safe to re-submit"),
    (TaskStatus.IN_PROGRESS, "nothing to re-submit unless it fails"),
    (TaskStatus.COMPLETED, "completed since"),
])
def test_an_unknown_result_rechecked_says_what_the_lookup_shows(status: int, words: str) -> None:
    unknown = IdResult("574376043897425801", Outcome.UNKNOWN, None, "HTTP 502")
    assert words in hint_for(unknown, task=Task(unknown.id, status))


def test_the_headless_csv_hint_follows_what_following_found() -> None:
    failed_again = After("failed", 4, 20105, "TikTok account is logged out")
    rows = [RESTARTED, replace(RESTARTED, id="574376043897425801")]
    after = {RESTARTED.id: failed_again, rows[1].id: After("completed", 3)}
    written = to_csv(rows, RunExtras(after=after, latest=latest_of(after)))
    hints = {r["id"]: (r["hint"], r["after"]) for r in csv.DictReader(io.StringIO(written))}
    assert hints[RESTARTED.id][0].startswith("Failed again: 20105")
    assert hints[RESTARTED.id][1] == "failed"
    assert hints[rows[1].id] == ("Nothing to do: it ran and completed.", "completed")
