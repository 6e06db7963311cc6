"""The ID box: a paste too large to lay out at once is held whole, counted, and shown only in
part (a TextArea lays out every line on the UI thread: 1.4 s for 100,000 IDs)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual import events

from geelark_tui.tui.screens import entry
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.yes_no import YesNoScreen
from geelark_tui.tui.widgets.id_box import LARGE_CHARS, PREVIEW_LINES, IdBox, line_count

from .helpers import make_app, make_config, notifications, tid, wait_for, wait_for_screen


def big_text(n: int, start: int = 0) -> str:
    return "\n".join(f"5743760439{k:08d}" for k in range(start, start + n))


def counts(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#id-counts").render())


async def test_a_large_paste_is_counted_whole_but_not_laid_out() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#ids", IdBox)
        text = big_text(50_000)
        app.post_message(events.Paste(text))
        await wait_for(pilot, lambda: "50,000 unique IDs" in counts(app), timeout=20)
        assert box.ids_text == text  # nothing lost
        assert box.document.line_count <= PREVIEW_LINES + 3  # only the start is laid out
        assert box.read_only and box.holds_large
        shown = box.text
        assert "A large paste: 0.9 MB, 50,000 lines" in shown
        assert "574376043900000000" in shown and "… 49,960 more lines" in shown
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.parsed.count == 50_000


async def test_a_large_paste_with_carriage_returns_counts_and_shows_its_lines() -> None:
    """tmux and many terminals paste line breaks as CR alone."""
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#ids", IdBox)
        app.post_message(events.Paste(big_text(3_000).replace("\n", "\r")))
        await wait_for(pilot, lambda: "3,000 unique IDs" in counts(app))
        assert box.holds_large
        shown = box.text.split("\n")
        assert "A large paste: 57 kB, 3,000 lines." in shown[0]
        assert shown[1:3] == ["574376043900000000", "574376043900000001"]  # a line each
        assert shown[-1] == f"… {3_000 - PREVIEW_LINES:,} more lines"


async def test_a_paste_into_a_large_text_is_added_and_clear_makes_the_box_editable() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#ids", IdBox)
        app.post_message(events.Paste(big_text(2_000)))
        await wait_for(pilot, lambda: "2,000 unique IDs" in counts(app))
        app.post_message(events.Paste(big_text(10, start=2_000)))
        await wait_for(pilot, lambda: "2,010 unique IDs" in counts(app))
        assert box.ids_text == big_text(2_010)  # on a line of its own

        await pilot.press("ctrl+n")  # no undo for a large paste: asked first
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("escape")
        assert box.ids_text == big_text(2_010)
        await pilot.press("ctrl+n")
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "No IDs yet" in counts(app))
        assert not box.read_only and not box.holds_large and box.text == ""
        await pilot.press(*tid(1))
        assert box.text == tid(1)
        await pilot.press("ctrl+n")  # what was typed: cleared at once, and ctrl+z undoes it
        await wait_for(pilot, lambda: "No IDs yet" in counts(app))
        assert box.text == "" and not isinstance(app.screen, YesNoScreen)
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: "1 unique ID" in counts(app))
        assert box.text == tid(1)


async def test_a_paste_that_makes_the_box_large_keeps_what_was_typed_around_it() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#ids", IdBox)
        await pilot.press(*f"{tid(1)} {tid(2)}")
        box.move_cursor((0, len(tid(1)) + 1))  # between the two
        pasted = big_text(2_000) + "\n"
        assert len(pasted) > LARGE_CHARS
        app.post_message(events.Paste(pasted))
        await wait_for(pilot, lambda: box.holds_large)
        assert box.ids_text == f"{tid(1)} {pasted}{tid(2)}"


async def test_a_small_paste_goes_into_the_box_as_typed_text() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#ids", IdBox)
        app.post_message(events.Paste(big_text(100)))
        await wait_for(pilot, lambda: "100 unique IDs" in counts(app))
        assert not box.holds_large and box.text == big_text(100)


async def test_a_large_recent_set_is_held_too() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, EntryScreen)
        screen.set_text(big_text(30_000))
        box = app.query_one("#ids", IdBox)
        assert box.holds_large and box.document.line_count <= PREVIEW_LINES + 3
        await wait_for(pilot, lambda: "30,000 unique IDs" in counts(app), timeout=20)


async def test_typing_into_a_large_text_says_how_to_clear_it() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.Paste(big_text(2_000)))
        box = app.query_one("#ids", IdBox)
        await wait_for(pilot, lambda: box.holds_large)
        await pilot.press("1", "backspace")
        assert box.ids_text == big_text(2_000)
        assert any("ctrl+n clears it" in n for n in notifications(app))


async def test_back_on_the_entry_screen_the_text_is_not_parsed_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[int] = []
    parse = entry.parse_ids

    def counting(text: str) -> object:
        parses.append(len(text))
        return parse(text)

    monkeypatch.setattr(entry, "parse_ids", counting)
    app = make_app(make_config(batch_size=50, preflight=False))
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.Paste(big_text(30_000)))
        await wait_for(pilot, lambda: "30,000 unique IDs → 600 requests" in counts(app), 20)
        parsed = len(parses)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.screen.id == "confirm-screen")
        app.context.config.submit = replace(app.context.config.submit, batch_size=100)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "30,000 unique IDs → 300 requests" in counts(app))
        assert len(parses) == parsed  # the new batch size, from the counts already known


def test_lines_are_counted_as_an_editor_counts_them() -> None:
    """A file of 1,500 lines ends with a line break: 1,500 lines, not 1,501."""
    assert line_count("a\nb\n") == line_count("a\nb") == 2
    assert line_count("a\r\nb\r\n") == line_count("a\rb\r") == 2
    assert line_count("") == 0 and line_count("\n") == 1 and line_count("a\n\nb") == 3
    assert line_count("".join(f"{tid(n)}\n" for n in range(1_500))) == 1_500
