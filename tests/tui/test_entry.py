"""The entry screen: live counts, recent sets, loading a file, the confirmation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual import events
from textual.widgets import Input, Static, TextArea

from geelark_tui.configstore import record_recent_set, update_recent_counts
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.open_file import OpenFileScreen
from geelark_tui.tui.screens.progress import ProgressScreen
from geelark_tui.tui.screens.yes_no import YesNoScreen

from .helpers import make_app, make_config, notifications, tid, wait_for, wait_for_screen


def stats_text(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    counts = screen.query_one("#id-counts", Static).render()
    ignored = screen.query_one("#id-ignored", Static).render()
    return f"{counts}\n{ignored}"


async def test_paste_updates_the_counts() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        assert "No IDs yet" in stats_text(app)
        app.post_message(events.Paste(f"{tid(1)}, {tid(2)}\n{tid(1)} 12345 57437604389742589x"))
        await wait_for(pilot, lambda: "2 unique IDs" in stats_text(app))
        text = stats_text(app)
        assert "1 request" in text
        assert "1 duplicate dropped" in text
        assert "2 tokens ignored" in text
        assert "12345: too short: 5 digits" in text
        assert "57437604389742589x: not an ID: contains letters" in text
        assert app.query_one("#ids", TextArea).text.count(tid(1)) == 2  # pasted once


async def test_typing_updates_the_counts() -> None:
    app = make_app(make_config(batch_size=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"123456 234567 345678")
        await wait_for(pilot, lambda: "3 unique IDs → 2 requests" in stats_text(app))


async def test_choosing_a_recent_set_loads_it() -> None:
    config = make_config()
    older = record_recent_set(config, [tid(1), tid(2)], now=datetime(2026, 1, 2, tzinfo=UTC))
    update_recent_counts(config, older.key, {"restarted": 1, "rejected": 1})
    record_recent_set(config, [tid(3)], now=datetime(2026, 1, 3, tzinfo=UTC))
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")  # to the list: the most recent set first
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.query_one("#ids", TextArea).text != "")
        assert app.query_one("#ids", TextArea).text.split() == [tid(1), tid(2)]
        await wait_for(pilot, lambda: "2 unique IDs" in stats_text(app))
        assert app.focused is app.query_one("#ids", TextArea)


async def test_choosing_a_recent_set_over_ids_in_the_box_asks_first() -> None:
    config = make_config()
    record_recent_set(config, [tid(3)], now=datetime(2026, 1, 3, tzinfo=UTC))
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        box = app.query_one("#ids", TextArea)
        await pilot.press(*f"{tid(1)} {tid(2)}")
        await wait_for(pilot, lambda: "2 unique IDs" in stats_text(app))
        await pilot.press("ctrl+l", "enter")
        await wait_for_screen(pilot, app, YesNoScreen)
        assert "The box holds 2 IDs; the 1 ID of" in str(
            app.screen.query_one(".dialog-body", Static).render())
        await pilot.press("escape")  # keep them
        await wait_for_screen(pilot, app, EntryScreen)
        assert box.text == f"{tid(1)} {tid(2)}"
        await pilot.press("ctrl+l", "enter")
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("enter")  # replace
        await wait_for(pilot, lambda: box.text == tid(3))
        box.load_text("ticket 4711: the IDs are in the attachment")  # text, but no ID
        await pilot.press("ctrl+l", "enter")
        await wait_for_screen(pilot, app, YesNoScreen)
        assert "The box holds text with no ID in it; the 1 ID of" in str(
            app.screen.query_one(".dialog-body", Static).render())
        await pilot.press("escape")
        await wait_for_screen(pilot, app, EntryScreen)
        assert box.text == "ticket 4711: the IDs are in the attachment"


async def test_load_ids_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(f"Task ID,plan\n{tid(5)},a\n{tid(6)},b\n", encoding="utf-8")
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OpenFileScreen)
        app.screen.query_one("#open-path", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "2 unique IDs" in stats_text(app))
        assert "read as CSV" in stats_text(app)


async def test_loading_a_file_over_ids_in_the_box_asks_first(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text(f"{tid(5)}\n{tid(6)}\n", encoding="utf-8")
    typed = f"{tid(1)}\n{tid(2)}\n{tid(3)}"
    app = make_app(make_config(), prefill=typed)
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.screen.query_one("#ids", TextArea)
        for answer, expected in (("escape", typed), ("enter", f"{tid(5)}\n{tid(6)}\n")):
            await pilot.press("ctrl+o")
            app.screen.query_one("#open-path", Input).value = str(path)
            await pilot.press("enter")
            await wait_for_screen(pilot, app, YesNoScreen)
            assert "holds 3 IDs" in str(app.screen.query_one(".dialog-body").render())
            await pilot.press(answer)
            await wait_for(pilot, lambda e=expected: area.text == e)  # type: ignore[misc]


async def test_load_a_missing_file_is_a_notification(tmp_path: Path) -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(tmp_path / "nope.txt")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("Cannot read" in n
                                          for n in notifications(app)))
        assert isinstance(app.screen, EntryScreen)


async def test_restart_with_no_ids_says_so() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        assert any("No valid task ID" in n for n in notifications(app))


async def test_confirmation_states_the_plan_and_escape_cancels() -> None:
    ids = [tid(n) for n in range(25)]
    app = make_app(make_config(batch_size=10, preflight=False), prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        screen = app.screen
        assert isinstance(screen, RestartConfirmScreen)
        body = str(screen.query_one(".dialog-body", Static).render())
        assert "IDs:       25" in body
        assert "3 restart requests of up to 10 IDs" in body
        assert "openapi.geelark.com" in body
        assert "bearer token" in body
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        assert not any(isinstance(s, ProgressScreen) for s in app.screen_stack)


async def test_no_credentials_opens_settings_on_restart() -> None:
    config = make_config(token="")
    app = make_app(config, prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        from geelark_tui.tui.screens.settings import SettingsScreen

        await wait_for_screen(pilot, app, SettingsScreen)  # first run: opens there
        await pilot.press("escape")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert any("no credentials" in n for n in notifications(app))


async def test_a_big_paste_is_counted_without_blocking() -> None:
    text = "\n".join(f"id {n} 5743760438974{n:05d}" for n in range(30_000))
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.Paste(text))
        await wait_for(pilot, lambda: "30,000 unique IDs" in stats_text(app), timeout=20)
        assert "30,001 tokens ignored" in stats_text(app)  # the numbers, and "id"
        assert "… and 29,951 more" in stats_text(app)


async def test_path_completion(tmp_path: Path) -> None:
    (tmp_path / "ids-monday.txt").write_text(tid(1))
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        field = app.screen.query_one("#open-path", Input)
        field.value = f"{tmp_path}/ids"
        await pilot.press("-", "m")
        # The completion is looked up in a worker and offered when it is ready.
        await wait_for(pilot, lambda: not any(w.node is field for w in app.workers))
        await pilot.pause()
        await pilot.press("tab")
        assert field.value == str(tmp_path / "ids-monday.txt")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "1 unique ID " in stats_text(app))


def toasts(app: object) -> str:
    """The notifications on screen (the app runs with ``notifications=True``)."""
    return "\n".join(str(toast.render()) for toast in app.screen.query("Toast"))  # type: ignore[attr-defined]


async def test_a_paste_over_the_input_cap_is_refused_and_the_box_kept() -> None:
    from geelark_tui.limits import MAX_INPUT_BYTES

    app = make_app(make_config(), prefill=f"{tid(1)}\n{tid(2)}")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: "2 unique IDs" in stats_text(app))
        app.post_message(events.Paste(tid(3) + "\n" + "5" * MAX_INPUT_BYTES))
        await wait_for(pilot, lambda: "Paste refused" in toasts(app))
        assert "over the 64 MiB limit for ID input" in toasts(app)
        assert "the box is unchanged" in toasts(app)
        assert app.query_one("#ids", TextArea).text == f"{tid(1)}\n{tid(2)}"
        app.post_message(events.Paste(f"{tid(4)}\n"))  # a paste under the cap still works
        await wait_for(pilot, lambda: "3 unique IDs" in stats_text(app))


async def test_load_a_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "from-notepad.txt"
    path.write_bytes(f"{tid(5)}\r\n{tid(6)}\r\n".encode("utf-16"))
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "2 unique IDs" in stats_text(app))
        screen = app.screen
        assert isinstance(screen, EntryScreen)
        assert screen.parsed.ids == (tid(5), tid(6)) and not screen.parsed.ignored_total


async def test_load_a_spreadsheet_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "ids.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)))
    app = make_app(make_config(), prefill=tid(1))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Cannot read" in toasts(app))
        assert "spreadsheet" in toasts(app) and "export it as CSV" in toasts(app)
        assert app.query_one("#ids", TextArea).text == tid(1)
