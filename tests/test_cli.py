"""The command line around the engine: --help, `config path|show`, `simulator`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from geelark_tui.cli import main


def test_help_describes_commands_credentials_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0
    for words in ("restart", "simulator", "config", "--demo", "GEELARK_TOKEN", "exit codes"):
        assert words in out


def test_restart_help_lists_the_contract_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["restart", "--help"])
    out = capsys.readouterr().out
    for flag in ("--ids-file", "--format", "--base-url", "--config", "--batch-size",
                 "--concurrency", "--rate-limit", "--timeout", "--preflight"):
        assert flag in out


def test_config_path_follows_flag_then_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(tmp_path / "env.toml"))
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "env.toml")
    assert main(["config", "path", "--config", str(tmp_path / "flag.toml")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "flag.toml")
    monkeypatch.delenv("GEELARK_TUI_CONFIG")
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip().endswith("geelark-tui/config.toml")


def test_config_show_masks_secrets_from_file_and_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[api]\nauth_method = "key"\napp_id = "my-app"\n'
                    'api_key = "file-api-key-0123456789"\n')
    path.chmod(0o600)
    monkeypatch.setenv("GEELARK_TOKEN", "env-token-abcdefghijklmnop")
    assert main(["config", "show", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "file-api-key-0123456789" not in out + err
    assert "env-token-abcdefghijklmnop" not in out + err
    assert "GEELARK_TOKEN" in out  # says where the token in use comes from


def test_simulator_command_prints_a_working_url_and_token() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "geelark_tui", "simulator", "--port", "0"],
                            stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        token_line = proc.stdout.readline()
        url = first.rsplit(" ", 1)[-1].strip()
        token = token_line.split("GEELARK_TOKEN=", 1)[1].strip()
        assert url.startswith("http://127.0.0.1:")
        answer = httpx.post(f"{url}/open/v1/task/restart", json={"ids": ["574376043897425800"]},
                            headers={"Authorization": f"Bearer {token}", "traceId": "abc123"})
        assert answer.json()["code"] == 0
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
