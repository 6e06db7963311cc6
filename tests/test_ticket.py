"""The ticket reply: totals by outcome, then the IDs grouped by what to do next."""

from __future__ import annotations

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.ticket import ticket_reply, totals_line

R, J, N, U, S = (Outcome.RESTARTED, Outcome.REJECTED, Outcome.NOT_SENT, Outcome.UNKNOWN,
                 Outcome.SKIPPED)


def tid(n: int) -> str:
    return f"5743760438974258{n:02d}"


RESULTS = [
    IdResult(tid(1), R, 0, "restarted"),
    IdResult(tid(2), J, 48002, "task does not exist"),
    IdResult(tid(3), R, 0, "restarted"),
    IdResult(tid(4), N, 40017, "not sent: server kept answering 40017"),
    IdResult(tid(5), J, 48001, "status does not allow it", 3),  # completed: nothing to do
    IdResult(tid(6), N, None, "not sent: stopped by the user"),
    IdResult(tid(7), U, None, "HTTP 502; lookup failed"),
]


def test_the_reply_groups_ids_by_next_step() -> None:
    text = ticket_reply(RESULTS, title="Ticket 4711")
    assert text.splitlines()[0] == ("Ticket 4711: 2 restarted, 2 rejected, 2 not sent, "
                                    "1 unknown.")
    blocks = text.strip().split("\n\n")[1:]
    assert blocks[0] == f"**Nothing to do.** 2 restarted:\n- {tid(1)}\n- {tid(3)}"
    assert blocks[1].startswith("**It completed: nothing to restart, it ran.** 1 rejected, "
                                "48001 task status does not allow retry")
    assert blocks[2] == ("**Check the ID: a typo, another account, or older than retention.** "
                         f"1 rejected, 48002 task does not exist:\n- {tid(2)}")
    # Both not-sent IDs have the same next step: one group, both reasons said.
    assert blocks[3] == ("**Safe to re-submit once the cause is fixed.** 1 not sent; "
                         "1 not sent, 40017 too many requests, try later:\n"
                         f"- {tid(4)}\n- {tid(6)}")
    assert blocks[4].startswith("**Check the task before re-submitting")
    assert len(blocks) == 5
    assert text.count("- 57437604389742") == len(RESULTS)  # every ID exactly once


def test_totals_line_uses_words_and_thousands() -> None:
    many = [IdResult(f"{n:018d}", N, None, "x") for n in range(1234)]
    assert totals_line(many) == "0 restarted, 1,234 not sent"
    assert ticket_reply(many).startswith("Restart of 1,234 GeeLark tasks: 0 restarted, "
                                         "1,234 not sent.")
