"""TaskDetail: the pane under the results grid for the row under the cursor: what happened (the
outcome, the code's meaning, the server's message), what to do next, the answers of every run
of the set when it was retried, and (expanded) the task itself: type, phone, plan, status,
scheduled time in local time, and the task's own failure with its meaning. One line each, cut
to the width."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from geelark_tui.api.codes import describe
from geelark_tui.api.models import IdResult
from geelark_tui.report import hint_for
from geelark_tui.resultset import Answer
from geelark_tui.task_info import BEFORE_THE_RUN, TaskInfo, task_lines
from geelark_tui.tracker import outcome_word
from geelark_tui.words import OUTCOME_SYMBOLS

LABEL_W = 9  # "Failure: "


def printable(value: str) -> str:
    """One line with no control characters (server text never reaches the terminal raw)."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def label_cell(label: str) -> str:
    return f"{label}:".ljust(LABEL_W) if label else ""


def answer_text(result: IdResult) -> str:
    """``✘ rejected 48000``: an outcome with its code."""
    code = "" if result.code is None or result.code == 0 else f" {result.code}"
    return f"{OUTCOME_SYMBOLS[result.outcome]} {outcome_word(result.outcome)}{code}"


def what_happened(result: IdResult) -> str:
    """The first line: the ID, its outcome, the code's meaning and the server's message."""
    text = f"{result.id}: {answer_text(result)}"
    meaning = describe(result.code).meaning if result.code else ""
    if meaning:
        text += f" {meaning}"
    if result.message and result.message.casefold() not in (
            meaning.casefold(), result.outcome.value, outcome_word(result.outcome)):
        text += f" · {result.message}"
    return text


def runs_text(answers: tuple[Answer, ...]) -> str:
    """``first run ✘ rejected 40017 → retry 1 ✔ restarted``."""
    text = " → ".join(f"{a.run} {answer_text(a.result)}" for a in answers)
    return text + (" (not in a later run)" if len(answers) == 1 else "")


class TaskDetail(Widget):
    """Two lines (the result) or five (the result and its task), per `expanded`."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"task-detail--label"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._result: IdResult | None = None
        self._info = TaskInfo("unknown")
        self._answers: tuple[Answer, ...] | None = None  # None: the set was run once
        self.expanded = True

    def show(self, result: IdResult | None, info: TaskInfo,
             answers: tuple[Answer, ...] | None = None) -> None:
        """``answers``: every run's answer for the row, once the set has been run again."""
        self._result, self._info, self._answers = result, info, answers
        self.set_class(answers is not None, "-runs")
        self.refresh(layout=True)

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.set_class(not expanded, "-brief")
        self.refresh(layout=True)

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) per line; the first has no label."""
        result = self._result
        if result is None:
            return []
        info = self._info
        # What a lookup after the run found is the latest fact; the pre-flight's is the
        # status the result carries already.
        latest = info.task if info.source != BEFORE_THE_RUN else None
        lines = [("", what_happened(result)), ("Next", hint_for(result, task=latest))]
        if self._answers is not None:
            lines.append(("Runs", runs_text(self._answers)))
        if self.expanded:
            lines.extend(task_lines(self._info))
        return lines

    def plain(self) -> str:
        """What the pane shows, as plain text."""
        return "\n".join(label_cell(label) + printable(value) for label, value in self.lines())

    def render(self) -> Text:
        label_style = self.get_component_rich_style("task-detail--label")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, (label, value) in enumerate(self.lines()):
            if n:
                text.append("\n")
            text.append(label_cell(label), label_style)
            text.append(printable(value))
        return text
