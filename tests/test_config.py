"""The per-user TOML config: location, validation, safe writes, broken files, secrets, recents."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geelark_tui import configstore, recentsets, settings
from geelark_tui.config import load_config, render_config_for_show, resolve_config_path
from geelark_tui.configstore import record_recent_set, save_config
from geelark_tui.settings import ApiSettings, SubmitSettings, mask_secret

TOKEN = "tok-FILE-0123456789abcdef"
ENV_TOKEN = "tok-ENV-fedcba9876543210"
ENV_KEY = "key-ENV-0011223344556677"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ids(prefix: int, n: int = 3) -> list[str]:
    return [str(prefix * 10**12 + i) for i in range(n)]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "geelark-tui" / "config.toml"


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)  # the most permissive umask must not leak anything either
    yield
    os.umask(old)


def write(path: Path, text: str | bytes, perms: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    path.chmod(perms)


def asides(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".broken-*"))


# ---------------------------------------------------------------- location


def test_path_flag_then_env_then_platformdirs(tmp_path: Path, _isolated_user_dirs: Path) -> None:
    env = {"GEELARK_TUI_CONFIG": str(tmp_path / "env.toml")}
    assert resolve_config_path(tmp_path / "flag.toml", env) == tmp_path / "flag.toml"
    assert resolve_config_path(None, env) == tmp_path / "env.toml"
    default = resolve_config_path(None, {})
    assert default.name == "config.toml" and default.parent.name == "geelark-tui"
    assert default.is_relative_to(_isolated_user_dirs)  # conftest: never the real home


def test_missing_file_gives_defaults_without_warnings(path: Path) -> None:
    config = load_config(path, env={})
    assert config.warnings == [] and not path.exists()
    assert config.submit == SubmitSettings() and config.api == ApiSettings()
    assert config.recent == [] and config.max_recent == 20


# ---------------------------------------------------------------- safe writes


def test_save_creates_0600_file_in_0700_dir(path: Path, umask_zero: None) -> None:
    config = load_config(path, env={})
    config.submit = SubmitSettings(batch_size=50)
    assert save_config(config)
    assert mode(path.parent) == 0o700 and mode(path) == 0o600
    assert mode(path.with_name("config.toml.lock")) == 0o600
    assert load_config(path, env={}).submit.batch_size == 50


def test_no_file_is_ever_readable_by_others_during_a_write(
        path: Path, umask_zero: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int]] = []

    def look() -> None:
        for entry in path.parent.iterdir():
            seen.append((entry.name, mode(entry)))

    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        look()
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        look()
        real_replace(src, dst)
        look()

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    config = load_config(path, env={})
    record_recent_set(config, ids(1))
    record_recent_set(config, ids(2))
    assert any(name.endswith(".tmp") for name, _ in seen)  # the temp file was looked at
    assert seen and all(m & 0o077 == 0 for _, m in seen), seen


class Crash(BaseException):
    """Stands for the process dying: nothing may catch it."""


def test_crash_between_temp_write_and_replace_keeps_old_file(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(path, env={})
    record_recent_set(config, ids(1))
    before = path.read_bytes()

    def crash(src: Any, dst: Any) -> None:
        raise Crash

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(Crash):
        record_recent_set(config, ids(2))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.toml", "config.toml.lock"]


def test_killed_writer_leaves_old_file_and_next_save_sweeps_its_temp(path: Path) -> None:
    config = load_config(path, env={})
    record_recent_set(config, ids(1))
    before = path.read_bytes()
    script = ("import os, sys; from pathlib import Path\n"
              "from geelark_tui import config as c, configstore as s\n"
              "os.replace = lambda a, b: os._exit(9)\n"
              "s.record_recent_set(c.load_config(Path(sys.argv[1]), env={}), ['123456789'])\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert done.returncode == 9
    assert path.read_bytes() == before
    litter = list(path.parent.glob(".config.toml.*.tmp"))
    assert len(litter) == 1 and mode(litter[0]) == 0o600
    record_recent_set(load_config(path, env={}), ids(3))
    assert not list(path.parent.glob(".config.toml.*.tmp"))


def test_loose_permissions_are_reported_and_fixed_by_the_next_save(path: Path) -> None:
    write(path, f'[api]\ntoken = "{TOKEN}"\n', perms=0o644)
    config = load_config(path, env={})
    assert any(str(path) in w and "0644" in w for w in config.warnings)
    assert save_config(config)
    assert mode(path) == 0o600


def test_unknown_keys_are_kept(path: Path) -> None:
    write(path, '[api]\nfuture_knob = 3\n\n[plugins]\nname = "x"\n\n'
                '[[recent.sets]]\nname = "mine"\nsaved_at = 2026-11-01T10:00:00Z\n'
                'ids = ["123456789"]\nnote = "keep me"\n')
    config = load_config(path, env={})
    assert any("api.future_knob" in w for w in config.warnings)
    record_recent_set(config, ids(7))
    doc = tomllib.loads(path.read_text())
    assert doc["api"]["future_knob"] == 3 and doc["plugins"] == {"name": "x"}
    assert doc["recent"]["sets"][1]["note"] == "keep me"
    assert not asides(path)  # unknown keys are not damage


def test_symlinked_config_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "geelark.toml"
    write(real, "[ui]\ntheme = \"nord\"\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    record_recent_set(load_config(link, env={}), ids(1))
    assert link.is_symlink() and "recent" in tomllib.loads(real.read_text())


# ---------------------------------------------------------------- broken files

BROKEN = {
    "garbage": ('[api\nbase_url = "https://x"\n', "line 1"),
    "binary": (bytes(range(256)) * 4, "line"),
    "wrong type": ('[submit]\nbatch_size = "lots"\nconcurrency = 4\n', "submit.batch_size"),
    "out of range": ("[submit]\nbatch_size = 500\n", "submit.batch_size"),
    "url not text": ("[api]\nbase_url = 8080\n", "api.base_url"),  # an unusable string is kept
    "bad recent set": ("[[recent.sets]]\nname = 1\nids = 5\n", "recent.sets #1"),
    "section not a table": ('submit = "fast"\n', "submit"),
}


@pytest.mark.parametrize("content,where", BROKEN.values(), ids=list(BROKEN))
def test_broken_file_runs_on_defaults_and_is_kept_before_the_next_save(
        path: Path, content: str | bytes, where: str) -> None:
    write(path, content)
    original = path.read_bytes()
    config = load_config(path, env={})  # never raises
    assert any(str(path) in w and where in w for w in config.warnings), config.warnings
    assert config.submit.batch_size == 100
    assert path.read_bytes() == original  # loading never touches it
    record_recent_set(config, ids(1))
    (aside,) = asides(path)
    assert aside.read_bytes() == original and mode(aside) == 0o600
    assert any(str(aside) in w for w in config.take_warnings())
    doc = tomllib.loads(path.read_text())
    assert doc["recent"]["sets"][0]["ids"] == ids(1)
    record_recent_set(config, ids(2))  # fixed now: no second copy
    assert len(asides(path)) == 1


def test_valid_values_survive_next_to_a_bad_one(path: Path) -> None:
    write(path, '[submit]\nbatch_size = "lots"\nconcurrency = 4\n')
    config = load_config(path, env={})
    assert config.submit.concurrency == 4 and config.submit.batch_size == 100


def test_a_secret_of_the_wrong_type_is_not_echoed(path: Path) -> None:
    write(path, "[api]\ntoken = 98765432109876\n")
    warnings = load_config(path, env={}).warnings
    assert any("api.token" in w for w in warnings)
    assert not any("98765432109876" in w for w in warnings)


def test_settings_validate_on_construction() -> None:
    with pytest.raises(ValueError, match=r"submit\.batch_size"):
        SubmitSettings(batch_size=0)
    with pytest.raises(ValueError, match=r"api\.auth_method"):
        ApiSettings(auth_method="password")  # type: ignore[arg-type]
    assert SubmitSettings(timeout=5).timeout == 5.0


def _read_only(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file creation in the config dir fails as on a read-only mount (works as root)."""
    real_open = os.open

    def open_(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT and Path(file).parent == path.parent:
            raise OSError(30, "Read-only file system", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


def test_read_only_dir_runs_and_warns_once(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(path, '[ui]\ntheme = "nord"\n')
    _read_only(path, monkeypatch)
    config = load_config(path, env={})
    assert config.ui.theme == "nord"
    first = record_recent_set(config, ids(1))
    record_recent_set(config, ids(2))
    config.submit = SubmitSettings(batch_size=10)
    assert not save_config(config)
    warnings = config.take_warnings()
    assert len(warnings) == 1 and warnings[0].startswith("settings cannot be saved")
    assert [r.ids for r in config.recent] == [tuple(ids(2)), first.ids]  # kept for the session
    assert path.read_text() == '[ui]\ntheme = "nord"\n'
    monkeypatch.undo()  # writable again: what was kept in memory is written
    record_recent_set(config, ids(3))
    doc = tomllib.loads(path.read_text())
    assert [s["ids"] for s in doc["recent"]["sets"]] == [ids(3), ids(2), ids(1)]
    assert doc["submit"]["batch_size"] == 100  # settings are written only by save_config
    assert save_config(config)
    assert load_config(path, env={}).submit.batch_size == 10


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_dir_for_real(path: Path) -> None:
    write(path, "")
    path.parent.chmod(0o500)
    try:
        config = load_config(path, env={})
        record_recent_set(config, ids(1))
        assert any("cannot be saved" in w for w in config.warnings)
    finally:
        path.parent.chmod(0o700)


# ---------------------------------------------------------------- paths that are not files

# Loads, records a set, saves and counts in a child process, so that a read that blocks (a FIFO)
# fails the test on its timeout instead of hanging the suite.
NOT_A_FILE_SCRIPT = """
import json, sys
from pathlib import Path
from geelark_tui.config import load_config
from geelark_tui.configstore import record_recent_set, save_config, update_recent_counts
config = load_config(Path(sys.argv[1]), env={})
loaded = config.take_warnings()
recent = record_recent_set(config, ["123456789", "123456790"])
saved = save_config(config)
update_recent_counts(config, recent.key, {"restarted": 2})
print(json.dumps({"loaded": loaded, "later": config.take_warnings(), "saved": saved,
                  "recent": [list(r.ids) for r in config.recent], "theme": config.ui.theme}))
"""


def _make_special(kind: str, where: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A path of the given kind in ``where``; for a link, the link to one."""
    target = where / ("target" if kind.startswith("link") else "config.toml")
    if kind in ("fifo", "link to fifo"):
        os.mkfifo(target)
    elif kind == "socket":
        monkeypatch.chdir(where)  # a socket path must be short: bind a relative name
        server = socket.socket(socket.AF_UNIX)
        server.bind(target.name)
        server.close()  # the socket file stays
    elif kind == "directory":
        target.mkdir()
    elif kind == "character device":  # a second /dev/null, made with mknod (root only)
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    if kind.startswith("link"):
        (where / "config.toml").symlink_to(target)
    return where / "config.toml"


SPECIAL = {"fifo": ("a FIFO", stat.S_ISFIFO), "link to fifo": ("a FIFO", stat.S_ISFIFO),
           "socket": ("a socket", stat.S_ISSOCK), "directory": ("a directory", stat.S_ISDIR),
           "character device": ("a character device", stat.S_ISCHR)}


@pytest.mark.parametrize("kind", list(SPECIAL))
def test_a_path_that_is_not_a_regular_file_is_read_without_blocking_and_never_written(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if kind == "character device" and os.geteuid() != 0:
        pytest.skip("mknod needs root")
    where = tmp_path / "conf"
    where.mkdir()
    path = _make_special(kind, where, monkeypatch)
    before = sorted(p.name for p in where.iterdir())
    done = subprocess.run([sys.executable, "-c", NOT_A_FILE_SCRIPT, str(path)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    name, is_kind = SPECIAL[kind]
    (warning,) = result["loaded"]  # said once, when loading; never "chmod 600" on it
    assert str(path) in warning and name in warning and "not a regular file" in warning
    assert "chmod" not in warning and "broken" not in warning
    assert result["later"] == [] and result["saved"] is False  # no second warning
    assert result["recent"] == [["123456789", "123456790"]]  # kept for the session
    assert result["theme"] == "textual-dark"  # the defaults
    assert is_kind(os.stat(path).st_mode)  # still what it was (through the link)
    assert sorted(p.name for p in where.iterdir()) == before  # no lock, temp or kept-aside file


def test_a_symlink_to_a_regular_file_is_read_and_written_through_the_link(
        tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "geelark.toml"
    write(real, '[ui]\ntheme = "nord"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    config = load_config(link, env={})
    assert config.ui.theme == "nord" and config.warnings == []
    config.submit = SubmitSettings(batch_size=7)
    assert save_config(config) and link.is_symlink()
    assert tomllib.loads(real.read_text())["submit"]["batch_size"] == 7


# ---------------------------------------------------------------- secrets


def test_env_token_wins_and_is_never_written(path: Path) -> None:
    write(path, f'[api]\nauth_method = "key"\ntoken = "{TOKEN}"\napp_id = "app1"\n')
    config = load_config(path, env={"GEELARK_TOKEN": ENV_TOKEN,
                                    "GEELARK_BASE_URL": "http://127.0.0.1:9/"})
    assert config.api.token == ENV_TOKEN and config.api.auth_method == "token"
    assert config.api.base_url == "http://127.0.0.1:9" and config.env_credentials
    config.ui = settings.UiSettings(theme="nord")
    save_config(config)
    record_recent_set(config, ids(1))
    text = path.read_text()
    assert ENV_TOKEN not in text and "127.0.0.1" not in text
    doc = tomllib.loads(text)
    assert doc["api"]["token"] == TOKEN and doc["api"]["auth_method"] == "key"
    assert doc["ui"]["theme"] == "nord"
    assert config.api.token == ENV_TOKEN  # still in use after the save


def test_env_app_key_pair_wins_and_is_never_written(path: Path) -> None:
    config = load_config(path, env={"GEELARK_APP_ID": "envapp", "GEELARK_API_KEY": ENV_KEY})
    assert (config.api.auth_method, config.api.app_id, config.api.api_key) == (
        "key", "envapp", ENV_KEY)
    assert save_config(config)
    assert ENV_KEY not in path.read_text() and "envapp" not in path.read_text()
    half = load_config(path, env={"GEELARK_API_KEY": ENV_KEY})
    assert half.api.api_key == "" and any("GEELARK_APP_ID" in w for w in half.warnings)


def test_credentials_typed_in_the_app_are_saved(path: Path) -> None:
    config = load_config(path, env={})
    config.api = ApiSettings(token=TOKEN)
    assert save_config(config)
    assert load_config(path, env={}).api.token == TOKEN and mode(path) == 0o600


def test_config_show_never_prints_a_whole_secret(path: Path) -> None:
    write(path, f'[api]\napi_key = "{ENV_KEY[::-1]}"\ntoken = "{TOKEN}"\n')
    config = load_config(path, env={"GEELARK_TOKEN": ENV_TOKEN})
    record_recent_set(config, ids(1))
    shown = render_config_for_show(config)
    for secret in (ENV_TOKEN, TOKEN, ENV_KEY[::-1]):
        assert secret not in shown
    assert "GEELARK_TOKEN" in shown and mask_secret(ENV_TOKEN) in shown
    assert tomllib.loads(shown)["recent"]["sets"][0]["id_count"] == 3
    assert ENV_TOKEN not in repr(config) and TOKEN not in repr(config)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="*"), min_size=1))
def test_mask_secret_never_shows_a_whole_secret(secret: str) -> None:
    masked = mask_secret(secret)
    assert secret not in masked and masked


# ---------------------------------------------------------------- recent ID sets


def test_recent_sets_most_recent_first_same_set_moves_up(path: Path) -> None:
    config = load_config(path, env={})
    a = record_recent_set(config, ids(1, 352), now=NOW)
    assert a.name == f"352 IDs from {ids(1)[0]} · 2026-11-28"
    record_recent_set(config, ids(2), now=NOW)
    again = record_recent_set(config, list(reversed(ids(1, 352))), now=NOW.replace(day=29))
    fresh = load_config(path, env={})
    assert [r.key for r in fresh.recent] == [a.key, recentsets.set_key(ids(2))]
    assert fresh.recent[0].saved_at == NOW.replace(day=29) and again.key == a.key
    assert fresh.recent[0].ids == tuple(reversed(ids(1, 352)))  # the order of the latest run


def test_recent_sets_are_trimmed_to_max(path: Path) -> None:
    write(path, "[recent]\nmax = 3\n")
    config = load_config(path, env={})
    for n in range(1, 6):
        record_recent_set(config, ids(n))
    doc = tomllib.loads(path.read_text())
    assert [s["ids"] for s in doc["recent"]["sets"]] == [ids(5), ids(4), ids(3)]
    assert len(config.recent) == 3


def test_rename_counts_and_delete(path: Path) -> None:
    config = load_config(path, env={})
    first = record_recent_set(config, ["123456789"], now=NOW)
    assert first.name.startswith("1 ID from 123456789")
    record_recent_set(config, ids(2))
    configstore.update_recent_counts(config, first.key, {"restarted": 1, "rejected": 0})
    configstore.rename_recent_set(config, first.key, "  Monday's failures ")
    again = record_recent_set(config, ["123456789"])  # a custom name survives a re-run
    assert again.name == "Monday's failures" and again.last_counts["restarted"] == 1
    assert config.recent[0] == load_config(path, env={}).recent[0]
    with pytest.raises(ValueError):
        configstore.rename_recent_set(config, first.key, " ")
    with pytest.raises(ValueError):
        record_recent_set(config, ["", "  "])
    assert configstore.update_recent_counts(config, "0" * 16, {"restarted": 1}) is None
    assert configstore.delete_recent_set(config, first.key)
    assert [r.ids for r in load_config(path, env={}).recent] == [tuple(ids(2))]


def test_recent_set_round_trips_as_toml_datetime_and_strings(path: Path) -> None:
    record_recent_set(load_config(path, env={}), ["574376043897425896", "1234567"], now=NOW)
    entry = tomllib.loads(path.read_text())["recent"]["sets"][0]
    assert entry["saved_at"] == NOW and entry["ids"] == ["574376043897425896", "1234567"]


def test_ids_typed_as_toml_integers_load_as_strings(path: Path) -> None:
    write(path, "[[recent.sets]]\nsaved_at = 2026-11-01T10:00:00\nids = [574376043897425896]\n")
    (loaded,) = load_config(path, env={}).recent
    assert loaded.ids == ("574376043897425896",) and loaded.saved_at.tzinfo is not None
    assert loaded.name.startswith("1 ID from 574376043897425896 · 2026-11-0")


def test_a_read_only_file_is_respected(path: Path) -> None:
    write(path, '[ui]\ntheme = "nord"\n', perms=0o400)
    config = load_config(path, env={})
    record_recent_set(config, ids(1))
    assert path.read_text() == '[ui]\ntheme = "nord"\n'
    assert any("read-only" in w for w in config.warnings)


def test_two_configs_in_one_file_merge_their_changes(path: Path) -> None:
    a, b = load_config(path, env={}), load_config(path, env={})
    a.ui = settings.UiSettings(theme="nord")
    record_recent_set(a, ids(1))
    save_config(a)
    b.submit = SubmitSettings(batch_size=20)
    record_recent_set(b, ids(2))
    save_config(b)
    fresh = load_config(path, env={})
    assert fresh.ui.theme == "nord" and fresh.submit.batch_size == 20
    assert [r.ids for r in fresh.recent] == [tuple(ids(2)), tuple(ids(1))]
    assert b.ui.theme == "nord"  # b now sees what a saved


# ---------------------------------------------------------------- two writers

def _writer(path: Path, first: str, barrier: Any) -> None:
    config = load_config(path, env={})
    barrier.wait(timeout=10)  # both are loaded: now save at the same instant
    record_recent_set(config, [first, *ids(9, 5)])
    assert not config.warnings, config.warnings


def test_two_processes_saving_at_once_never_tear_the_file(path: Path) -> None:
    # fork: real separate processes (own file descriptors and locks) that start in ms
    ctx = multiprocessing.get_context("fork")
    write(path, "[recent]\nmax = 200\n")
    expected: set[str] = set()
    for round_ in range(50):
        pair = [f"{round_ + 100}{side}" for side in (1, 2)]
        barrier = ctx.Barrier(2)
        procs = [ctx.Process(target=_writer, args=(path, p, barrier)) for p in pair]
        for proc in procs:
            proc.start()
        while any(proc.is_alive() for proc in procs):  # a reader without the lock
            tomllib.loads(path.read_text())
        assert [proc.exitcode for proc in procs] == [0, 0]
        firsts = {s["ids"][0] for s in tomllib.loads(path.read_text())["recent"]["sets"]}
        expected.update(pair)
        assert firsts == expected  # the file parses, and neither update was lost
    assert not asides(path) and not list(path.parent.glob("*.tmp"))


# ---------------------------------------------------------------- large ID sets: sidecar files

BIG = 100_000


def sidecars(path: Path) -> list[str]:
    folder = path.parent / "recent-sets"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def entries(path: Path) -> list[dict[str, Any]]:
    sets: list[dict[str, Any]] = tomllib.loads(path.read_text())["recent"]["sets"]
    return sets


def test_a_large_set_is_kept_in_a_private_sidecar_and_round_trips(
        path: Path, umask_zero: None) -> None:
    big = [*ids(5, BIG - 3), "000123", "0574376043897425896", "1234567"]  # all strings
    config = load_config(path, env={})
    saved = record_recent_set(config, reversed(big), now=NOW)
    (entry,) = entries(path)
    key = recentsets.set_key(big)
    assert "ids" not in entry and entry["key"] == key == saved.key
    assert entry["id_count"] == BIG and entry["ids_file"] == f"recent-sets/{key}.txt"
    sidecar = path.parent / entry["ids_file"]
    assert mode(sidecar.parent) == 0o700 and mode(sidecar) == 0o600
    assert path.stat().st_size < 1000  # the config itself stays small
    fresh = load_config(path, env={})
    assert fresh.warnings == []
    (loaded,) = fresh.recent
    assert isinstance(loaded.ids, recentsets.SidecarIds) and not loaded.ids.loaded
    assert (len(loaded.ids), loaded.id_count, loaded.key) == (BIG, BIG, key)
    assert loaded.name == f"{BIG} IDs from 1234567 · 2026-11-28" and loaded.is_auto_named
    assert not loaded.ids.loaded  # listing a set (count, key, name) reads no sidecar
    assert tuple(loaded.ids) == tuple(reversed(big)) and loaded.ids.loaded  # exact, in order
    assert loaded.ids[:3] == ("1234567", "0574376043897425896", "000123")
    assert all(type(i) is str for i in loaded.ids)
    assert loaded == saved and loaded.ids == tuple(reversed(big)) and loaded.ids_problem is None
    shown = tomllib.loads(render_config_for_show(fresh))["recent"]["sets"][0]
    assert shown["id_count"] == BIG and shown["ids_file"] == entry["ids_file"]


def test_up_to_1000_ids_stay_inline(path: Path) -> None:
    config = load_config(path, env={})
    record_recent_set(config, ids(1, recentsets.SIDECAR_MIN_IDS))
    spaced = [f"id {n}" for n in range(recentsets.SIDECAR_MIN_IDS + 1)]  # not one ID a line: inline
    record_recent_set(config, spaced)
    assert [len(e["ids"]) for e in entries(path)] == [1001, 1000] and not sidecars(path)
    assert load_config(path, env={}).recent[0].ids == tuple(spaced)
    record_recent_set(config, ids(2, recentsets.SIDECAR_MIN_IDS + 1))
    assert "ids_file" in entries(path)[0] and len(sidecars(path)) == 1
    other = path.with_name("work.toml")  # each config file has its own sidecar folder
    record_recent_set(load_config(other, env={}), ids(2, recentsets.SIDECAR_MIN_IDS + 1))
    assert entries(other)[0]["ids_file"].startswith("work.toml.recent-sets/")


@pytest.mark.slow
def test_twenty_sets_of_100k_ids_save_and_load_fast(path: Path) -> None:
    config = load_config(path, env={})
    saves = []
    for n in range(20):
        big = ids(n + 1, BIG)
        start = time.perf_counter()
        record_recent_set(config, big)
        saves.append(time.perf_counter() - start)
    start = time.perf_counter()
    configstore.update_recent_counts(config, config.recent[5].key, {"restarted": BIG})
    configstore.rename_recent_set(config, config.recent[6].key, "Monday")
    saves.append((time.perf_counter() - start) / 2)
    loads = []
    for _ in range(3):
        start = time.perf_counter()
        fresh = load_config(path, env={})
        assert [len(r.ids) for r in fresh.recent] == [BIG] * 20 and len({r.key for r in
                                                                         fresh.recent}) == 20
        loads.append(time.perf_counter() - start)
    assert min(loads) < 0.1, loads  # was about 7 s with the IDs inline
    assert sorted(saves)[len(saves) // 2] < 0.3, saves  # the median; was up to 16 s
    assert not any(r.ids.loaded for r in fresh.recent if isinstance(r.ids, recentsets.SidecarIds))
    assert tuple(fresh.recent[-1].ids) == tuple(ids(1, BIG))
    assert fresh.recent[5].last_counts == {"restarted": BIG}
    assert fresh.recent[6].name == "Monday" and len(sidecars(path)) == 20


def test_crash_between_sidecar_and_config_write_leaves_a_loadable_config(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(path, env={})
    record_recent_set(config, ids(1))
    before = path.read_bytes()
    real_replace = os.replace
    order: list[str] = []

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == path:
            assert len(sidecars(path)) == 1  # the sidecar is in place first
            raise Crash
        real_replace(src, dst)
        order.append(Path(dst).name)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Crash):
        record_recent_set(config, ids(2, 5000))
    monkeypatch.undo()
    assert path.read_bytes() == before and order == [f"{recentsets.set_key(ids(2, 5000))}.txt"]
    fresh = load_config(path, env={})
    assert fresh.warnings == [] and [r.ids for r in fresh.recent] == [tuple(ids(1))]
    again = record_recent_set(fresh, ids(2, 5000))  # the run is retried: same file name
    assert sidecars(path) == [f"{again.key}.txt"]
    assert load_config(path, env={}).recent[0].ids == tuple(ids(2, 5000))


def test_a_killed_sidecar_write_leaves_no_litter(path: Path) -> None:
    script = ("import os, sys; from pathlib import Path\n"
              "from geelark_tui import config as c, configstore as s\n"
              "os.replace = lambda a, b: os._exit(9)\n"
              "s.record_recent_set(c.load_config(Path(sys.argv[1]), env={}), "
              "[str(10**9 + i) for i in range(5000)])\n")
    done = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert done.returncode == 9 and not path.exists()
    assert len(list((path.parent / "recent-sets").glob(".*.tmp"))) == 1
    record_recent_set(load_config(path, env={}), ids(3))
    assert not list((path.parent / "recent-sets").iterdir())


def test_sidecars_of_trimmed_and_deleted_sets_are_removed(path: Path) -> None:
    write(path, "[recent]\nmax = 3\n")
    config = load_config(path, env={})
    keys = [record_recent_set(config, ids(n, 1001)).key for n in range(1, 6)]
    assert sidecars(path) == sorted(f"{k}.txt" for k in keys[2:])
    assert [e["key"] for e in entries(path)] == keys[:1:-1]
    again = record_recent_set(config, list(reversed(ids(4, 1001))))  # the same set, reordered
    assert again.key == keys[3] and len(sidecars(path)) == 3
    assert tuple(load_config(path, env={}).recent[0].ids) == tuple(reversed(ids(4, 1001)))
    assert configstore.delete_recent_set(config, keys[4])
    assert sidecars(path) == sorted(f"{k}.txt" for k in keys[2:4])
    assert [r.key for r in load_config(path, env={}).recent] == [keys[3], keys[2]]


def test_a_missing_or_unreadable_sidecar_warns_and_never_crashes(path: Path) -> None:
    config = load_config(path, env={})
    lost = record_recent_set(config, ids(1, 2000), now=NOW)
    bad = record_recent_set(config, ids(2, 2000), name="broken one")
    (path.parent / "recent-sets" / f"{lost.key}.txt").unlink()
    (path.parent / "recent-sets" / f"{bad.key}.txt").write_bytes(b"\xff\xfe\x00 binary")
    fresh = load_config(path, env={})
    (warning,) = fresh.warnings
    assert f"recent-sets/{lost.key}.txt" in warning and "missing" in warning
    broken, missing = fresh.recent
    assert missing.ids == () and missing.id_count == 0 and missing.key == lost.key
    assert f"{lost.key}.txt" in (missing.ids_problem or "") and not missing.is_auto_named
    assert broken.id_count == 2000 and broken.ids == () and broken.id_count == 0
    assert f"{bad.key}.txt" in (broken.ids_problem or "")
    assert "id_count = 0" in render_config_for_show(fresh)
    record_recent_set(fresh, ids(3))  # saving keeps both entries as they are
    assert [e.get("id_count") for e in entries(path)] == [None, 2000, 2000]
    restored = record_recent_set(fresh, ids(1, 2000))  # running the set again restores it
    assert restored.name == lost.name and load_config(path, env={}).warnings == []


def test_an_ids_file_outside_its_folder_is_never_read_or_removed(path: Path) -> None:
    victim = path.parent.parent / "victim.txt"
    write(victim, "123456789\n")
    key = "0123456789abcdef"
    elsewhere = path.parent / "elsewhere" / f"{key}.txt"
    write(elsewhere, "\n".join(ids(4, 1500)) + "\n")
    write(path, f'[[recent.sets]]\nkey = "{key}"\nid_count = 1\nids_file = "../victim.txt"\n'
                f'saved_at = 2026-11-01T10:00:00Z\n\n[[recent.sets]]\nkey = "{key}"\n'
                f'id_count = 1500\nids_file = "elsewhere/{key}.txt"\n'
                "saved_at = 2026-11-01T10:00:00Z\n")
    config = load_config(path, env={})
    assert any("recent.sets #1" in w and "ids_file" in w for w in config.warnings)
    (found,) = config.recent
    assert found.name == f"1500 IDs from {ids(4)[0]} · 2026-11-01" and found.id_count == 1500
    assert tuple(found.ids) == tuple(ids(4, 1500))
    assert configstore.delete_recent_set(config, key)
    assert victim.exists() and elsewhere.exists()  # only its own sidecar folder is cleaned


def test_a_large_inline_set_moves_to_a_sidecar_on_the_next_save(path: Path) -> None:
    write(path, cfg_text := '[[recent.sets]]\nname = "old"\nsaved_at = 2026-11-01T10:00:00Z\n'
          f"ids = {ids(6, 1500)}\n".replace("'", '"'))
    assert load_config(path, env={}).recent[0].ids == tuple(ids(6, 1500))
    record_recent_set(load_config(path, env={}), ids(7))
    assert path.read_text() != cfg_text and "ids_file" in entries(path)[1]
    moved = load_config(path, env={}).recent[1]
    assert moved.name == "old" and tuple(moved.ids) == tuple(ids(6, 1500))


def test_reading_never_loads_the_writing_half_and_each_module_imports_alone() -> None:
    """Data walks one way: configstore builds on config, never the reverse (no re-export)."""
    import ast

    from geelark_tui import config

    source = Path(config.__file__).read_text()
    assert "configstore" not in {getattr(n, "module", None) for n in ast.walk(ast.parse(source))}
    assert not hasattr(config, "__getattr__") and not hasattr(config, "save_config")
    for first in ("config", "configstore", "settings", "recentsets"):
        script = (f"import sys, geelark_tui.{first}\n"
                  "loaded = {m for m in sys.modules if m.startswith('geelark_tui.')}\n"
                  f"assert ('{first}' != 'config') or 'geelark_tui.configstore' not in loaded\n"
                  "from geelark_tui.configstore import save_config\n"
                  "from geelark_tui.config import load_config\n")
        subprocess.run([sys.executable, "-c", script], check=True)
