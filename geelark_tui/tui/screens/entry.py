"""The home screen: paste IDs, see what the parser made of them (ctrl+t lists the tokens it
ignored), pick, rename or delete a recent set, restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Label
from textual.worker import get_current_worker

from geelark_tui.idinput import read_ids_path
from geelark_tui.recentsets import RecentSet
from geelark_tui.tui.base import AppScreen
from geelark_tui.tui.widgets.id_box import IdBox
from geelark_tui.tui.widgets.id_stats import IdStats
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.recent_sets import RecentSets
from geelark_tui.words import plural

if TYPE_CHECKING:
    from geelark_tui.ids import ParsedIds


def parse_ids(text: str) -> ParsedIds:
    """The parser, loaded with the first text to read: not before the first screen is up
    (the app's warm-up thread usually has it loaded by then)."""
    from geelark_tui.ids import parse_ids as parse

    return parse(text)

PARSE_DELAY = 0.08  # seconds of quiet typing before the counts are recomputed
LARGE_TEXT = 200_000  # characters: above this, parse in a thread


class EntryScreen(AppScreen[None]):
    PALETTE_GROUP = "IDs"
    CSS_PATH = None  # the first screen: the app's own stylesheet (app.tcss) is all it needs
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "restart", "Restart", id="entry.restart", priority=True,
                tooltip="Restart the IDs in the box (asks first)"),
        Binding("ctrl+o", "open_file", "Load file", id="entry.open_file",
                tooltip="Load IDs from a text, CSV or JSON file"),
        Binding("ctrl+f", "find", "Find", id="entry.find", priority=True,
                tooltip="Find tasks of the last 7 days and restart them"),
        Binding("ctrl+l", "focus_recent", "Recent", id="entry.recent",
                tooltip="Move to the list of recent ID sets (enter loads one, r renames, "
                        "delete removes)"),
        # Not in the footer: at 80 columns it would push out "f1 Help"; the counts beside the
        # box name the key ("1 token ignored (ctrl+t)"), and help and the palette list it.
        Binding("ctrl+t", "show_ignored", "Ignored", id="entry.ignored", show=False,
                tooltip="List the tokens that were not read as IDs, with the reason"),
        Binding("f2", "app.settings", "Settings", id="entry.settings",
                tooltip="Credentials, API host and pacing"),
        Binding("ctrl+n", "clear", "Clear", id="entry.clear", show=False,
                tooltip="Empty the ID box"),
        Binding("escape", "focus_ids", "To the IDs", id="entry.focus_ids", show=False,
                tooltip="Back to the ID box"),
    ]

    def __init__(self, prefill: str = "") -> None:
        super().__init__(id="entry")
        self._prefill = prefill
        self._parsed: ParsedIds | None = None  # None: the box has held no text yet
        self._parsed_text = ""
        self._timer: Timer | None = None
        self._rerouted: events.Paste | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with Horizontal(id="entry-body"):
            with Vertical(id="entry-main"):
                yield Label("Paste task IDs: a list, CSV, JSON, a ticket…",
                            id="ids-label", markup=False)
                yield IdBox(self._prefill, id="ids", soft_wrap=True, tab_behavior="focus",
                            placeholder="574376043897425896\n574376043897425897\n…")
            with Vertical(id="entry-side"):
                yield Label("What will be sent", classes="side-title")
                yield IdStats(id="id-stats")
                yield Label("Recent sets (ctrl+l) · runs (f4)", classes="side-title")
                yield RecentSets(id="recent")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.refresh_recent()
        self.update_stats()
        area = self.query_one("#ids", IdBox)
        area.focus()
        if self._prefill and self.ctx.demo:
            area.select_all()  # the demo's sample IDs: a paste replaces them

    # -- live counts ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.query_one("#ids", IdBox).ids_text

    @property
    def parsed(self) -> ParsedIds:
        """What the box holds now (parsed here if the counts are not up to date yet)."""
        text = self.text
        if self._parsed is None or self._parsed_text != text:
            self._show_stats(text, parse_ids(text))
        assert self._parsed is not None
        return self._parsed

    def on_text_area_changed(self, event: IdBox.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PARSE_DELAY, self.update_stats)

    def update_stats(self, *, force: bool = False) -> None:
        """Recount now; a big text is parsed in a thread so typing never stalls."""
        text = self.text
        if text == self._parsed_text and not force:
            return
        if len(text) > LARGE_TEXT:
            self._parse_in_thread(text)
        else:
            self._show_stats(text, parse_ids(text))

    @work(thread=True, exclusive=True, group="parse", exit_on_error=False,
          description="read the IDs")
    def _parse_in_thread(self, text: str) -> None:
        parsed = parse_ids(text)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_stats, text, parsed)

    def _show_stats(self, text: str, parsed: ParsedIds) -> None:
        if self.ctx.scrub is not None:  # a credential pasted with the IDs is shown masked
            parsed = parsed.scrubbed(self.ctx.scrub)
        self._parsed_text, self._parsed = text, parsed
        requests = self.ctx.requests_for(parsed.count)
        self.query_one(IdStats).show(parsed, requests)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_ignored":
            return self._parsed is not None and self._parsed.ignored_total > 0
        return True

    def on_paste(self, event: events.Paste) -> None:
        """A paste that did not land in the ID box (the recent list had the focus): into the
        box, never lost, and at its end on a line of its own (the box's cursor, out of
        sight, could be in the middle of an ID)."""
        area = self.query_one("#ids", IdBox)
        if event is self._rerouted or self.focused is area:
            return  # the box had it (a paste bubbles up from it)
        event.stop()
        text = area.ids_text
        joiner = "\n" if text and not text[-1].isspace() else ""
        self._rerouted = events.Paste(joiner + event.text)
        area.focus()
        if not area.holds_large:
            area.move_cursor(area.document.end)
        area.post_message(self._rerouted)

    def refresh_recent(self) -> None:
        self.query_one(RecentSets).set_sets(self.ctx.config.recent)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self.is_active:  # covered again at once (a confirmed run): done when it shows
            return
        self.refresh_recent()
        if self._parsed is not None and self.text == self._parsed_text:
            self._show_stats(self._parsed_text, self._parsed)  # the batch size may have changed
        else:
            self.update_stats()

    def set_text(self, text: str) -> None:
        area = self.query_one("#ids", IdBox)
        area.set_ids_text(text)
        area.focus()
        self.update_stats()

    # -- actions ----------------------------------------------------------------------------

    def on_recent_sets_chosen(self, event: RecentSets.Chosen) -> None:
        if isinstance(event, RecentSets.Edit):
            return
        recent = event.recent

        def load() -> None:
            self.set_text("\n".join(recent.ids))
            self.notify(f"Loaded {recent.name}.", title="Recent set")

        self._replace_box(f"the {plural(recent.id_count, 'ID')} of {recent.name}", load)

    def _replace_box(self, incoming: str, load: Callable[[], None]) -> None:
        """`load` replaces what the box holds; when it holds anything, ask first (what the
        user typed or pasted is never lost unasked). `incoming` says what would take its
        place."""
        if not self.query_one("#ids", IdBox).ids_text.strip():
            load()
            return
        from geelark_tui.tui.screens.yes_no import YesNoScreen

        count = self.parsed.count
        held = plural(count, "ID") if count else "text with no ID in it"
        self.app.push_screen(
            YesNoScreen("Replace what is in the box?",
                        f"The box holds {held}; {incoming} would take its place.",
                        yes="Replace", no="Keep it", dialog_id="replace-ids"),
            lambda replace: load() if replace else None)

    def on_recent_sets_edit(self, event: RecentSets.Edit) -> None:
        from geelark_tui.tui.screens.text_prompt import TextPromptScreen
        from geelark_tui.tui.screens.yes_no import YesNoScreen

        recent = event.recent
        if event.what == "rename":
            current = "" if recent.is_auto_named else recent.name
            self.app.push_screen(
                TextPromptScreen("Rename the set", recent.name if recent.is_auto_named
                                 else f"{recent.name} ({plural(recent.id_count, 'ID')})",
                                 current, placeholder="e.g. Ticket 4711"),
                lambda name: self._rename(recent, name))
        else:
            self.app.push_screen(
                YesNoScreen("Delete this set?", f"{recent.name}\n{recent.id_count:,} IDs. "
                            "Only the entry in the recent list goes; the run log keeps its "
                            "runs.", yes="Delete", dialog_id="delete-set"),
                lambda yes: self._delete(recent) if yes else None)

    def _rename(self, recent: RecentSet, name: str | None) -> None:
        if name is None:
            return
        from geelark_tui.configstore import rename_recent_set  # start-up: when needed

        config = self.ctx.config
        renamed = rename_recent_set(config, recent.key, name)
        self._config_changed(f"Renamed to {name}." if renamed else "The set is gone from "
                             "the list.")

    def _delete(self, recent: RecentSet) -> None:
        from geelark_tui.configstore import delete_recent_set  # start-up: when needed

        delete_recent_set(self.ctx.config, recent.key)
        self._config_changed(f"Deleted {recent.name}.")

    def _config_changed(self, done: str) -> None:
        config = self.ctx.config
        warnings = config.take_warnings()
        for warning in warnings:
            self.notify(warning, title="Config", severity="warning")
        self.refresh_recent()
        self.notify(done, title="Recent sets")

    def action_show_ignored(self) -> None:
        from geelark_tui.tui.screens.ignored import IgnoredScreen  # start-up: when needed

        parsed = self.parsed
        self.app.push_screen(IgnoredScreen(parsed.ignored, parsed.ignored_total))

    def action_focus_recent(self) -> None:
        recent = self.query_one(RecentSets)
        if recent.highlighted is None and recent.option_count:
            recent.highlighted = 0
        recent.focus()

    def action_focus_ids(self) -> None:
        self.query_one("#ids", IdBox).focus()

    def action_clear(self) -> None:
        """Empty the box: undoably (ctrl+z); a large paste, which has no undo, asks first."""
        area = self.query_one("#ids", IdBox)
        if not area.holds_large:
            area.clear()
            area.focus()
            return
        from geelark_tui.tui.screens.yes_no import YesNoScreen

        self.app.push_screen(
            YesNoScreen("Clear the box?", f"It holds {plural(self.parsed.count, 'ID')}, a "
                        "paste too large to edit: clearing it cannot be undone.",
                        yes="Clear", no="Keep them", dialog_id="clear-ids"),
            lambda clear: self.set_text("") if clear else None)

    def action_open_file(self) -> None:
        from geelark_tui.tui.screens.open_file import OpenFileScreen  # start-up: when needed

        self.app.push_screen(OpenFileScreen(), self._load_file)

    def _load_file(self, path: Path | None) -> None:
        if path is not None:
            self._read_file(path)

    @work(thread=True, exclusive=True, group="load-file", exit_on_error=False,
          description="load a file")
    def _read_file(self, path: Path) -> None:
        try:
            text = read_ids_path(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.app.call_from_thread(self.notify, f"Cannot read {path}: {reason}",
                                      title="Load file", severity="error")
            return
        parsed = parse_ids(text)
        self.app.call_from_thread(self._file_read, path, text, parsed)

    def _file_read(self, path: Path, text: str, parsed: ParsedIds) -> None:
        """The file is read: it takes the box's place (asked first unless the box is empty)."""
        self._replace_box(f"the {plural(parsed.count, 'ID')} of {path.name}",
                          lambda: self._file_loaded(path, text, parsed))

    def _file_loaded(self, path: Path, text: str, parsed: ParsedIds) -> None:
        self._show_stats(text, parsed)
        self.set_text(text)
        self.notify(f"{parsed.count:,} IDs from {path.name}.", title="Loaded")

    def action_find(self) -> None:
        from geelark_tui.tui.screens.find import FindScreen

        self.app.push_screen(FindScreen())

    def action_restart(self) -> None:
        from geelark_tui.tui.screens.confirm import ask_to_restart  # start-up: when needed

        parsed = self.parsed
        if not parsed.ids:
            reason = "No valid task ID in the box (an ID is 6 to 24 digits)."
            self.notify(reason, title="Nothing to restart", severity="warning")
            return
        ask_to_restart(self, parsed.ids, parsed.ignored, duplicates=parsed.duplicates,
                       ignored_total=parsed.ignored_total)
