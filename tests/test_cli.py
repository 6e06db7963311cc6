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


@pytest.mark.parametrize(("flag", "value", "words"), [
    ("--concurrency", "1000", "from 1 to 20"),
    ("--concurrency", "0", "from 1 to 20"),
    ("--rate-limit", "100000", "from 1 to 200"),
    ("--batch-size", "101", "from 1 to 100"),
    ("--timeout", "100000", "at most 300"),
    ("--concurrency", "ten", "not a whole number"),
])
def test_pacing_flags_are_bounded_as_the_config_is(
    flag: str, value: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["restart", flag, value, "574376043897425896"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert flag in err and words in err


def _restart_to(stdout: int, tmp_path: Path, sim_url: str, *extra: str
                ) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GEELARK_TOKEN": "demo-token",
           "GEELARK_TUI_CONFIG": str(tmp_path / "c.toml"),
           "GEELARK_TUI_DATA_DIR": str(tmp_path / "d")}
    return subprocess.run(
        [sys.executable, "-m", "geelark_tui", "restart", "--base-url", sim_url, *extra,
         "574376043897425800", "574376043897425801"],
        env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=60)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("run_log", ["writable", "unwritable"])
def test_a_stdout_that_cannot_be_written_has_its_own_exit_code(tmp_path: Path,
                                                               run_log: str) -> None:
    """The one line on stderr says where the results are: the run log, or (when it could not
    be written either) nowhere, never pointing at a file that does not have them."""
    from geelark_tui.simulator import Simulator

    if run_log == "unwritable":
        (tmp_path / "d").write_text("a file where the data folder should be")
    with Simulator() as sim, open("/dev/full", "wb") as full:
        done = _restart_to(full.fileno(), tmp_path, sim.base_url, "--format", "json")
        assert sim.restart_counts  # a real run, not an early exit
    err = done.stderr.decode()
    assert done.returncode == 4, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if "cannot write the result" in line]
    assert len(lines) == 1 and "No space left on device" in lines[0]
    if run_log == "writable":
        assert lines[0].endswith(f"the run log has it: {tmp_path / 'd' / 'runs.jsonl'}")
    else:
        assert "could not write the run log" in err
        assert lines[0].endswith("the run log does not have it either: this run's results "
                                 "are lost")


def test_a_closed_stdout_has_its_own_exit_code(tmp_path: Path) -> None:
    from geelark_tui.simulator import Simulator

    read, write = os.pipe()
    os.close(read)  # nobody reads: writing raises BrokenPipeError
    with Simulator() as sim:
        done = _restart_to(write, tmp_path, sim.base_url)
    os.close(write)
    err = done.stderr.decode()
    assert done.returncode == 4, err
    assert "Traceback" not in err and "cannot write the result" in err


def test_a_stdout_closed_at_start_has_its_own_exit_code(tmp_path: Path) -> None:
    """`geelark-tui restart … >&-`: Python starts with no sys.stdout at all."""
    from geelark_tui.simulator import Simulator

    env = {**os.environ, "GEELARK_TOKEN": "demo-token",
           "GEELARK_TUI_CONFIG": str(tmp_path / "c.toml"),
           "GEELARK_TUI_DATA_DIR": str(tmp_path / "d")}
    with Simulator() as sim:
        done = subprocess.run(
            f"{sys.executable} -m geelark_tui restart --base-url {sim.base_url} "
            "574376043897425801 >&-", shell=True, env=env, stderr=subprocess.PIPE,
            text=True, timeout=60)
        assert sim.restart_counts
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr and "cannot write the result" in done.stderr


def test_include_all_implies_preflight(tmp_path: Path) -> None:
    from geelark_tui.simulator import Simulator

    with Simulator() as sim:
        done = _restart_to(subprocess.PIPE, tmp_path, sim.base_url, "--include-all",
                           "--format", "json")
        assert any(r.path.endswith("/task/query") for r in sim.requests)
    assert b"--include-all implies --preflight" in done.stderr
    assert b'"status"' in done.stdout


def test_simulator_on_a_port_in_use_says_so_in_one_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "geelark_tui", "simulator", "--port",
                               str(port)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_connection_flags_count_before_the_command_too(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`geelark-tui --base-url X restart …` must not send to the config file's server."""
    from geelark_tui.simulator import Simulator

    config = tmp_path / "config.toml"
    monkeypatch.setenv("GEELARK_TOKEN", "demo-token")
    monkeypatch.setenv("GEELARK_TUI_DATA_DIR", str(tmp_path / "d"))
    with Simulator() as configured, Simulator() as chosen:
        config.write_text(f'[api]\nbase_url = "{configured.base_url}"\n')
        flags = ["--base-url", chosen.base_url, "--config", str(config)]
        args = ([*flags, "restart"] if where == "before" else ["restart", *flags])
        code = main([*args, "574376043897425801", "--format", "json"])
        assert code == 0, capsys.readouterr().err
        assert chosen.restart_counts and not configured.requests
    capsys.readouterr()
    assert main(["--config", str(tmp_path / "other.toml"), "config", "path"]) == 0
    assert capsys.readouterr().out.strip().endswith("other.toml")
