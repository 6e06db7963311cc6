"""What the ID parser produces (:class:`ParsedIds`) and the collector it fills as it reads.

Memory: the collector holds one ``str`` per unique valid ID (the one the text split already
made) and nothing per repeat; of the ignored tokens it keeps :data:`MAX_IGNORED` and, to
report each distinct one once, the set of those seen.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat

MIN_ID_LEN = 6
MAX_ID_LEN = 24
MAX_IGNORED = 1000
TOKEN_SHOWN = 60  # characters of an ignored token kept for display
_SEEN_EXACT = 100_000  # distinct ignored tokens remembered as strings
_GENERATION = 349_525  # unique IDs a dict: what 2**19 slots hold without growing

_ID_RE = re.compile(r"[0-9]{6,24}")
JOINER = "\x00"  # stands for the blank inside "taskId: 5743…" while the text is split


@dataclass(frozen=True, slots=True)
class IgnoredToken:
    token: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedIds:
    ids: tuple[str, ...]
    duplicates: int
    ignored: tuple[IgnoredToken, ...]
    source: str  # "json", "csv" or "text"
    ignored_total: int = 0  # all ignored tokens, including those beyond MAX_IGNORED

    def __post_init__(self) -> None:
        if self.ignored_total < len(self.ignored):
            object.__setattr__(self, "ignored_total", len(self.ignored))

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def ignored_omitted(self) -> int:
        """Ignored tokens counted in ``ignored_total`` but not kept in ``ignored``."""
        return self.ignored_total - len(self.ignored)

    def scrubbed(self, scrub: Callable[[str], str]) -> ParsedIds:
        """These IDs with each ignored token passed through `scrub`: a ticket's curl line or
        log may hold the very token or API key in use, and ignored tokens are shown, printed
        and exported. (IDs are digits: never a secret to hide.)"""
        ignored = tuple(IgnoredToken(scrub(t.token), scrub(t.reason)) for t in self.ignored)
        if ignored == self.ignored:
            return self
        return ParsedIds(self.ids, self.duplicates, ignored, self.source, self.ignored_total)


def is_valid_id(token: str) -> bool:
    """True for 6 to 24 ASCII digits and nothing else."""
    return _ID_RE.fullmatch(token) is not None


def shown(token: str) -> str:
    token = token.replace(JOINER, " ")
    return token if len(token) <= TOKEN_SHOWN else token[: TOKEN_SHOWN - 1] + "…"


class _Seen:
    """Distinct strings: the strings themselves for the first :data:`_SEEN_EXACT`, then a
    64-bit hash of each in an open-addressing table, 16 bytes a string where a set of short
    strings costs about 80: millions of distinct junk tokens cannot blow memory up. (Two
    strings with the same 64-bit hash would count as one: odds about 1e-7 at 10 million.)"""

    __slots__ = ("strings", "table", "used")

    def __init__(self) -> None:
        self.strings: set[str] = set()
        self.table = array("q")
        self.used = 0

    def add(self, item: str) -> bool:
        """True if ``item`` was not seen before."""
        if item in self.strings:
            return False
        if len(self.strings) < _SEEN_EXACT:
            self.strings.add(item)
            return True
        return self._add_hash(hash(item) or 1)  # 0 marks an empty slot

    def _add_hash(self, h: int) -> bool:
        if self.used * 2 >= len(self.table):
            old, self.used = self.table, 0
            self.table = array("q", bytes(16 * len(old) or 1 << 19))  # twice the slots
            for kept in old:
                if kept:
                    self._add_hash(kept)
        table, mask = self.table, len(self.table) - 1
        i = h & mask
        while (kept := table[i]) != 0:
            if kept == h:
                return False
            i = (i + 1) & mask
        table[i] = h
        self.used += 1
        return True


class Collector:
    """The unique IDs in order of first appearance, the repeats, the ignored tokens.

    The unique IDs live in dicts of at most :data:`_GENERATION` each, filled one after the
    other: one dict of millions would, each time it doubles, hold its old and new tables at
    once (up to 66 bytes an ID on top of the ID's own 67 and the text's 19). The price: a
    chunk of IDs is looked up in every full dict before it joins the last one."""

    __slots__ = ("_older", "_seen_ignored", "current", "duplicates", "ignored", "ignored_total")

    def __init__(self) -> None:
        self.current: dict[str, None] = {}
        self._older: list[dict[str, None]] = []
        self.duplicates = 0
        self.ignored: list[IgnoredToken] = []
        self.ignored_total = 0
        self._seen_ignored = _Seen()

    @property
    def count(self) -> int:
        return len(self.current) + sum(map(len, self._older))

    def add(self, tok: str, occurrences: int = 1) -> None:
        if tok in self.current:
            self.duplicates += occurrences
            return
        for older in self._older:
            if tok in older:
                self.duplicates += occurrences
                return
        if len(self.current) >= _GENERATION:
            self._older.append(self.current)
            self.current = {}
        self.current[tok] = None
        self.duplicates += occurrences - 1

    def add_all(self, tokens: list[str]) -> None:
        """Add valid IDs in bulk (no Python work per token)."""
        if len(self.current) + len(tokens) > _GENERATION:
            self._older.append(self.current)
            self.current = {}
        seen_before: set[str] = set()
        for older in self._older:
            seen_before |= older.keys() & tokens
        if seen_before:
            kept = [tok for tok in tokens if tok not in seen_before]
            self.duplicates += len(tokens) - len(kept)
            tokens = kept
        before = len(self.current)
        self.current.update(zip(tokens, repeat(None)))
        self.duplicates += len(tokens) - (len(self.current) - before)

    def ignore(self, token: str, reason: str, key: str | None = None) -> None:
        """Report ``token`` once (or once per distinct ``key``), however often it occurs."""
        if self.note(token if key is None else key):
            self.keep(token, reason)

    def note(self, key: str) -> bool:
        """Count ``key`` as an ignored token if it is new; True if it is also to be listed
        (then the caller works out the reason and calls :meth:`keep`)."""
        if not self._seen_ignored.add(key):
            return False
        self.ignored_total += 1
        return len(self.ignored) < MAX_IGNORED

    def keep(self, token: str, reason: str) -> None:
        self.ignored.append(IgnoredToken(shown(token), reason))

    def result(self, source: str) -> ParsedIds:
        ids = tuple(chain(*self._older, self.current))
        self._older, self.current = [], {}  # gone before the caller builds on top of the tuple
        return ParsedIds(ids, self.duplicates, tuple(self.ignored), source, self.ignored_total)
