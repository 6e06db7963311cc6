"""Recent ID sets: identity, automatic names, and the sidecar files of large sets. No textual.

A set of up to ``SIDECAR_MIN_IDS`` IDs is stored inline in its ``[[recent.sets]]`` entry
(``ids = [...]``). A larger one keeps its IDs in a sidecar file beside the config, one ID a line
(``recent-sets/<key>.txt`` for ``config.toml``, ``<file name>.recent-sets/<key>.txt`` for any
other file name, so two config files in one directory never share one), and the entry holds
``key``, ``id_count`` and ``ids_file`` instead. Loading the config reads no sidecar: ``ids`` is
then a ``SidecarIds``, whose ``len()`` is the recorded count and whose IDs are read on first use.
``geelark_tui.configstore`` writes the files; everything here only reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import chain, islice
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar, overload

__all__ = ["SIDECAR_MIN_IDS", "RecentSet", "SidecarIds", "auto_name", "in_slices", "set_key"]

SIDECAR_MIN_IDS = 1000  # a set with more IDs than this keeps them in a sidecar file
SLICE = 10_000  # IDs a bulk step handles at once (see `in_slices`)
T = TypeVar("T")
_KEY = re.compile(r"[0-9a-f]{16}")


def in_slices(items: Iterable[T], size: int = SLICE) -> Iterator[list[T]]:
    """`items` a slice at a time: bulk work on a large set (sets, sorts) in steps short enough
    that a thread doing it never holds the GIL long enough to stall the app's event loop."""
    it = iter(items)
    while part := list(islice(it, size)):
        yield part


def set_key(ids: Iterable[str]) -> str:
    """Identity of an ID set: the same IDs in any order are the same set."""
    unique: set[str] = set()
    for part in in_slices(ids):
        unique.update(part)
    runs = [sorted(part) for part in in_slices(unique)]
    ordered = sorted(chain.from_iterable(runs)) if len(runs) > 1 else [*chain(*runs)]
    import hashlib  # start-up: only a set being recorded needs it

    return hashlib.sha256("\n".join(ordered).encode()).hexdigest()[:16]


def _auto_name(count: int, first: str, saved_at: datetime) -> str:
    text = f"{count} ID" + ("" if count == 1 else "s")
    return f"{text} from {first} · {saved_at.astimezone().date().isoformat()}"


def auto_name(ids: Sequence[str], saved_at: datetime) -> str:
    """"40 IDs from 5743… · 2026-01-05". A large set's file is not read past its first ID."""
    if isinstance(ids, SidecarIds):
        return _auto_name(ids.recorded_count, ids.first() or "?", saved_at)
    return _auto_name(len(ids), ids[0], saved_at)


def _read_ids_file(path: Path) -> tuple[tuple[str, ...], str | None]:
    """The IDs in a sidecar file, or ``()`` and why there are none."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return (), f"{path} is missing"
    except OSError as e:
        return (), f"{path} cannot be read ({e.strerror})"
    except UnicodeDecodeError:
        return (), f"{path} is not UTF-8 text"
    ids = tuple(dict.fromkeys(text.split()))
    return ids, None if ids else f"{path} holds no IDs"


class SidecarIds(Sequence[str]):
    """The IDs of a large recent set, read from their sidecar file on first use (then kept).

    ``len()`` is the count recorded in the config until the file has been read, so listing sets
    reads no file. A file that cannot be read gives no IDs (``()``, length 0), never an
    exception; ``problem`` then says why, naming the file.
    """

    __slots__ = ("_ids", "key", "path", "problem", "recorded_count", "relpath")

    def __init__(self, path: Path, relpath: str, key: str, recorded_count: int, *,
                 ids: tuple[str, ...] | None = None, problem: str | None = None) -> None:
        self.path, self.relpath, self.key = path, relpath, key
        self.recorded_count = recorded_count
        self.problem = problem
        self._ids: tuple[str, ...] | None = () if problem else ids

    @property
    def loaded(self) -> bool:
        return self._ids is not None

    def load(self) -> tuple[str, ...]:
        if self._ids is None:
            self._ids, self.problem = _read_ids_file(self.path)
        return self._ids

    def first(self) -> str | None:
        """The first ID, reading only the start of the file when the rest is not loaded yet."""
        if self._ids is None:
            try:
                with self.path.open("rb") as f:
                    for line in f:
                        if words := line.decode("utf-8").split():
                            return words[0]
            except (OSError, UnicodeDecodeError):
                pass
            return None
        return self._ids[0] if self._ids else None

    def __len__(self) -> int:
        return self.recorded_count if self._ids is None else len(self._ids)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.load()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.load())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self.load())

    def __contains__(self, value: object) -> bool:
        return value in self.load()

    def __eq__(self, other: object) -> bool:  # equal to the tuple of the same IDs
        if isinstance(other, SidecarIds):
            other = other.load()
        return self.load() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.load())

    def __repr__(self) -> str:
        return f"SidecarIds({self.relpath!r}, {len(self)} IDs)"


@dataclass(frozen=True)
class RecentSet:
    """``ids``: a tuple, or for a large set a ``SidecarIds`` (read on first use; ``len()`` and
    ``key`` never read it). Prefer ``id_count`` to ``len(ids)`` where only the count matters."""

    name: str
    saved_at: datetime  # tz-aware
    ids: Sequence[str]
    last_counts: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def key(self) -> str:
        return self.ids.key if isinstance(self.ids, SidecarIds) else set_key(self.ids)

    @property
    def id_count(self) -> int:
        return len(self.ids)

    @property
    def ids_problem(self) -> str | None:
        """Why the IDs of a sidecar set cannot be used (known once it is read), else None."""
        return self.ids.problem if isinstance(self.ids, SidecarIds) else None

    @property
    def is_auto_named(self) -> bool:
        ids = self.ids
        first = ids.first() if isinstance(ids, SidecarIds) else (ids[0] if ids else None)
        return first is not None and self.name == _auto_name(len(ids), first, self.saved_at)


def sidecar_dir(config_file: Path) -> Path:
    """Where the sidecar files of ``config_file`` (the real file, not a symlink) live."""
    name = "recent-sets" if config_file.name == "config.toml" else f"{config_file.name}.recent-sets"
    return config_file.with_name(name)


def sidecar_data(ids: Sequence[str]) -> bytes | None:
    """The file content for ``ids``, or None if an ID would not survive one-ID-a-line."""
    text = "\n".join(ids)
    return (text + "\n").encode() if len(text.split()) == len(ids) else None


def parse_sidecar_entry(entry: Mapping[str, Any], where: str, base: Path,
                        problems: list[str], notes: list[str]) -> SidecarIds | None:
    """The ``key``/``id_count``/``ids_file`` of an entry; checks the file exists, reads none."""
    key, rel, count = entry.get("key"), entry.get("ids_file"), entry.get("id_count")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        problems.append(f"{where}: key must be the 16 hex digits of the set's IDs file; skipped")
        return None
    parts = PurePosixPath(rel).parts if isinstance(rel, str) else ()
    if len(parts) != 2 or parts[0] in ("/", ".", "..") or parts[1] != f"{key}.txt":
        problems.append(f'{where}: ids_file must be "<folder>/{key}.txt", a file in a folder '
                        "beside the config; skipped")
        return None
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        problems.append(f"{where}: id_count must be a whole number >= 1; skipped")
        return None
    relpath = "/".join(parts)
    path = base.joinpath(*parts)
    if path.is_file():
        return SidecarIds(path, relpath, key, count)
    notes.append(f"{where}: its IDs file {path} is missing; the set is listed without IDs")
    return SidecarIds(path, relpath, key, count, problem=f"{path} is missing")
