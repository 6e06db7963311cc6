"""The base URL: one rule for every source, and an unusable one stops the run, never a switch
to another server. The TUI side is in tests/tui/test_settings.py."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from geelark_tui.cli import main
from geelark_tui.config import load_config
from geelark_tui.configstore import record_recent_set, save_config
from geelark_tui.connection import ConnectionConfigError, resolve_base_url, validate_base_url
from geelark_tui.settings import DEFAULT_BASE_URL, SubmitSettings, check_base_url
from geelark_tui.simulator import Simulator, SimulatorConfig

ID = "574376043897425800"  # restarted by the simulator


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(per_minute=0, query_faults=False)) as s:
        yield s


def bad_urls(port: int) -> dict[str, str]:
    """Unusable values that all point at the simulator, so a request would show up there."""
    return {"no scheme": f"127.0.0.1:{port}", "ftp": f"ftp://127.0.0.1:{port}",
            "no colon": f"http//127.0.0.1:{port}"}


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("url", ["127.0.0.1:18080", "ftp://127.0.0.1", "http//127.0.0.1:1",
                                 "", "https://", "http://example.com", "https://a b.com",
                                 "https://user:pw@openapi.geelark.com", "https://h:99999",
                                 "http://[::1", "https://h.com?x=1", "https://h..com"])
def test_unusable_base_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_base_url(url)
    assert str(caught.value)  # a reason the user can act on
    with pytest.raises(ConnectionConfigError, match="from GEELARK_BASE_URL"):
        validate_base_url(url, "GEELARK_BASE_URL")


@pytest.mark.parametrize("url", ["https://openapi.geelark.com/", "HTTPS://openapi.geelark.cn",
                                 "http://127.0.0.1:8080", "http://localhost:9",
                                 "http://[::1]:8080", " https://proxy.example.com/geelark/ "])
def test_usable_base_urls_pass_without_their_trailing_slash(url: str) -> None:
    assert check_base_url(url) == url.strip().rstrip("/")


URLISH = st.builds(lambda scheme, rest: scheme + rest,
                   st.sampled_from(["https://", "http://", "HTTP://", "http://127.0.0.1",
                                    "https://h.com", "ftp://", "http//", ""]),
                   st.text(st.characters(codec="utf-8"), max_size=30)
                   | st.from_regex(r"[a-z0-9.:\[\]@/?#%_-]{0,30}", fullmatch=True))


@given(URLISH)
@example("http://127.0.0.10")
def test_what_the_rule_accepts_the_http_client_uses_as_it_is(text: str) -> None:
    """One rule is enough: nothing it lets through is refused or reinterpreted later."""
    try:
        url = check_base_url(text)
    except ValueError:
        return
    parsed = httpx.URL(url)
    assert parsed.scheme in ("http", "https") and parsed.host
    # plain http:// only to this machine (all of 127.0.0.0/8 and ::1 are loopback)
    assert parsed.scheme == "https" or parsed.host == "localhost" or \
        ipaddress.ip_address(parsed.host).is_loopback
    assert not parsed.userinfo and not parsed.query and not parsed.fragment


# ---------------------------------------------------------------- loading and writing


def test_an_unusable_url_from_the_environment_is_kept_and_names_its_source(
        tmp_path: Path) -> None:
    config = load_config(tmp_path / "config.toml", env={"GEELARK_BASE_URL": "127.0.0.1:18080"})
    assert config.warnings == []  # not "ignored": the run stops where the URL is used
    assert config.api.base_url == "127.0.0.1:18080"
    with pytest.raises(ConnectionConfigError) as caught:
        resolve_base_url(None, config)
    assert "'127.0.0.1:18080' from GEELARK_BASE_URL must start with https://" in str(caught.value)
    assert resolve_base_url("https://openapi.geelark.cn", config) == "https://openapi.geelark.cn"


def test_an_unusable_url_in_the_file_survives_loading_and_every_write(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[api]\nbase_url = "ftp://10.0.0.1"\ntoken = "t"\n')
    path.chmod(0o600)
    config = load_config(path, env={})
    assert config.warnings == [] and config.api.base_url == "ftp://10.0.0.1"
    with pytest.raises(ConnectionConfigError) as caught:
        resolve_base_url(None, config)
    assert f"'ftp://10.0.0.1' from {path} (api.base_url)" in str(caught.value)
    record_recent_set(config, ["123456789"])
    config.submit = SubmitSettings(batch_size=9)
    assert save_config(config)
    doc = tomllib.loads(path.read_text())
    assert doc["api"]["base_url"] == "ftp://10.0.0.1" and doc["submit"]["batch_size"] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "config.toml.lock"]


def test_a_base_url_that_is_not_text_is_reported_and_never_becomes_the_default(
        tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[api]\nbase_url = 8080\n")
    config = load_config(path, env={})
    assert any("api.base_url = 8080 must be a string" in w for w in config.warnings)
    with pytest.raises(ConnectionConfigError, match="'8080' from"):
        resolve_base_url(None, config)
    assert config.api.base_url != DEFAULT_BASE_URL


# ---------------------------------------------------------------- `geelark-tui restart`


@pytest.fixture
def no_request_anywhere(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request this process tries, refused before it leaves: none may go anywhere."""
    tried: list[str] = []

    async def refuse(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        tried.append(str(request.url))
        raise httpx.ConnectError("this test sends nothing", request=request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", refuse)
    return tried


@pytest.mark.parametrize("source", ["env: no scheme", "env: ftp", "env: no colon",
                                    "file: no scheme", "file: ftp"])
def test_restart_with_an_unusable_base_url_exits_3_and_sends_nothing(
    source: str, sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], no_request_anywhere: list[str],
) -> None:
    where, kind = source.split(": ")
    url = bad_urls(sim.port)[kind]
    path = tmp_path / "config.toml"
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(path))
    monkeypatch.setenv("GEELARK_TUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEELARK_TOKEN", "demo-token")
    if where == "env":
        monkeypatch.setenv("GEELARK_BASE_URL", url)
    else:
        path.write_text(f'[api]\nbase_url = "{url}"\n\n[ui]\ntheme = "nord"\n')
        path.chmod(0o600)
    before = path.read_bytes() if path.exists() else None
    code = main(["restart", ID, "--format", "json"])
    out, err = capsys.readouterr()
    named = "GEELARK_BASE_URL" if where == "env" else f"{path} (api.base_url)"
    assert code == 3
    assert f"error: base URL {url!r} from {named} " in err
    assert json.loads(out)["results"][0]["outcome"] == "not_sent"
    assert no_request_anywhere == [] and sim.requests == []
    assert (path.read_bytes() if path.exists() else None) == before  # no set recorded either
    assert not (tmp_path / "data").exists()  # and no run logged


def test_a_good_flag_overrides_an_unusable_file_value_which_survives_the_run(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[api]\nbase_url = "openapi.geelark.com"\n')
    path.chmod(0o600)
    monkeypatch.setenv("GEELARK_TOKEN", "demo-token")
    monkeypatch.setenv("GEELARK_TUI_DATA_DIR", str(tmp_path / "data"))
    code = main(["restart", ID, "--config", str(path), "--base-url", sim.base_url])
    assert code == 0, capsys.readouterr().err
    doc = tomllib.loads(path.read_text())
    assert doc["recent"]["sets"][0]["ids"] == [ID]  # the run recorded its set...
    assert doc["api"]["base_url"] == "openapi.geelark.com"  # ...and kept the user's value


class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that counts connections and closes them (a dead proxy)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.count = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.count += 1
            conn.close()


def test_restart_in_a_real_process_sends_nothing_anywhere(sim: Simulator, tmp_path: Path) -> None:
    """Every proxy variable points at a counter: a request to any host would reach it."""
    counter = ConnectionCounter()
    proxy = f"http://127.0.0.1:{counter.port}"
    url = f"127.0.0.1:{sim.port}"
    config = tmp_path / "config.toml"
    env = {**os.environ, "GEELARK_TOKEN": "demo-token", "GEELARK_BASE_URL": url,
           "GEELARK_TUI_CONFIG": str(config), "GEELARK_TUI_DATA_DIR": str(tmp_path / "data"),
           "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "ALL_PROXY": proxy, "NO_PROXY": ""}
    try:
        done = subprocess.run([sys.executable, "-m", "geelark_tui", "restart", ID], env=env,
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    finally:
        counter.server.close()
    assert done.returncode == 3, done.stderr
    assert f"error: base URL {url!r} from GEELARK_BASE_URL must start with https://" in done.stderr
    assert "ignored" not in done.stderr
    assert counter.count == 0 and sim.requests == []
    assert not config.exists()
