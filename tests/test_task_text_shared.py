"""Text that repeats across tasks (plan, phone, environment, failure) is kept once: a
pre-flight of 100,000 IDs keeps every task it was told about."""

from __future__ import annotations

import json

from geelark_tui.api.client import parse_task


def test_repeated_task_text_is_one_object() -> None:
    item = {"id": "1", "status": 4, "planName": "Daily video post", "serialName": "Phone-0427",
            "envId": "1234567890", "failDesc": "cloud phone failed to start", "shareLink": ""}
    a, b = (parse_task(json.loads(json.dumps({**item, "id": str(n)}))) for n in (1, 2))
    assert a is not None and b is not None
    for name in ("plan_name", "serial_name", "env_id", "fail_desc"):
        assert getattr(a, name) == item[{"plan_name": "planName", "serial_name": "serialName",
                                          "env_id": "envId", "fail_desc": "failDesc"}[name]]
        assert getattr(a, name) is getattr(b, name), name
