"""The simulator's task model: every task's state is derived from its ID, no table needed.

Buckets by the last two digits of the ID, ``nn = int(id[-2:])`` (IDs must be ASCII digits, at
least two of them; anything else does not exist):

=======  =====================================  ===================  ==========================
nn       initial state                          restarts used        first restart answers
=======  =====================================  ===================  ==========================
00-39    failed (4)                             nn % 4               restarted
40-49    cancelled (7)                          nn % 5               restarted
50-53    waiting (1)                            nn % 3               48001 status forbids it
54-57    in progress (2)                        nn % 3               48001
58-63    completed (3)                          nn % 3               48001
64-69    failed (4)                             5                    48000 retry limit reached
70-74    failed (4), failCode 29998             nn % 4               40005 cloud phone deleted
75-79    failed (4), failCode 29995             nn % 4               48003 resource expired
80-84    failed (4), failCode 29994             nn % 4               48004 needs app version
85-99    does not exist                         -                    48002 (absent from query)
=======  =====================================  ===================  ==========================

A restart moves a task to waiting for ``state_timing[0]`` seconds, then in progress for
``state_timing[1]`` seconds, then completed, or failed again when ``nn % 3 == 0`` (failCode from
`EXEC_FAILURES`). A failed-again task can be restarted again until 5 restarts are used (48000).

Other fields: ``taskType = TASK_TYPES[d % 7]`` where d is the third-to-last digit (so d = 6 gives
the undocumented type 99); planName, serialName ("Phone-0427"), envId, scheduleAt (Unix seconds)
and cost come from a SHA-256 of the ID. Only 29997, 29998 and 29999 are documented failCode
meanings; the other descriptions here are invented but plausible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache

WAITING, IN_PROGRESS, COMPLETED, FAILED, CANCELLED = 1, 2, 3, 4, 7
MAX_RESTARTS = 5
TASK_TYPES = (1, 2, 3, 4, 6, 42, 99)
SCHEDULE_BASE = 1_767_225_600  # 2026-01-01 00:00:00 UTC; scheduleAt lies in the week before

TASK_CODE_MSG: dict[int, str] = {
    40005: "environment has been deleted",
    48000: "task retry limit reached",
    48001: "the current task status does not allow the operation",
    48002: "task does not exist",
    48003: "the task resource has expired",
    48004: "the task requires a specific app version",
}

EXEC_FAILURES: tuple[tuple[int, str], ...] = (
    (20002, "another task was running on the same cloud phone"),
    (20105, "TikTok account is logged out"),
    (20311, "video upload failed"),
    (21001, "task execution timed out"),
    (29992, "cloud phone failed to start"),
    (29997, "insufficient balance"),
    (29999, "unknown error"),
)
PLAN_NAMES = (
    "US warm-up wave",
    "Daily video post",
    "Profile refresh",
    "Account login batch",
    "Image set campaign",
    "Custom flow: IG likes",
)


@dataclass(frozen=True, slots=True)
class TaskState:
    """A task as the simulator sees it. ``status`` is None when the task does not exist."""

    id: str
    exists: bool
    status: int | None = None
    restarts_used: int = 0
    block_code: int | None = None  # per-task code refusing every restart (40005/48003/48004)
    task_type: int = 1
    plan_name: str = ""
    serial_name: str = ""
    env_id: str = ""
    schedule_at: int = 0
    fail_code: int = 0
    fail_desc: str = ""
    cost: int = 0
    share_link: str = ""

    def restart_code(self) -> int | None:
        """The per-task code a restart gets now, or None when it would be restarted."""
        if not self.exists:
            return 48002
        if self.block_code == 40005:
            return 40005
        if self.status not in (FAILED, CANCELLED):
            return 48001
        if self.restarts_used >= MAX_RESTARTS:
            return 48000
        return self.block_code

    def to_json(self, omit_empty: bool = False) -> dict[str, object]:
        """The task/query item. ``omit_empty`` drops zero/empty optional fields (quirks mode)."""
        item: dict[str, object] = {
            "id": self.id,
            "planName": self.plan_name,
            "taskType": self.task_type,
            "serialName": self.serial_name,
            "envId": self.env_id,
            "scheduleAt": self.schedule_at,
            "status": self.status,
            "failCode": self.fail_code,
            "failDesc": self.fail_desc,
            "cost": self.cost,
            "shareLink": self.share_link,
        }
        if omit_empty:
            item = {k: v for k, v in item.items() if k in ("id", "status") or v not in (0, "")}
        return item


def bucket(task_id: str) -> int | None:
    """The last two digits as an int, or None when the ID is not made of ASCII digits."""
    if len(task_id) < 2 or not (task_id.isascii() and task_id.isdigit()):
        return None
    return int(task_id[-2:])


def _hash(task_id: str) -> int:
    return int.from_bytes(hashlib.sha256(task_id.encode()).digest()[:8], "big")


@lru_cache(maxsize=65536)
def initial_state(task_id: str) -> TaskState:
    """The task's state before the simulator restarted it (deterministic per ID)."""
    nn = bucket(task_id)
    if nn is None or nn >= 85:
        return TaskState(task_id, exists=False)
    h = _hash(task_id)
    task_type = TASK_TYPES[int(task_id[-3]) % 7] if len(task_id) >= 3 else 1
    plan_name = PLAN_NAMES[h % len(PLAN_NAMES)]
    serial_name = f"Phone-{(h >> 8) % 10000:04d}"
    env_id = str(10**17 + (h >> 16) % (9 * 10**17))
    schedule_at = SCHEDULE_BASE - (h >> 24) % (7 * 86400)

    # One constructor call per state, no `dataclasses.replace` (~5 us each): every ID of every
    # request comes through here, 100 per request, and 100,000-ID runs overflow the cache.
    def state(status: int | None, restarts_used: int, block_code: int | None = None,
              fail_code: int = 0, fail_desc: str = "", cost: int = 0) -> TaskState:
        return TaskState(task_id, True, status=status, restarts_used=restarts_used,
                         block_code=block_code, task_type=task_type, plan_name=plan_name,
                         serial_name=serial_name, env_id=env_id, schedule_at=schedule_at,
                         fail_code=fail_code, fail_desc=fail_desc, cost=cost)

    if 40 <= nn < 64:
        if nn < 50:
            return state(CANCELLED, nn % 5)
        if nn < 54:
            return state(WAITING, nn % 3)
        if nn < 58:
            return state(IN_PROGRESS, nn % 3)
        return _completed(state(None, nn % 3))
    fail_code, fail_desc = EXEC_FAILURES[(h >> 40) % len(EXEC_FAILURES)]
    cost = 5 + (h >> 48) % 120
    if nn < 40:
        return state(FAILED, nn % 4, None, fail_code, fail_desc, cost)
    if nn < 70:
        return state(FAILED, MAX_RESTARTS, None, fail_code, fail_desc, cost)
    if nn < 75:
        return state(FAILED, nn % 4, 40005, 29998, "cloud phone deleted", cost)
    if nn < 80:
        return state(FAILED, nn % 4, 48003, 29995, "task material has expired", cost)
    return state(FAILED, nn % 4, 48004, 29994, "app version on the cloud phone is too old", cost)


def _completed(state: TaskState) -> TaskState:
    h = _hash(state.id)
    return replace(state, status=COMPLETED, fail_code=0, fail_desc="", cost=30 + (h >> 48) % 900,
                   share_link=f"https://open.geelark.com/share/task/{state.id}")


def state_after_restart(
    initial: TaskState, restarts: int, elapsed: float, timing: tuple[float, float]
) -> TaskState:
    """The state ``elapsed`` seconds after the last of ``restarts`` restarts by the simulator."""
    cleared = replace(initial, restarts_used=initial.restarts_used + restarts, fail_code=0,
                      fail_desc="", cost=0, share_link="")
    wait, run = timing
    if elapsed < wait:
        return replace(cleared, status=WAITING)
    if elapsed < wait + run:
        return replace(cleared, status=IN_PROGRESS)
    nn = bucket(initial.id) or 0
    if nn % 3 == 0:
        code, desc = EXEC_FAILURES[(_hash(initial.id) + restarts) % len(EXEC_FAILURES)]
        return replace(cleared, status=FAILED, fail_code=code, fail_desc=desc, cost=int(run) + 1)
    return _completed(cleared)


def expected_outcome(task_id: str) -> tuple[str, int | None]:
    """Ground truth for a first restart attempt: ("restarted", None) or ("rejected", code)."""
    code = initial_state(task_id).restart_code()
    return ("restarted", None) if code is None else ("rejected", code)


DEMO_IDS: tuple[str, ...] = (
    "575260181590830001", "571661318609139102", "570996030824628204", "571948219935181305",
    "579093786579754407", "573231948757491510", "571862527601895612", "575597971147104015",
    "579746507529170116", "573423667127684219", "572684656321223323", "573079244026859427",
    "579528907866661528", "577603137215901631", "570928159013962033", "574595711777741136",
    "572154728038528241", "570841485253888344", "575393363387500445", "574743957551313548",
    "577353799075116650", "573726516761222052", "570297299752882155", "570018263304348257",
    "573954862057986358", "578282880729022460", "572791805888718563", "570334018780175664",
    "579898347887838067", "574837261675136169", "571341252427316270", "577232686563551373",
    "575058770658948476", "571131144024264579", "576288975140261681", "574014193141705084",
    "578649208312402186", "573448347824504291", "570008838737167395", "578684335326502499",
)  # fmt: skip
