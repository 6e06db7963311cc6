"""Writing the config: locked atomic writes, broken-file keep-aside, merge, recent-set changes.

Builds on ``geelark_tui.config`` (reading), never the other way round. Never imports textual.

A recent set of more than ``SIDECAR_MIN_IDS`` IDs is written to its sidecar file (atomically,
0600, in a 0700 dir) before the config that names it, so a crash between the two leaves at worst
an unreferenced file, never an entry without its file. Sidecars of sets trimmed or deleted from
the list are removed after the config is written, while the lock is still held.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from geelark_tui.config import (
    Config,
    FileContent,
    non_regular_kind,
    read_config_file,
    real_config_file,
)
from geelark_tui.recentsets import (
    SIDECAR_MIN_IDS,
    RecentSet,
    SidecarIds,
    auto_name,
    in_slices,
    set_key,
    sidecar_data,
    sidecar_dir,
)
from geelark_tui.settings import FileSettings, check_max_recent

__all__ = [
    "LOCK_TIMEOUT", "ConfigError", "atomic_write", "delete_recent_set", "ensure_private_dir",
    "record_recent_set", "rename_recent_set", "save_config", "update_recent_counts",
]

LOCK_TIMEOUT = 10.0


class ConfigError(Exception):
    """A save that could not happen; turned into a warning, never raised to callers."""


_SIDECAR_KEYS = ("key", "id_count", "ids_file")


def ensure_private_dir(directory: Path) -> None:
    if directory.is_dir():
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)
        os.chmod(directory, 0o700)  # exactly 0700 whatever the umask


def _write_new(path: Path, data: bytes, mode: int | None = 0o600) -> None:
    """A new file holding ``data``, synced: with exactly ``mode``, or (None) with the
    permissions the umask gives a new file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW,
                 0o666 if mode is None else mode)
    try:
        if mode is not None:
            os.fchmod(fd, mode)  # exactly, whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def refuse_non_regular(target: Path) -> None:
    """ConfigError if ``target`` exists and is not a regular file: a rename over it would
    replace a device, a FIFO or a socket (``/dev/null``!) with a regular file."""
    try:
        kind = non_regular_kind(os.lstat(target).st_mode)
    except FileNotFoundError:
        return
    if kind is not None:
        raise ConfigError(f"it is {kind}, not a regular file")


def atomic_write(target: Path, data: bytes, mode: int | None = 0o600) -> None:
    """Replace ``target`` (a regular file, or nothing): a temp file in the same dir with
    ``mode`` (see `_write_new`), fsync, rename, fsync the dir."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        _write_new(tmp, data, mode)
        refuse_non_regular(target)  # checked again just before: nothing else is ever replaced
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    lock = target.with_name(target.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigError(f"{lock} is held by another process") from None
                time.sleep(0.005)
        for stale in [*target.parent.glob(f".{target.name}.*.tmp"),  # left by a killed writer
                      *sidecar_dir(target).glob(".*.txt.*.tmp")]:
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        os.close(fd)


def _keep_aside(target: Path, disk: FileContent) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 100):
        aside = target.with_name(f"{target.name}.broken-{stamp}" + (f"-{n}" if n > 1 else ""))
        if aside.exists() or aside.is_symlink():
            continue
        try:
            os.link(target, aside)  # the old content stays reachable at every instant
        except FileExistsError:
            continue
        except OSError:
            if disk.data is None:
                os.rename(target, aside)
            else:
                _write_new(aside, disk.data)
        with contextlib.suppress(OSError):
            os.chmod(aside, 0o600)
        return aside
    raise ConfigError(f"cannot find a free name for {target.name}.broken-{stamp}")


def _document(disk: FileContent, s: FileSettings) -> dict[str, Any]:
    doc = dict(disk.raw)  # keys this version does not know are kept
    for name, obj in (("api", s.api), ("submit", s.submit), ("ui", s.ui)):
        old = doc.pop(name, None)
        doc[name] = {**(old if isinstance(old, dict) else {}),
                     **{f.name: getattr(obj, f.name) for f in fields(obj)}}
    sets = []
    for r in s.recent[: s.max_recent]:
        raw, ids = disk.raw_sets.get(r.key, {}), r.ids
        holds: dict[str, Any]
        if isinstance(ids, SidecarIds):  # never read here: the file is already written
            raw = {k: v for k, v in raw.items() if k != "ids"}
            holds = {"key": ids.key, "id_count": ids.recorded_count, "ids_file": ids.relpath}
        else:
            if "ids_file" in raw:  # the file named a sidecar for this set before
                raw = {k: v for k, v in raw.items() if k not in _SIDECAR_KEYS}
            holds = {"ids": list(ids)}
        entry = {**raw, "name": r.name, **holds,
                 "saved_at": r.saved_at.replace(microsecond=0), "last_counts": dict(r.last_counts)}
        sets.append({k: v for k, v in entry.items() if v or k != "last_counts"})
    old_recent = doc.pop("recent", None)
    doc["recent"] = {**(old_recent if isinstance(old_recent, dict) else {}),
                     "max": s.max_recent, "sets": sets}
    return doc


def _commit(config: Config, change: Callable[[FileSettings], None] | None, *,
            settings: bool) -> bool:
    """Locked read-modify-write. ``settings``: also write this process's settings changes."""
    if change:
        config.stored.pending.append(change)
    target = real_config_file(config.path)
    try:
        refuse_non_regular(target)  # before a lock file or a temp file is made beside it
        ensure_private_dir(target.parent)
        with _locked(target):
            if target.exists() and not os.stat(target).st_mode & 0o200:
                raise ConfigError(f"{target} is read-only")
            disk = read_config_file(target)
            if disk.not_a_file:
                raise ConfigError(disk.not_a_file)
            merged = disk.settings
            before = _sidecar_files(merged.recent)
            if settings:
                _merge_settings(config, merged)
            for pending in config.stored.pending:
                pending(merged)
            files = _move_to_sidecars(target, merged)
            data = tomli_w.dumps(_document(disk, merged)).encode()
            if disk.exists and disk.problems:
                aside = _keep_aside(target, disk)
                config.warnings.append(f"{target}: the file could not be used as it was; "
                                       f"it is kept unchanged as {aside}")
            for path, ids_data in files:  # before the entries that name them
                _write_sidecar(path, ids_data)
            atomic_write(target, data)
            if not disk.problems:  # else the kept-aside file may still name them
                gone = before - _sidecar_files(merged.recent[: merged.max_recent])
                _remove_sidecars(target, gone)
    except (OSError, ConfigError) as e:
        view = replace(config.stored.settings, recent=list(config.recent),
                       max_recent=config.max_recent)
        if change:
            change(view)
        config.recent = view.recent[: config.max_recent]
        if not config.stored.save_warned:
            config.stored.save_warned = True
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            config.warnings.append(f"settings cannot be saved: {target}: {reason}; "
                                   "changes last only until the app exits")
        return False
    config.stored.pending.clear()
    config.adopt(merged, settings=settings)
    return True


def _sidecar_files(sets: Sequence[RecentSet]) -> set[Path]:
    return {r.ids.path for r in sets if isinstance(r.ids, SidecarIds)}


def _move_to_sidecars(target: Path, s: FileSettings) -> list[tuple[Path, bytes]]:
    """Give each large set still held in memory a sidecar file; the files to write."""
    files, recent = [], list(s.recent)
    for n, r in enumerate(recent[: s.max_recent]):
        if isinstance(r.ids, SidecarIds) or len(r.ids) <= SIDECAR_MIN_IDS:
            continue
        data = sidecar_data(r.ids)
        if data is None:  # an ID with white space in it: kept inline, exactly
            continue
        path = sidecar_dir(target) / f"{r.key}.txt"
        ids = SidecarIds(path, f"{path.parent.name}/{path.name}", r.key, len(r.ids),
                         ids=tuple(r.ids))
        recent[n] = replace(r, ids=ids)
        files.append((path, data))
    s.recent = recent
    return files


def _write_sidecar(path: Path, data: bytes) -> None:
    ensure_private_dir(path.parent)
    if stat.S_IMODE(os.stat(path.parent).st_mode) & 0o077:
        os.chmod(path.parent, 0o700)
    atomic_write(path, data)


def _remove_sidecars(target: Path, paths: Iterable[Path]) -> None:
    own = sidecar_dir(target)
    for path in paths:
        if path.parent == own:  # never a file outside this config's own sidecar dir
            with contextlib.suppress(OSError):
                path.unlink()


def _merge_settings(config: Config, disk: FileSettings) -> None:
    """Onto what the file holds now, put the fields this process changed since it last read."""
    for name in ("api", "submit", "ui"):
        mine, before = getattr(config, name), getattr(config.stored.settings, name)
        changed = {f.name: getattr(mine, f.name) for f in fields(mine)
                   if getattr(mine, f.name) != getattr(before, f.name)
                   and f.name not in (config.env_sources if name == "api" else ())}
        setattr(disk, name, replace(getattr(disk, name), **changed))
    if config.max_recent != config.stored.settings.max_recent:
        disk.max_recent = check_max_recent(config.max_recent)  # a bad value is a bug: ValueError


def save_config(config: Config) -> bool:
    """Write the settings this process changed. False (and one warning) if it cannot."""
    return _commit(config, None, settings=True)


def record_recent_set(config: Config, ids: Iterable[str], *, name: str | None = None,
                      now: datetime | None = None) -> RecentSet:
    """Save an ID set on top of the recent list (call it before the first request of a run)."""
    seen: dict[str, None] = {}
    for part in in_slices(ids):  # the session does this in a thread: see `in_slices`
        seen.update(dict.fromkeys(filter(None, map(str.strip, map(str, part)))))
    unique = tuple(seen)
    if not unique:
        raise ValueError("an ID set needs at least one ID")
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    key = set_key(unique)

    def change(s: FileSettings) -> None:
        old = next((r for r in s.recent if r.key == key), None)
        keep = old.name if old and not old.is_auto_named else None
        new = RecentSet((name or "").strip() or keep or auto_name(unique, when), when, unique,
                        dict(old.last_counts) if old else {})
        object.__setattr__(new, "key", key)  # known: spare hashing a large set again
        s.recent = [new, *(r for r in s.recent if r.key != key)][: s.max_recent]

    _commit(config, change, settings=False)
    return next(r for r in config.recent if r.key == key)


def _edit_set(config: Config, key: str, **values: Any) -> RecentSet | None:
    def change(s: FileSettings) -> None:
        s.recent = [replace(r, **values) if r.key == key else r for r in s.recent]

    _commit(config, change, settings=False)
    return next((r for r in config.recent if r.key == key), None)


def update_recent_counts(config: Config, key: str, counts: Mapping[str, int]) -> RecentSet | None:
    """Store the counts of the set's last run. None if the set is no longer in the list."""
    return _edit_set(config, key, last_counts=dict(counts))


def rename_recent_set(config: Config, key: str, new_name: str) -> RecentSet | None:
    if not new_name.strip():
        raise ValueError("a name must not be empty")
    return _edit_set(config, key, name=new_name.strip())


def delete_recent_set(config: Config, key: str) -> bool:
    def change(s: FileSettings) -> None:
        s.recent = [r for r in s.recent if r.key != key]

    return _commit(config, change, settings=False)
