"""ResultSet: one ticket = one set; later runs update rows in place and keep their history."""

from __future__ import annotations

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.resultset import ResultSet, settle

R, J, N, U, S = (Outcome.RESTARTED, Outcome.REJECTED, Outcome.NOT_SENT, Outcome.UNKNOWN,
                 Outcome.SKIPPED)


def tid(n: int) -> str:
    return f"5743760438974258{n:02d}"


def first_run() -> list[IdResult]:
    return [
        IdResult(tid(1), R, 0, "restarted", 4),
        IdResult(tid(2), N, 40017, "not sent: server kept answering 40017", 4),
        IdResult(tid(3), U, None, "HTTP 502; lookup failed"),
        IdResult(tid(4), J, 48000, "task retry limit reached", 4),
        IdResult(tid(5), N, None, "not sent: stopped by the user"),
    ]


def test_a_retry_updates_its_rows_in_place_and_keeps_the_rest() -> None:
    rows = first_run()
    result_set = ResultSet(rows)
    retry = [IdResult(tid(2), R, 0, "restarted"), IdResult(tid(3), J, 48001, "status", 2)]
    changed = result_set.merge(retry)
    assert result_set.rows is rows  # the list given, updated in place
    assert [r.id for r in rows] == [tid(n) for n in range(1, 6)]  # same order, same rows
    assert changed == retry
    assert (rows[1].outcome, rows[2].code) == (R, 48001)
    assert rows[0] is first_run()[0] or rows[0] == first_run()[0]
    history = result_set.history(tid(2))
    assert [(a.run, a.result.outcome) for a in history] == [("first run", N), ("retry 1", R)]
    assert [a.run for a in result_set.history(tid(1))] == ["first run"]  # untouched
    assert result_set.retried and result_set.runs == ["first run", "retry 1"]
    result_set.merge([IdResult(tid(2), R, 0, "restarted")])
    assert [a.run for a in result_set.history(tid(2))] == ["first run", "retry 1", "retry 2"]


def test_not_sent_this_time_never_hides_an_answer_of_the_server() -> None:
    rows = first_run()
    result_set = ResultSet(rows)
    changed = result_set.merge([
        IdResult(tid(1), S, None, "skipped: task is in progress", 2),  # restarted before
        IdResult(tid(4), N, None, "not sent: stopped by the user"),  # refused before
        IdResult(tid(3), N, None, "not sent: stopped by the user"),  # unknown before
        IdResult(tid(5), S, None, "skipped: task is completed", 3),  # not sent before
    ])
    assert (rows[0].outcome, rows[0].status) == (R, 2)  # still restarted; the status is newer
    assert (rows[3].outcome, rows[3].code) == (J, 48000)
    assert rows[2].outcome is U
    assert rows[4].outcome is S  # a skip says more than "not sent"
    assert [r.id for r in changed] == [tid(1), tid(5)]
    assert [a.result.outcome for a in result_set.history(tid(4))] == [J, N]
    assert settle(rows[2], IdResult(tid(3), N, None, "x")) is rows[2]


def test_ids_outside_the_set_are_added_and_statuses_update() -> None:
    result_set = ResultSet(first_run())
    result_set.merge([IdResult(tid(9), R, 0, "restarted")])
    assert result_set.rows[-1].id == tid(9) and len(result_set) == 6
    changed = result_set.with_statuses({tid(1): 3, tid(4): 4, tid(77): 1})
    assert [(r.id, r.status) for r in changed] == [(tid(1), 3)]  # 4 had it already
    assert result_set.get(tid(1)) == changed[0]


def test_a_rows_status_before_its_run_is_kept_when_later_facts_change_it() -> None:
    a = IdResult("574376043897425801", Outcome.RESTARTED, 0, "ok", status=4)
    b = IdResult("574376043897425802", Outcome.RESTARTED, 0, "ok", status=7)
    rows = ResultSet([a, b])
    rows.with_statuses({a.id: 3})  # following: it completed
    rows.with_statuses({a.id: 1})  # ... a later fact again: the first status is kept
    assert rows.get(a.id).status == 1 and dict(rows.statuses_before_run) == {a.id: 4}
    rows.merge([IdResult(a.id, Outcome.RESTARTED, 0, "ok", status=4)])  # a retry: its own
    assert dict(rows.statuses_before_run) == {}
    # A retry that skipped the row keeps the earlier answer, and its status before that run.
    rows.merge([IdResult(b.id, Outcome.SKIPPED, None, "skipped: task is running", status=1)])
    assert rows.get(b.id).outcome is Outcome.RESTARTED and rows.get(b.id).status == 1
    assert dict(rows.statuses_before_run) == {b.id: 7}
