"""The simulator's task history: ``POST /open/v1/task/historyRecords`` over a fixed population.

The population: ``size`` tasks (default 1,400) scheduled over the 8 days before the book is
first read (its ``anchor``, by the simulator's wall clock), drawn from ``random.Random(seed)``;
only the tasks of the last 7 days are listed, as GeeLark does. Plans, phones and failures are
realistic and clustered the way real trouble is: one deleted phone, two phones behind a bad
proxy, a night when the balance ran out, two tasks fighting over one phone (20002).

Every ID follows the simulator's per-ID rules (`sim_tasks`: the last two digits): failed tasks
end in 00-39, cancelled ones in 40-49 (so every failed or cancelled task listed can be
restarted), waiting 50-53, in progress 54-57, completed 58-63. The book only adds the fields
that make a history (plan, phone, type, schedule, failure); the simulator serves task/query and
task/restart for these IDs from the same state, so the three endpoints always agree.

The answer: ``{"total", "items"}``, ``total`` counting every task of the 7 days (or of ``ids``),
items without ``shareLink``. Order: newest ``scheduleAt`` first, ties by ID (GeeLark documents
no order; the client never relies on one). Body ``{size?, lastId?, ids?}``: ``size`` 1.. (more
than 100 is capped at 100, missing is 10), ``lastId`` the ID of the previous page's last item;
a ``size`` that is not a whole number of at least 1, or a ``lastId`` that is not the ID of a task in
the history, is 40008; ``ids`` (at most 100 strings) filters, else 40004; an unreadable body 40001.

``faults`` (tests): the n-th history request that passes auth and the rate limit (1-based)
gets, instead of its page: ``repeat`` the previous page again (its cursor repeats), ``short``
half its page, ``empty`` no items, ``no_items`` data without ``items``, ``5xx`` an HTML 502,
``drop`` no answer at all, ``429`` an HTML 429, or a code (``"40007"``, ``"40008"``, ...).
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from geelark_tui.limits import MAX_BATCH
from geelark_tui.sim_http import Reply, html_reply
from geelark_tui.sim_tasks import EXEC_FAILURES, TaskState, initial_state
from geelark_tui.sim_wire import envelope

HISTORY_SIZE = 1400
DAY = 86400
LISTED_SPAN = 7 * DAY  # historyRecords lists the tasks scheduled in the last 7 days
POPULATION_SPAN = 8 * DAY
DEFAULT_PAGE = 10
# No task is scheduled within EDGE_GAP seconds of these ages, so a filter such as "the last
# 12 hours" gives the same tasks whether it is computed a few seconds earlier or later.
EDGES = (3600, 5400, 12 * 3600, DAY, 2 * DAY, LISTED_SPAN)
EDGE_GAP = 300

PLANS = (  # (planName, taskType, weight)
    ("Daily video post", 1, 30), ("US warm-up wave", 2, 22), ("Image set campaign", 3, 12),
    ("Account login batch", 4, 8), ("Profile refresh", 6, 10), ("Custom flow: IG likes", 42, 10),
    ("Night posting EU", 1, 8),
)
PHONES = tuple([f"US-East-{n:02d}" for n in range(1, 13)] + [f"US-West-{n:02d}" for n in
               range(1, 13)] + [f"EU-{n:02d}" for n in range(1, 9)] + ["Lab-01", "Lab-02"])
PROXY_PHONES = ("US-West-03", "US-West-04")  # behind a proxy that keeps failing (29996)
DELETED_PHONE, DELETED_AGO = "EU-05", 3 * DAY  # deleted 3 days ago: its tasks since failed
BALANCE_GONE = (6 * 3600, 10 * 3600)  # ages at which the balance had run out (29997)
FAILURE_TEXT = dict(EXEC_FAILURES) | {
    20116: "video publishing was rejected by TikTok",
    29996: "proxy connection failed",
    29998: "cloud phone deleted",
}
FAILURES = ((20002, 25), (20116, 20), (29999, 15), (21001, 10), (20311, 10), (29997, 5),
            (29996, 5), (20105, 5))  # (failCode, weight) of the everyday failures
BUCKETS = {4: (0, 40), 7: (40, 50), 1: (50, 54), 2: (54, 58), 3: (58, 64)}  # status: nn range


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def _status(rng: random.Random, phone: str, age: float) -> int:
    if age < 1800:  # the last half hour: much of it has not run yet
        return int(_pick(rng, ((1, 40), (2, 30), (3, 20), (4, 10))))
    if phone == DELETED_PHONE and age < DELETED_AGO:
        return 4
    trouble = phone in PROXY_PHONES or BALANCE_GONE[0] < age < BALANCE_GONE[1]
    return int(_pick(rng, ((3, 30), (4, 65), (7, 5)) if trouble else ((3, 62), (4, 26), (7, 12))))


def _failure(rng: random.Random, phone: str, age: float) -> int:
    if phone in PROXY_PHONES and rng.random() < 0.8:
        return 29996
    if phone == DELETED_PHONE and age < DELETED_AGO:
        return 29998
    if BALANCE_GONE[0] < age < BALANCE_GONE[1] and rng.random() < 0.7:
        return 29997
    return int(_pick(rng, FAILURES))


def _age(rng: random.Random) -> float:
    while True:
        age = rng.uniform(60, POPULATION_SPAN)
        if all(abs(age - edge) > EDGE_GAP for edge in EDGES):
            return age


def build_population(size: int, seed: int, anchor: float) -> list[TaskState]:
    """`size` tasks scheduled in the 8 days before `anchor`, newest first (ties by ID)."""
    rng = random.Random(seed)
    tasks: dict[str, TaskState] = {}
    while len(tasks) < size:
        age = _age(rng)
        plan, task_type = _pick(rng, tuple(((p, t), w) for p, t, w in PLANS))
        phone = rng.choice(PHONES)
        status = _status(rng, phone, age)
        low, high = BUCKETS[status]
        task_id = f"58{rng.randrange(10**14):014d}{rng.randrange(low, high):02d}"
        base = initial_state(task_id)
        if task_id in tasks or base.status != status:
            continue
        code = _failure(rng, phone, age) if status == 4 else 0
        tasks[task_id] = replace(
            base, task_type=task_type, plan_name=plan, serial_name=phone,
            env_id=str(7_000_000_000 + PHONES.index(phone)), schedule_at=int(anchor - age),
            fail_code=code, fail_desc=FAILURE_TEXT.get(code, "") if code else "",
            cost=0 if status in (1, 2, 7) else 5 + rng.randrange(300), share_link="")
    return sorted(tasks.values(), key=lambda t: (-t.schedule_at, t.id))


def _item(state: TaskState) -> dict[str, object]:
    item = state.to_json()
    del item["shareLink"]  # historyRecords items are task/query's without shareLink
    return item


def read_body(raw: bytes | None) -> tuple[int, str | None, list[str] | None] | int:
    """(size, lastId, ids) from the body, or the code refusing it."""
    try:
        body = json.loads(raw) if raw is not None else None
    except ValueError:
        return 40001
    if not isinstance(body, dict):
        return 40001
    size, last_id, ids = body.get("size", DEFAULT_PAGE), body.get("lastId"), body.get("ids")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        return 40008
    if last_id is not None and (not isinstance(last_id, str) or not last_id):
        return 40008
    if ids is not None and (not isinstance(ids, list) or len(ids) > MAX_BATCH
                            or not all(isinstance(i, str) for i in ids)):
        return 40004
    return min(size, MAX_BATCH), last_id, ids


class HistoryBook:
    """The population and the paging over it. Answers come one at a time (the simulator holds
    its lock); building the population is safe from any thread."""

    def __init__(self, size: int, seed: int, faults: Mapping[int, str],
                 wall_clock: Callable[[], float]) -> None:
        self.size, self.seed, self.faults, self.wall_clock = size, seed, dict(faults), wall_clock
        self._tasks: list[TaskState] | None = None
        self._build_lock = threading.Lock()
        self._by_id: dict[str, int] = {}
        self._last_page: list[dict[str, object]] = []
        self.requests = 0  # history requests answered (past auth and the rate limit)
        self.pages: list[tuple[str, ...]] = []  # the IDs of each page served, for tests

    @property
    def tasks(self) -> list[TaskState]:
        """The whole population (8 days) in list order; built on first use."""
        with self._build_lock:
            if self._tasks is None:
                tasks = build_population(self.size, self.seed, self.wall_clock())
                self._by_id = {t.id: n for n, t in enumerate(tasks)}
                self._tasks = tasks
        return self._tasks

    def initial(self, task_id: str) -> TaskState | None:
        """A population task as it was before the simulator restarted it; None for others."""
        if self._tasks is None:
            return None
        n = self._by_id.get(task_id)
        return None if n is None else self._tasks[n]

    def listed(self, state_of: Callable[[str], TaskState],
               ids: list[str] | None = None) -> list[TaskState]:
        """Every task historyRecords lists now (the last 7 days), in its order, as it is now."""
        since, wanted = self.wall_clock() - LISTED_SPAN, None if ids is None else set(ids)
        return [state_of(t.id) for t in self.tasks
                if t.schedule_at >= since and (wanted is None or t.id in wanted)]

    def answer(self, trace: str, raw: bytes | None,
               state_of: Callable[[str], TaskState]) -> tuple[Reply, int | None, str | None]:
        """The reply to one request, its code (None without an envelope) and the fault."""
        self.requests += 1
        fault = self.faults.get(self.requests)
        if fault == "5xx":
            return html_reply(502), None, fault
        if fault == "drop":
            return Reply(0, b"", drop=True), None, fault
        if fault == "429":
            return html_reply(429), None, fault
        if fault is not None and fault.isdigit():
            return envelope(trace, int(fault)), int(fault), fault
        body = read_body(raw)
        if isinstance(body, int):
            return envelope(trace, body), body, None
        size, last_id, ids = body
        listed = self.listed(state_of, ids)
        start = 0
        if last_id is not None:
            if last_id not in self._by_id:
                return envelope(trace, 40008), 40008, None
            after = self._by_id[last_id]
            start = next((n for n, t in enumerate(listed) if self._by_id[t.id] > after),
                         len(listed))
        items = [_item(t) for t in listed[start:start + size]]
        if fault == "repeat" and self._last_page:
            items = self._last_page
        elif fault == "short":
            items = items[: len(items) // 2]
        elif fault == "empty":
            items = []
        self._last_page = items
        self.pages.append(tuple(str(i["id"]) for i in items))
        data: dict[str, object] = {"total": len(listed), "items": items}
        if fault == "no_items":
            del data["items"]
        return envelope(trace, 0, data), 0, fault
