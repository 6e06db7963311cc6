"""No credential in anything the headless command or a crash produces.

A known token and API key are used against the simulator; stdout, stderr, the run log and
the config file are searched for them, and for their first and last 8 characters (a partial
leak: a truncated repr, a wrapped line). Crashes are forced in real processes: the headless
command with a secret in a local variable and in the exception's message; Python's three
hooks (uncaught exception, "exception ignored", a thread's crash); the TUI crashing in a
handler and in a worker (Textual prints tracebacks with local variables unless told not to).

The TUI's screens, exports, notifications and snapshots: tests/tui/test_secrets_tui.py.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import FailureKind, GeeLarkClient, TransportFailure
from geelark_tui.config import load_config
from geelark_tui.connection import ConnectionConfigError, Credentials, validate_base_url
from geelark_tui.redact import MASK, Redactor
from geelark_tui.simulator import Simulator, SimulatorConfig

TOKEN = "sk-TEST-TOKEN-9f8e7d6c5b4a"
API_KEY = "ak-TEST-KEY-0a1b2c3d4e5f"
APP_ID = "app-TEST-4711"
SECRETS = (TOKEN, API_KEY)
IDS = [str(574376043897425800 + n) for n in range(60)]  # every simulator bucket


def fragments(secret: str) -> list[str]:
    return [secret, secret[:8], secret[-8:]]


def leaks(text: str, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    """The secrets (or halves of them) found in ``text``."""
    return [f for s in secrets for f in fragments(s) if f in text]


def assert_clean(text: str, where: str, secrets: tuple[str, ...] = SECRETS) -> None:
    found = leaks(text, secrets)
    assert not found, f"{where} leaks {found}:\n{text[-3000:]}"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    config = SimulatorConfig(token=TOKEN, app_id=APP_ID, api_key=API_KEY, per_minute=0,
                             error_5xx_rate=0.1, drop_rate=0.05, seed=7)
    with Simulator(config) as simulator:
        yield simulator


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEELARK_")}
    env.update(GEELARK_TUI_CONFIG=str(tmp_path / "cfg" / "config.toml"),
               GEELARK_TUI_DATA_DIR=str(tmp_path / "data"), HOME=str(tmp_path),
               COLUMNS="80", TEXTUAL="")
    return env


# -- the headless command ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
@pytest.mark.parametrize("auth", ["token", "key"])
def test_headless_output_log_and_config_hold_no_secret(sim: Simulator, tmp_path: Path,
                                                       auth: str, fmt: str) -> None:
    env = base_env(tmp_path)
    if auth == "token":
        env["GEELARK_TOKEN"] = TOKEN
    else:
        env.update(GEELARK_APP_ID=APP_ID, GEELARK_API_KEY=API_KEY)
    done = subprocess.run(
        [sys.executable, "-m", "geelark_tui", "restart", "--base-url", sim.base_url,
         "--batch-size", "7", "--format", fmt, *IDS],
        env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # some rejected: the run really happened
    assert "restarted" in done.stdout and "40003" not in done.stdout  # the auth worked
    assert_clean(done.stdout, "stdout")
    assert_clean(done.stderr, "stderr")
    log = (tmp_path / "data" / "runs.jsonl").read_text()
    assert json.loads(log)["counts"]["restarted"] > 0
    assert_clean(log, "the run log")
    config = (tmp_path / "cfg" / "config.toml").read_text()
    assert IDS[0] in config  # the set was saved ...
    assert_clean(config, "the config file")  # ... but not the credentials from the env


def test_config_show_masks_the_saved_secrets(tmp_path: Path) -> None:
    config_path = tmp_path / "cfg" / "config.toml"
    config_path.parent.mkdir(mode=0o700)
    config_path.write_text(f'[api]\nauth_method = "key"\ntoken = "{TOKEN}"\n'
                           f'app_id = "{APP_ID}"\napi_key = "{API_KEY}"\n')
    config_path.chmod(0o600)
    done = subprocess.run([sys.executable, "-m", "geelark_tui", "config", "show"],
                          env=base_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and APP_ID in done.stdout
    assert_clean(done.stdout + done.stderr, "config show")


HEADLESS_CRASH = """
    import sys
    from geelark_tui import engine

    async def crash(self):
        token = self.client._http.auth._token  # a local holding the secret ...
        headers = {"Authorization": f"Bearer {token}"}
        raise RuntimeError(f"forced crash with {token}")  # ... and a message quoting it

    engine.RestartRun.run = crash
    from geelark_tui.cli import main
    sys.exit(main(["restart", "--base-url", sys.argv[1], "574376043897425800"]))
"""


def test_a_headless_crash_prints_the_error_but_no_secret(sim: Simulator, tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "GEELARK_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(HEADLESS_CRASH),
                           sim.base_url], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert f"RuntimeError: forced crash with {MASK}" in done.stderr  # still useful
    assert_clean(done.stdout + done.stderr, "a headless crash")


HOOKS = """
    import sys, threading
    from geelark_tui.redact import install_hooks
    token = sys.argv[1]
    install_hooks(lambda: [token])
    kind = sys.argv[2]

    class Leaky:
        def __del__(self):
            raise ValueError(f"cleanup failed for {token}")

    if kind == "unraisable":
        Leaky()
    elif kind == "thread":
        def work():
            raise ValueError(f"thread failed for {token}")
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    else:
        raise ValueError(f"uncaught with {token}")
"""


@pytest.mark.parametrize("kind", ["uncaught", "unraisable", "thread"])
def test_pythons_own_reports_are_scrubbed(tmp_path: Path, kind: str) -> None:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(HOOKS), TOKEN, kind],
                          env=base_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert "ValueError" in done.stderr and MASK in done.stderr, done.stderr
    assert_clean(done.stderr, f"the {kind} report", (TOKEN,))


# -- a credential that cannot be sent -------------------------------------------------------------

async def test_an_unsendable_token_never_reaches_an_error_message() -> None:
    """h11 refuses a header value with a line break and quotes it in its error: the client
    must neither pass that message on nor treat the request as maybe sent."""
    bad = TOKEN[:10] + "\n" + TOKEN[10:]
    with Simulator(SimulatorConfig(token=TOKEN)) as simulator:
        async with GeeLarkClient(simulator.base_url, TokenAuth(bad)) as client:
            with pytest.raises(TransportFailure) as caught:
                await client.restart(["574376043897425800"])
    failure = caught.value
    assert failure.kind is FailureKind.CONFIG  # nothing was sent; nothing will work
    assert_clean(str(failure) + failure.message, "the failure", (TOKEN, bad))
    assert "line break" in failure.message


@pytest.mark.parametrize("bad", [TOKEN[:10] + "\n" + TOKEN[10:], TOKEN + "\x00", TOKEN + "é"])
def test_credentials_with_unsendable_characters_are_refused_without_quoting(bad: str) -> None:
    with pytest.raises(ConnectionConfigError) as caught:
        Credentials("token", token=bad).auth()
    assert_clean(str(caught.value), "the refusal", (TOKEN, bad))
    assert Credentials("token", token=TOKEN).auth() is not None


def test_no_httpx_error_carries_the_authorization_header() -> None:
    """httpx's own errors name the URL, never the request's headers."""
    request = httpx.Request("POST", "https://openapi.geelark.com/open/v1/task/restart",
                            headers={"Authorization": f"Bearer {TOKEN}"})
    errors = [cls("failed", request=request) for cls in (
        httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError,
        httpx.WriteError, httpx.PoolTimeout, httpx.ConnectTimeout)]
    response = httpx.Response(500, request=request)
    errors.append(httpx.HTTPStatusError("failed", request=request, response=response))
    for error in errors:
        assert_clean(str(error) + repr(error) + repr(request) + repr(response),
                     type(error).__name__)


# -- the redactor ----------------------------------------------------------------------------------

def test_redactor_scrubs_text_data_and_terminal_escapes() -> None:
    redactor = Redactor(lambda: [TOKEN, "short"])
    assert redactor.scrub(f"a {TOKEN} b") == f"a {MASK} b"
    assert redactor.scrub("short stays") == "short stays"  # too short to hide usefully
    split = f"{TOKEN[:5]}\x1b[1;31m{TOKEN[5:12]}\x1b[0m{TOKEN[12:]}"  # colours inside it
    assert redactor.scrub(split) == MASK
    data = {"headers": [("Authorization", f"Bearer {TOKEN}")], TOKEN: 1}
    assert leaks(json.dumps(redactor.scrub_data(data)), (TOKEN,)) == []


def test_environment_credentials_are_secrets_even_when_unused(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setenv("GEELARK_API_KEY", API_KEY)
    assert Redactor().scrub(f"key={API_KEY}") == f"key={MASK}"


# -- the TUI crashing ------------------------------------------------------------------------

TUI_CRASH = """
    import asyncio, sys
    from dataclasses import replace
    from textual.widgets import Input
    from geelark_tui.config import load_config, resolve_config_path
    from geelark_tui.configstore import save_config
    from geelark_tui.tui.app import GeeLarkApp
    from geelark_tui.context import AppContext

    token, typed, where = sys.argv[1], sys.argv[2], sys.argv[3]
    config = load_config(resolve_config_path(None))
    config.api = replace(config.api, auth_method="token", token=token)
    save_config(config)

    def crash(app):
        secret = app.context.config.api.token  # locals holding every secret ...
        headers = {"Authorization": f"Bearer {secret}"}
        typed_value = app.screen.query_one("#token", Input).value
        raise RuntimeError(f"forced crash: {secret} / {typed_value}")  # ... and the message

    async def in_a_worker(app):
        await asyncio.sleep(0)
        crash(app)

    def go(app):
        app.screen.query_one("#token", Input).value = typed  # typed in Settings, not saved
        if where == "worker":
            app.run_worker(in_a_worker(app), exit_on_error=True)
        elif where == "panic":  # whatever else Textual prints at exit goes through a filter
            app.panic(f"forced crash: {app.context.config.api.token} / {typed}")
        else:
            crash(app)

    original = GeeLarkApp._after_first_paint

    def after_first_paint(self):
        original(self)
        self.action_settings()
        self.set_timer(0.3, lambda: go(self))

    GeeLarkApp._after_first_paint = after_first_paint
    app = GeeLarkApp(AppContext(config))
    app.run(headless=True, size=(100, 30))
    sys.exit(app.return_code)
"""


@pytest.mark.parametrize("where", ["handler", "worker", "panic"])
def test_a_tui_crash_shows_the_error_without_locals_or_secrets(tmp_path: Path, where: str
                                                               ) -> None:
    typed = "sk-TYPED-NOT-SAVED-1234567"
    done = run_python_args(TUI_CRASH, [TOKEN, typed, where], base_env(tmp_path))
    output = done.stdout + done.stderr
    assert f"forced crash: {MASK} / {MASK}" in output, output
    assert done.returncode == 1, output  # a crash never exits 0, a panic included
    if where != "panic":
        assert "Traceback" in output and "RuntimeError" in output  # still useful
    assert "locals" not in output  # Textual's default would print each frame's variables
    assert_clean(output, f"a crash in a {where}", (TOKEN, typed))
    saved = load_config(tmp_path / "cfg" / "config.toml")
    assert saved.api.token == TOKEN  # the typed one was never saved; both were secrets


def run_python_args(code: str, args: list[str], env: dict[str, str]
                    ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], env=env,
                          capture_output=True, text=True, timeout=60)


# -- TLS -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://openapi.geelark.com", "http://10.0.0.5:8080",
                                 "http://127.0.0.1.example.com", "ftp://127.0.0.1"])
def test_plain_http_is_refused_unless_loopback(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConnectionConfigError):
        validate_base_url(url)
    for command in (["restart", "574376043897425800"], []):  # headless, and the TUI
        done = subprocess.run([sys.executable, "-m", "geelark_tui", *command, "--base-url", url],
                              env={**base_env(tmp_path), "GEELARK_TOKEN": TOKEN},
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode in (2, 3), done.stderr  # refused before any request
        assert_clean(done.stdout + done.stderr, "the refusal")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:9",
                                 "http://[::1]:8080", "https://openapi.geelark.com"])
def test_https_or_loopback_is_accepted(url: str) -> None:
    assert validate_base_url(url) == url


def test_tls_verification_is_never_switched_off() -> None:
    """No code path turns certificate checks off, and the client's context checks both the
    chain and the host name. (The config file's 0600 mode: test_config.py.)"""
    package = Path(__file__).resolve().parent.parent / "geelark_tui"
    for path in package.rglob("*.py"):
        code = path.read_text()
        for bad in ("verify=False", "CERT_NONE", "check_hostname = False",
                    "_create_unverified_context", "verify_mode"):
            assert bad not in code, f"{path.name} has {bad}"
    client = GeeLarkClient("https://openapi.geelark.com", TokenAuth(TOKEN))
    context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_a_credential_pasted_with_the_ids_is_ignored_masked(sim: Simulator,
                                                            tmp_path: Path) -> None:
    """A ticket's curl line quotes the token in use: it is an ignored token, printed on
    stderr and listed in the output's "invalid", as [secret hidden]."""
    env = base_env(tmp_path)
    env.update(GEELARK_TOKEN=TOKEN, GEELARK_API_KEY=API_KEY)
    ids_file = tmp_path / "ticket.txt"
    ids_file.write_text(f'curl -H "Authorization: Bearer {TOKEN}" ...\n'
                        f"apiKey: {API_KEY}\nGEELARK_TOKEN={TOKEN}\n{IDS[1]}\n")
    done = subprocess.run(
        [sys.executable, "-m", "geelark_tui", "restart", "--base-url", sim.base_url,
         "--ids-file", str(ids_file), "--format", "json"],
        env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert_clean(done.stdout, "stdout")
    assert_clean(done.stderr, "stderr")
    invalid = [t["token"] for t in json.loads(done.stdout)["invalid"]]
    assert f"{MASK}\"" in invalid and MASK in invalid and f"GEELARK_TOKEN={MASK}" in invalid
    assert f"ignored 'GEELARK_TOKEN={MASK}'" in done.stderr
