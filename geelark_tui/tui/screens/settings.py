"""Settings: credentials (masked, with a reveal toggle), base URL, pacing; save; test connection.

Values that come from the environment (``GEELARK_*``) or from ``--base-url`` are shown as such,
used, and never written to the file. Escape with unsaved edits asks before dropping them;
errors name the fields as the form does ("Per minute must be…").
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import ClassVar

import httpx
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from geelark_tui.api.client import GeeLarkClient, TransportFailure
from geelark_tui.api.codes import describe
from geelark_tui.api.endpoints import KNOWN_HOSTS
from geelark_tui.configstore import save_config
from geelark_tui.connection import (
    ConnectionConfigError,
    Credentials,
    validate_base_url,
)
from geelark_tui.context import display_path
from geelark_tui.settings import ApiSettings, SubmitSettings
from geelark_tui.tui.base import AppScreen
from geelark_tui.tui.screens.yes_no import YesNoScreen
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.tick_box import TickBox

PROBE_ID = "100000000000000000"  # task/query for an ID that does not exist: changes nothing
HOST_NAMES = {KNOWN_HOSTS[0]: "openapi.geelark.com (international)",
              KNOWN_HOSTS[1]: "openapi.geelark.cn (China)"}
OTHER_HOST = "other"

FIRST_RUN = """\
Welcome. To restart tasks, geelark-tui needs your GeeLark API credentials: a token, or an \
app ID with its API key. The GeeLark desktop client shows them in its settings, on the API \
(Open API) page. Paste them below and press ctrl+s to save. On a server you can set \
GEELARK_TOKEN (or GEELARK_APP_ID and GEELARK_API_KEY) instead. To look around without an \
account, run: geelark-tui --demo"""

NUMBERS = (  # (field id, SubmitSettings field, label, range shown)
    ("batch-size", "batch_size", "Batch size", "IDs per request, 1 to 100"),
    ("concurrency", "concurrency", "Concurrency", "requests at once, 1 to 20"),
    ("per-minute", "per_minute", "Per minute", "most requests a minute, 1 to 200"),
)


class SettingsScreen(AppScreen[bool]):
    """Dismisses with True when settings were saved."""

    PALETTE_GROUP = "Settings"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="settings.save", priority=True,
                tooltip="Save to the config file"),
        Binding("ctrl+t", "test", "Test connection", id="settings.test", priority=True,
                tooltip="One harmless lookup: do these credentials work?"),
        Binding("f3", "reveal", "Show secrets", id="settings.reveal",
                tooltip="Show or hide the token and API key"),
        Binding("escape", "back", "Back", id="settings.back",
                tooltip="Leave without saving (asks when something was edited)"),
    ]

    def __init__(self, *, first_run: bool = False, problem: str | None = None) -> None:
        super().__init__(id="settings")
        self.first_run = first_run
        self.problem = problem  # e.g. an unusable base URL: shown at the top until fixed
        self._as_opened: tuple[object, ...] = ()  # the form when it opened

    # -- layout -----------------------------------------------------------------------------

    def _field(self, label: str, widget: Input | Select[str], note: str = "") -> ComposeResult:
        with Horizontal(classes="field", id=f"field-{widget.id}"):
            yield Label(label, classes="field-label")
            yield widget
            if note:
                yield Static(note, classes="field-note", markup=False)

    def _input(self, value: str, id: str, *, password: bool = False, env: str = "",
               kind: str = "text") -> Input:
        field = Input(value if not env else "", id=id, password=password, compact=True,
                      type=kind,  # type: ignore[arg-type]
                      placeholder=f"from ${env}: used, never saved" if env else "")
        field.disabled = bool(env)
        return field

    def compose(self) -> ComposeResult:
        config, env = self.ctx.config, self.ctx.config.env_sources
        api, submit = config.api, config.submit
        yield from self.compose_header()
        with VerticalScroll(id="settings-form"):
            if self.problem:
                yield Static(self.problem, id="settings-problem", markup=False)
            if self.first_run:
                yield Static(FIRST_RUN, id="first-run", markup=False)
            if self.ctx.demo:
                where = "a temporary demo file: your real config is untouched"
            else:
                written = config.path.exists()
                where = display_path(config.path) + ("" if written else " (not written yet)")
            yield Static(f"Config file: {where} · ctrl+s saves", id="settings-path",
                         markup=False)
            yield Label("Authentication", classes="section")
            with RadioSet(id="auth-method", compact=True, disabled="auth_method" in env):
                yield RadioButton("Token", value=api.auth_method == "token", id="method-token")
                yield RadioButton("App ID + API key", value=api.auth_method == "key",
                                  id="method-key")
            yield from self._field("Token", self._input(api.token, "token", password=True,
                                                        env=env.get("token", "")))
            yield from self._field("App ID", self._input(api.app_id, "app-id",
                                                         env=env.get("app_id", "")))
            yield from self._field("API key", self._input(api.api_key, "api-key", password=True,
                                                          env=env.get("api_key", "")))
            yield TickBox("Show secrets (f3)", id="reveal", compact=True)
            yield Label("Connection", classes="section")
            url = self.ctx.base_url_flag or api.base_url
            url_env = "--base-url" if self.ctx.base_url_flag else env.get("base_url", "")
            options = [(name, host) for host, name in HOST_NAMES.items()]
            options.append(("other: type it below", OTHER_HOST))
            host = Select(options, value=url if url in HOST_NAMES else OTHER_HOST,
                          allow_blank=False, compact=True, id="host", disabled=bool(url_env))
            yield from self._field("API host", host)
            base = self._input(url, "base-url")
            base.disabled = bool(url_env)
            yield from self._field("Base URL", base,
                                   f"set by {url_env} for this session" if url_env else "")
            yield Label("Pacing", classes="section")
            for field_id, name, label, note in NUMBERS:
                number = self._input(str(getattr(submit, name)), field_id, kind="integer")
                number.add_class("number")
                yield from self._field(label, number, note)
            yield Label("Before a run", classes="section")
            yield TickBox("Pre-flight lookup before restarting", value=submit.preflight,
                          id="preflight", compact=True)
            yield Static("Looks every ID up first and restarts only the failed and cancelled "
                         "tasks; the confirmation can include the rest on purpose.",
                         id="preflight-note", markup=False)
            yield Static("", id="test-result", markup=False)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self._show_method()
        first = next((w for w in self.query(Input) if not w.disabled), None)
        base_url = self.query_one("#base-url", Input)
        if self.problem and not self.first_run and not base_url.disabled:
            first = base_url
        if first is not None:
            # Not scrolled to: on a first run the welcome above it is read first (at 80x24,
            # scrolling the token field into view cut it mid-sentence).
            first.focus(scroll_visible=False)
        self.call_after_refresh(self._remember_form)

    def _remember_form(self) -> None:
        self._as_opened = self.form_state()

    def form_state(self) -> tuple[object, ...]:
        """Everything the form would save (not the reveal toggle)."""
        fields = tuple(w.value for w in self.query(Input))
        return (*fields, self.method, self.query_one("#preflight", Checkbox).value)

    @property
    def edited(self) -> bool:
        return bool(self._as_opened) and self.form_state() != self._as_opened

    # -- reactions --------------------------------------------------------------------------

    @property
    def method(self) -> str:
        pressed = self.query_one("#auth-method", RadioSet).pressed_button
        return "key" if pressed is not None and pressed.id == "method-key" else "token"

    def _show_method(self) -> None:
        key = self.method == "key"
        self.set_class(key, "-key-auth")
        self.set_class(not key, "-token-auth")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._show_method()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "host" and event.value in HOST_NAMES:
            self.query_one("#base-url", Input).value = str(event.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "reveal":
            for field in self.query("#token, #api-key").results(Input):
                field.password = not event.value

    def action_reveal(self) -> None:
        box = self.query_one("#reveal", Checkbox)
        box.value = not box.value

    def action_back(self) -> None:
        if not self.edited:
            self.dismiss(False)
            return
        self.app.push_screen(
            YesNoScreen("Discard your changes?", "Some settings were edited and not saved. "
                        "Discard them, or keep editing (ctrl+s saves).", yes="Discard",
                        no="Keep editing", dialog_id="discard"),
            self._discard)

    def _discard(self, discard: bool | None) -> None:
        if discard:
            self.dismiss(False)

    # -- reading the form -------------------------------------------------------------------

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def collect(self) -> tuple[ApiSettings, SubmitSettings]:
        """The settings in the form; ValueError (or ConnectionConfigError) says what is wrong."""
        config, env = self.ctx.config, self.ctx.config.env_sources
        values: dict[str, str] = {}
        for name, field_id in (("token", "token"), ("app_id", "app-id"), ("api_key", "api-key")):
            if name not in env:
                values[name] = self._value(field_id)
        if "auth_method" not in env:
            values["auth_method"] = self.method
        if not self.ctx.base_url_flag and "base_url" not in env:
            values["base_url"] = validate_base_url(self._value("base-url"))
        api = replace(config.api, **values)  # type: ignore[arg-type]
        submit = replace(config.submit, preflight=self.query_one("#preflight", Checkbox).value)
        for field_id, name, label, note in NUMBERS:
            text = self._value(field_id)
            if not text.isdigit():
                raise ValueError(f"{label}: {note}")
            try:
                submit = replace(submit, **{name: int(text)})  # type: ignore[arg-type]
            except ValueError as exc:  # "submit.per_minute must be…": say it as the form does
                reason = str(exc).removeprefix(f"submit.{name} ")
                raise ValueError(f"{label} {reason}") from None
        return api, submit

    def form_credentials(self, api: ApiSettings) -> Credentials:
        return Credentials(api.auth_method, token=api.token, app_id=api.app_id,
                           api_key=api.api_key)

    # -- save and test ----------------------------------------------------------------------

    def action_save(self) -> None:
        try:
            api, submit = self.collect()
        except (ValueError, ConnectionConfigError) as exc:
            self.notify(str(exc), title="Not saved", severity="error")
            return
        config = self.ctx.config
        config.api, config.submit = api, submit
        saved = save_config(config)
        warnings = config.take_warnings()
        for warning in warnings:
            self.notify(warning, title="Config", severity="warning")
        if saved:
            self.notify(f"Saved to {display_path(config.path)}.", title="Settings")
        elif not warnings:  # the reason was given once already
            self.notify("Not saved: these settings last until the app exits.",
                        title="Settings", severity="warning")
        self.gapp.settings_changed()
        self.dismiss(True)

    def action_test(self) -> None:
        try:
            api, _submit = self.collect()
            base_url = self.ctx.base_url_flag or api.base_url
            auth = self.form_credentials(api).auth()
        except (ValueError, ConnectionConfigError) as exc:
            self._show_test(str(exc), ok=False)
            return
        self._show_test(f"Testing {base_url} …", ok=None)
        self._test(base_url, auth)

    @work(exclusive=True, group="test-connection", exit_on_error=False,
          description="test the connection")
    async def _test(self, base_url: str, auth: httpx.Auth) -> None:
        started = time.monotonic()
        try:
            async with GeeLarkClient(base_url, auth, timeout=15.0) as client:
                answer = await client.query([PROBE_ID])
        except TransportFailure as failure:
            self._show_test(f"Could not test: {failure.message}", ok=False)
            return
        except Exception as exc:  # e.g. an unusable URL: say so, never crash
            self._show_test(f"Could not test: {exc}", ok=False)
            return
        took = (time.monotonic() - started) * 1000
        code = answer.envelope.code
        if code == 0:
            self._show_test(f"✔ The credentials work ({client.host} answered in "
                            f"{took:.0f} ms).", ok=True)
        else:
            info = describe(code)
            self._show_test(f"✘ {client.host} answered {code}: {info.meaning}. {info.hint}",
                            ok=False)

    def _show_test(self, text: str, *, ok: bool | None) -> None:
        result = self.query_one("#test-result", Static)
        result.update(text)
        result.set_class(ok is True, "-ok")
        result.set_class(ok is False, "-error")
        result.scroll_visible()
