"""The code catalogue: every GeeLark API code with its meaning, category and a hint.

This is the only place codes are described. `next_step` says what to do after a code (for
48001 it depends on the task's status), `RUN_STOPPING` which codes stop a run, `row_style` how
a result row looks (the TUI's TCSS gives each style a colour); reports print `meaning`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geelark_tui.api.models import TaskStatus


class Category(StrEnum):
    SUCCESS = "success"
    WAIT_AND_RETRY = "wait_and_retry"
    PERMANENT = "permanent"
    AUTH = "auth"
    ACCOUNT_LOCK = "account_lock"
    SERVER = "server"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: int
    meaning: str
    category: Category
    hint: str


def _c(code: int, meaning: str, category: Category, hint: str) -> CodeInfo:
    return CodeInfo(code, meaning, category, hint)


S, W, P, A, L, X = (
    Category.SUCCESS,
    Category.WAIT_AND_RETRY,
    Category.PERMANENT,
    Category.AUTH,
    Category.ACCOUNT_LOCK,
    Category.SERVER,
)

CODES: dict[int, CodeInfo] = {
    c.code: c
    for c in (
        _c(0, "success", S, "Nothing to do: the task was restarted."),
        # Global (outer) codes
        _c(40000, "unknown error", X, "Unclear whether applied; re-check the task status first."),
        _c(40001, "request body unreadable", X, "A client bug; report it with the run log."),
        _c(40002, "traceId header empty", X, "A client bug; report it with the run log."),
        _c(40003, "signature or token rejected", A,
           "Check the token or app id + API key (in Settings, or the GEELARK_ variable it "
           "came from); tokens expire."),
        _c(40004, "request parameter validation failed", P,
           "The request was refused as a whole; check the IDs and batch size."),
        _c(40005, "the task's cloud phone (environment) was deleted", P,
           "Nothing to retry; recreate the task."),
        _c(40006, "partial success", S, "Some tasks in the batch were refused; see each row."),
        _c(40007, "too many requests this minute", W, "Wait for the next minute, then retry."),
        _c(40008, "bad pagination parameters", P, "A client bug; report it with the run log."),
        _c(40009, "batch failed completely", P,
           "Every task in the batch was refused; see each row."),
        _c(40010, "resource occupied", W, "Try again in a few minutes."),
        _c(40011, "paid users only", L, "The account needs a paid plan for the API."),
        _c(40012, "API deprecated", X, "Update geelark-tui; the endpoint has changed."),
        _c(40013, "user not found", A, "Check which account the credentials belong to."),
        _c(40014, "hourly limit exceeded: account locked for 2 hours", L,
           "Stop all API scripts on this account; retry after the 2-hour lock."),
        _c(40015, "insufficient permissions", A, "Ask the account owner for API permission."),
        _c(40016, "IP not on the whitelist", A,
           "Add this server's IP to the API whitelist in GeeLark."),
        _c(40017, "too many requests, try later", W, "Back off for a while, then retry."),
        _c(41000, "not enough task points", L, "Top up task points, then retry."),
        _c(41001, "balance not enough", L, "Top up the account balance, then retry."),
        _c(47002, "too many concurrent requests, or all devices in use", L,
           "Stop all API scripts on this account; GeeLark may block it for up to 2 hours. "
           "Retry later, with lower concurrency."),
        _c(50000, "internal server error", X, "Unclear whether applied; re-check the task status."),
        # Per-task codes (failDetails)
        _c(48000, "retry limit (5) reached", P, "Cannot be retried again; recreate the task."),
        _c(48001, "task status does not allow retry (waiting, running or completed)", W,
           "If it completed, it ran: nothing to restart. If it is waiting or running, wait "
           "until it ends, or cancel it first."),
        _c(48002, "task does not exist", P,
           "Check the ID: a typo, another account, or older than retention."),
        _c(48003, "the task's resource (material) expired", P,
           "Re-upload the material or recreate the task."),
        _c(48004, "needs a specific app version", P, "Update the app on the phone, then retry."),
    )
}


def describe(code: int | None) -> CodeInfo:
    """Look a code up; unknown codes get a generic entry instead of an error."""
    if code is None:
        return CodeInfo(-1, "no code", Category.SERVER, "No answer from the server.")
    info = CODES.get(code)
    if info is not None:
        return info
    return CodeInfo(code, f"undocumented code {code}", Category.SERVER,
                    "Not in GeeLark's docs; check the task in GeeLark before retrying.")


# Codes after which the whole run stops: nothing more can succeed with these credentials.
RUN_STOPPING = frozenset(
    c for c, info in CODES.items() if info.category in (Category.AUTH, Category.ACCOUNT_LOCK)
)


def stop_reason(code: int) -> str:
    """Why a run (or its pre-flight) stopped on a `RUN_STOPPING` code, in its report."""
    return f"{code} {describe(code).meaning}"


# What to do with a task its status keeps from being restarted (48001 or a pre-flight skip):
# a completed task will never fail, so "wait until it fails" would be wrong advice.
STATUS_HINTS: dict[int, str] = {
    TaskStatus.WAITING: "It is waiting to run: wait until it ends, or cancel it first.",
    TaskStatus.IN_PROGRESS: "It is running: wait until it ends, or cancel it first.",
    TaskStatus.COMPLETED: "It completed: nothing to restart, it ran.",
}


def status_hint(status: int | None) -> str | None:
    """What to do with a task in `status` that cannot be restarted; None if not one of those."""
    return None if status is None else STATUS_HINTS.get(status)


def next_step(code: int | None, status: int | None = None) -> str:
    """The hint for `code`; for 48001 it follows the task's status when a lookup gave one."""
    by_status = status_hint(status) if code == 48001 else None
    return by_status or describe(code).hint


# How a result row looks, by outcome and code. The names are TCSS component-class suffixes
# (widgets/results_grid.tcss and app.tcss give each a colour); every row also shows a symbol
# and a word.
ROW_STYLES = ("success", "wait", "permanent", "not-sent", "unknown")


def row_style(outcome: str, code: int | None) -> str:
    if outcome == "restarted":
        return "success"
    if outcome in ("not_sent", "skipped"):
        return "not-sent"
    if outcome == "unknown":
        return "unknown"
    category = describe(code).category
    if category in (Category.WAIT_AND_RETRY, Category.SUCCESS):
        return "wait"
    return "permanent"


# -- task/query fields: what a task's type and its own failure code mean ---------------------

TASK_TYPES: dict[int, str] = {
    1: "TikTok video",
    2: "TikTok warm-up",
    3: "TikTok image set",
    4: "TikTok login",
    6: "TikTok profile edit",
    42: "custom",
}

# A task's `failCode` is an execution failure (documented ranges 20002-21001 and 29992-29999),
# not an API error; three of them have a published meaning.
EXEC_FAILURES: dict[int, str] = {
    29997: "insufficient balance",
    29998: "cloud phone deleted",
    29999: "unknown",
}


def task_type_name(task_type: int | None) -> str:
    """`taskType` in words; undocumented values as "type N", a missing one as "—"."""
    if task_type is None:
        return "—"
    return TASK_TYPES.get(task_type, f"type {task_type}")


def fail_code_meaning(code: int | None) -> str:
    """A task's own `failCode` in words (0 or missing: no failure recorded)."""
    if not code:
        return "no failure recorded"
    return EXEC_FAILURES.get(code, f"execution failure {code}")
