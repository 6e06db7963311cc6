"""The ticket reply: a short summary of a result set to paste back into the support ticket.

Plain text that is also Markdown: the totals by outcome on one line, then the IDs grouped by
what to do next (the same hint the grid's NEXT STEP column shows), each group headed by that
hint and by what its IDs got (outcome, code and meaning). Never a secret: it holds only IDs,
counts, codes and the code catalogue's words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from geelark_tui.api.codes import describe
from geelark_tui.api.models import IdResult, Outcome, Task
from geelark_tui.report import hint_for
from geelark_tui.tracker import outcome_word

_ORDER = {outcome: n for n, outcome in enumerate(Outcome)}


def totals_line(results: Sequence[IdResult]) -> str:
    """``3 restarted, 2 rejected, 1 not sent``: every outcome some ID has, restarted always."""
    counts = Counter(r.outcome for r in results)
    return ", ".join(f"{counts[o]:,} {outcome_word(o)}" for o in Outcome
                     if counts[o] or o is Outcome.RESTARTED)


def _what(outcome: Outcome, code: int | None, count: int) -> str:
    text = f"{count:,} {outcome_word(outcome)}"
    if code is not None and not (outcome is Outcome.RESTARTED and code == 0):
        text += f", {code} {describe(code).meaning}"
    return text


def ticket_reply(results: Sequence[IdResult], *, title: str = "",
                 latest: Mapping[str, Task] | None = None) -> str:
    """The reply for ``results`` (one per ID); ``title`` names the set (e.g. a ticket);
    ``latest``: the newest fact about each task (following, a re-check), which the next
    steps follow (a restarted task that failed again is not "nothing to do")."""
    n = len(results)
    head = title or f"Restart of {n:,} GeeLark task{'s' if n != 1 else ''}"
    lines = [f"{head}: {totals_line(results)}."]
    groups: dict[str, list[IdResult]] = {}
    for result in results:
        task = latest.get(result.id) if latest else None
        groups.setdefault(hint_for(result, task=task), []).append(result)

    def rank(hint: str) -> tuple[int, int]:
        return min((_ORDER[r.outcome], -1 if r.code is None else r.code) for r in groups[hint])

    for hint in sorted(groups, key=rank):
        members = groups[hint]
        kinds = Counter((r.outcome, r.code) for r in members)
        what = "; ".join(_what(outcome, code, count) for (outcome, code), count in
                         sorted(kinds.items(), key=lambda kv: (_ORDER[kv[0][0]],
                                                               kv[0][1] or 0)))
        lines += ["", f"**{hint}** {what}:", *(f"- {r.id}" for r in members)]
    return "\n".join(lines) + "\n"
