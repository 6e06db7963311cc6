"""The few places where the app relies on Textual's private names (tui/lifecycle.py,
tui/terminal.py, tui/base.py, tui/widgets/key_footer.py, tui/widgets/activity_log.py,
tui/widgets/line_cache.py), checked against the installed Textual. pyproject.toml pins the
release range these were checked on; a Textual that renames or reshapes one of them fails
here, with a message naming it, before it fails somewhere less clear."""

from __future__ import annotations

import codecs
import importlib.metadata
import inspect
import tomllib
from collections.abc import Callable
from pathlib import Path

from packaging.requirements import Requirement
from textual.app import App
from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver
from textual.worker import Worker

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"


def parameters(function: Callable[..., object]) -> list[str]:
    return [f"{p.kind.name}:{p.name}" for p in inspect.signature(function).parameters.values()]


def test_the_installed_textual_is_in_the_pinned_range() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    textual = next(Requirement(d) for d in dependencies if Requirement(d).name == "textual")
    installed = importlib.metadata.version("textual")
    assert textual.specifier.contains(installed), (
        f"Textual {installed} is outside the tested range {textual.specifier}: check the "
        "private names below, then widen the pin")
    assert textual.specifier.contains("8.2.8") and not textual.specifier.contains("8.3.0"), (
        "the pin must stay within one minor release: private names can change in any")


def test_crash_handling_hooks_are_there() -> None:
    """lifecycle.LifecycleApp overrides these to show a crash without local variables or
    secrets, and to exit non-zero after a panic."""
    for name, expected in (("_handle_exception", ["POSITIONAL_OR_KEYWORD:self",
                                                   "POSITIONAL_OR_KEYWORD:error"]),
                           ("_fatal_error", ["POSITIONAL_OR_KEYWORD:self"]),
                           ("panic", ["POSITIONAL_OR_KEYWORD:self",
                                      "VAR_POSITIONAL:renderables"]),
                           ("get_driver_class", ["POSITIONAL_OR_KEYWORD:self"])):
        assert hasattr(App, name), f"Textual's App.{name} is gone (tui/lifecycle.py uses it)"
        assert parameters(getattr(App, name)) == expected, (
            f"Textual's App.{name} changed its signature (tui/lifecycle.py overrides it)")
    assert isinstance(inspect.getattr_static(App, "return_code"), property), (
        "Textual's App.return_code is no longer a property (tui/lifecycle.py extends it)")
    assert inspect.iscoroutinefunction(Worker.wait), "Worker.wait is no longer awaitable"


def test_the_driver_names_the_lenient_driver_relies_on() -> None:
    """terminal.LenientLinuxDriver runs Textual's own input loop with one global name
    (`getincrementaldecoder`) meaning a lenient decoder, and wraps the file that the driver
    hands to its output thread (`self._file`)."""
    loop = LinuxDriver.run_input_thread
    assert "getincrementaldecoder" in loop.__code__.co_names, (
        "LinuxDriver.run_input_thread no longer makes its decoder with the global "
        "getincrementaldecoder: see tui/terminal.py")
    assert loop.__code__.co_freevars == () and loop.__closure__ is None, (
        "LinuxDriver.run_input_thread became a closure: tui/terminal.py cannot rebind it")
    assert linux_driver.getincrementaldecoder is codecs.getincrementaldecoder
    assert parameters(LinuxDriver.__init__) == [
        "POSITIONAL_OR_KEYWORD:self", "POSITIONAL_OR_KEYWORD:app", "KEYWORD_ONLY:debug",
        "KEYWORD_ONLY:mouse", "KEYWORD_ONLY:size"], "LinuxDriver.__init__ changed"
    assert "WriterThread(self._file)" in inspect.getsource(LinuxDriver.start_application_mode), (
        "LinuxDriver no longer hands self._file to its output thread: see tui/terminal.py")


def test_the_footer_names_key_footer_relies_on() -> None:
    """widgets/key_footer.KeyFooter sets the Footer's `_bindings_ready` (until it is true the
    Footer's compose draws nothing), overrides `bindings_changed(screen)` and gives compact
    keys (`textual.widgets._footer.FooterKey`) their `-compact` class before they mount."""
    from textual.reactive import Reactive
    from textual.widgets import Footer

    assert isinstance(inspect.getattr_static(Footer, "_bindings_ready"), Reactive), (
        "Textual's Footer._bindings_ready is gone (tui/widgets/key_footer.py sets it)")
    assert parameters(Footer.bindings_changed) == ["POSITIONAL_OR_KEYWORD:self",
                                                   "POSITIONAL_OR_KEYWORD:screen"], (
        "Textual's Footer.bindings_changed changed (tui/widgets/key_footer.py overrides it)")
    from textual.widgets._footer import FooterKey

    assert '"-compact"' in inspect.getsource(FooterKey._watch_compact), (
        "Textual's FooterKey no longer marks compact keys with the -compact class "
        "(tui/widgets/key_footer.py gives it before a key is mounted)")


def test_the_names_activity_log_relies_on() -> None:
    """widgets/activity_log.ActivityLog replaces Widget's `virtual_size` reactive (which RichLog
    sets on each write) with a repaint-only one, and updates the scrollbars itself with
    `_scroll_update(virtual_size)`, and gives RichLog's `_line_cache` a LineCache (its links
    are in LRUCache's `_cache`). tests/tui/test_live_widgets.py checks the behaviour."""
    from textual.reactive import Reactive
    from textual.widget import Widget
    from textual.widgets import RichLog

    assert isinstance(inspect.getattr_static(Widget, "virtual_size"), Reactive), (
        "Textual's Widget.virtual_size is no longer a reactive (tui/widgets/activity_log.py)")
    assert "self.virtual_size = " in inspect.getsource(RichLog.write), (
        "Textual's RichLog.write no longer sets virtual_size (tui/widgets/activity_log.py)")
    assert parameters(Widget._scroll_update) == ["POSITIONAL_OR_KEYWORD:self",
                                                 "POSITIONAL_OR_KEYWORD:virtual_size"], (
        "Textual's Widget._scroll_update changed (tui/widgets/activity_log.py calls it)")
    assert "self._line_cache = LRUCache(" in inspect.getsource(RichLog.__init__), (
        "Textual's RichLog no longer keeps its lines in _line_cache, an LRUCache: "
        "tui/widgets/activity_log.py replaces it with a LineCache")
    from textual.cache import LRUCache

    assert "_cache" in LRUCache.__slots__, (
        "Textual's LRUCache no longer keeps its links in _cache (tui/widgets/line_cache.py)")


def test_the_resize_handler_base_overrides() -> None:
    """tui/base.LaidOutOnceAtItsSize runs before Textual's `Screen._on_resize` (Textual calls
    each class's handler along the MRO) and keeps it from laying out again a screen that is
    already at the event's size, as are the screens under it (`App._background_screens`).
    tests/tui/test_screen_layouts.py checks the behaviour."""
    from textual.screen import Screen

    assert inspect.iscoroutinefunction(Screen._on_resize) and parameters(Screen._on_resize) == [
        "POSITIONAL_OR_KEYWORD:self", "POSITIONAL_OR_KEYWORD:event"], (
        "Textual's Screen._on_resize changed (tui/base.py handles the event before it)")
    assert "self._screen_resized(event.size)" in inspect.getsource(Screen._on_resize), (
        "Textual's Screen._on_resize no longer lays the screen out by _screen_resized")
    assert "self.app._background_screens" in inspect.getsource(Screen._on_resize), (
        "Textual's Screen._on_resize no longer lays out the screens under a dialog "
        "(_background_screens): tui/base.py checks their sizes")
    assert isinstance(inspect.getattr_static(App, "_background_screens"), property), (
        "Textual's App._background_screens is no longer a property (tui/base.py reads it)")
