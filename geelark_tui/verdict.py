"""What a lookup after an ambiguous restart answer proves about one task (design.md, "Outcomes").

A restart answer that may or may not have been applied (timeout after sending, a dropped
connection, 5xx, 40000, counts that do not add up) is settled by looking the task up:

- still failed (4) or cancelled (7): it was not restarted. It is resent once, automatically
  (`RESEND`): a real task cannot be restarted, run and fail again in the seconds between.
- now waiting, in progress or completed, and failed or cancelled before the run (known from
  the pre-flight, or from the lookup that led to a resend): `restarted`.
- now active with no earlier status: `unknown`. A status alone proves nothing: a 502 that
  never reached the application leaves an already-running task looking just the same.
- not found, or the lookup failed: `unknown`, saying so.
Provably not applied (still failed after the resend, or completed before and after) is
`not_sent`: the server did not restart it, and it is safe to re-submit.
"""

from __future__ import annotations

from typing import Final

from geelark_tui.api.models import (
    ACTIVE_STATUSES,
    RESTARTABLE_STATUSES,
    IdResult,
    Outcome,
    Task,
    TaskStatus,
)

RESEND: Final = "resend"


def judge(
    task_id: str, task: Task | None, *, complete: bool, before: int | None, why: str,
    unsettled: str, code: int | None, resent: bool,
) -> IdResult | str:
    """The result the lookup proves for ``task_id``, or `RESEND`.

    ``complete``: the lookup's answer listed every task it had (only then does a missing task
    prove anything); ``before``: the status before this request, when known; ``unsettled``:
    why the lookup settles nothing, when it failed; ``resent``: this was already the resend.
    """
    if task is None:
        missing = "the lookup did not find the task" if complete else (
            f"{unsettled}: check before re-submitting")
        return IdResult(task_id, Outcome.UNKNOWN, code, f"{why}; {missing}")
    now = TaskStatus.label(task.status)
    if task.status in RESTARTABLE_STATUSES:
        if not resent:
            return RESEND
        return IdResult(task_id, Outcome.NOT_SENT, code,
                        f"{why}; the lookup shows it still {now}: not restarted, safe to "
                        "re-submit")
    if task.status in ACTIVE_STATUSES:
        if before in RESTARTABLE_STATUSES:
            return IdResult(task_id, Outcome.RESTARTED, code,
                            f"verified: was {TaskStatus.label(before)}, now {now}")
        if before == TaskStatus.COMPLETED and task.status == TaskStatus.COMPLETED:
            return IdResult(task_id, Outcome.NOT_SENT, code,
                            f"{why}; not restarted: it was completed before the run and is "
                            "now (only failed or cancelled tasks can be restarted)")
        earlier = "" if before is None else f" (it was {TaskStatus.label(before)} before)"
        return IdResult(task_id, Outcome.UNKNOWN, code,
                        f"{why}; now {now}{earlier}: may have been restarted by this run, or "
                        "was already active: check the task before re-submitting")
    return IdResult(task_id, Outcome.UNKNOWN, code, f"{why}; the lookup shows {now}")
