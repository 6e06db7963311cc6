"""Pasted text -> the unique valid task IDs in it, the duplicates dropped and every ignored token.

An ID is a run of 6 to 24 ASCII digits, always kept as ``str`` (real IDs are 18-19 digits, beyond
2**53: never a number). :func:`parse_ids` detects one of three shapes:

``json``
    Text starting with ``[`` or ``{`` that parses as JSON. Numbers are read as their raw text, so
    ``574376043897425896`` stays exact. A top-level array is a list of IDs; lists under the keys
    ``ids``/``taskIds``/``task_ids`` anywhere are lists of IDs; objects inside such lists, inside
    ``failDetails``/``items``/``tasks`` lists, or at the top level give their ``taskId``/``task_id``
    /``id`` field (a whole GeeLark response works). Every candidate that is not an ID is reported;
    other fields (``msg``, ``code``...) are not candidates. JSON that does not parse (GeeLark's own
    ``failDetails`` examples do not), or that has none of these keys, is read as text, taking only
    the values of ``"id"``-like keys when there are any, else as prose (see below).
``csv``
    The first non-empty line is a header with a column ``id``, ``taskId``, ``task_id`` or
    ``Task ID`` (any case; tab, comma, semicolon or pipe separated). Only that column is read; the
    other columns are data, not ignored tokens.
``text``
    Anything else: tokens separated by whitespace, ``,``, ``;`` or ``|``, with surrounding quotes,
    brackets and punctuation stripped (``(574376043897425897),`` -> the ID). A token that is
    nothing but such punctuation (a bullet ``-``, ``•``) is a separator, not an ignored token.

Ignored tokens. In a *list* every token that is not an ID is reported. In *prose* (some line has
3 or more words, i.e. whitespace-separated tokens with letters and no digits, like a ticket
"please retry 574376043897425896, thanks") words without digits are skipped as noise, and only
tokens holding a digit that are not IDs are reported ("12345", "57437604389742589x"). Each distinct
ignored token is reported once; :attr:`ParsedIds.ignored` keeps at most :data:`MAX_IGNORED`
entries and :attr:`ParsedIds.ignored_total` counts them all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat

MIN_ID_LEN = 6
MAX_ID_LEN = 24
MAX_IGNORED = 1000
_TOKEN_SHOWN = 60

_ID_RE = re.compile(r"[0-9]{6,24}")
_SPLIT_RE = re.compile(r"[\s,;|]+")
_NOT_DIGIT_OR_SEP = re.compile(r"[^0-9\s,;|]")
_ID_RUN = re.compile(r"[0-9]{6}")  # a header line holding this is data, not a header
_HAS_DIGIT = re.compile(r"\d")  # any Unicode digit
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_NOT_DIGIT = re.compile(r"[^0-9]")
_JSON_START = re.compile(r"\s*[\[{]")
_LETTER = re.compile(r"[^\W\d_]")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE][+-]?[0-9]+")
_STRIP = "\"'`()[]{}<>#.:!?*_~-\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026\u2022\u00b7\ufeff\u200b"
# In JSON-looking text that failed to parse: the value of an id/ids/taskId/task_ids key.
_JSON_ID_FIELD = re.compile(
    r'"(?:task_?)?ids?"\s*:\s*(?:\[([^\]]*)\]|"([^"\r\n]*)"|([^\s,}\]"]+))', re.IGNORECASE
)
_ID_LIST_KEYS = frozenset({"ids", "taskids"})
_RECORD_LIST_KEYS = frozenset({"faildetails", "items", "tasks"})
_HEADER_NAMES = ("taskid", "id", "taskids", "ids")  # priority order
_ANY, _IDLIST, _RECORD, _TOP_RECORD = range(4)


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


def is_valid_id(token: str) -> bool:
    """True for 6 to 24 ASCII digits and nothing else."""
    return _ID_RE.fullmatch(token) is not None


def _shown(token: str) -> str:
    return token if len(token) <= _TOKEN_SHOWN else token[: _TOKEN_SHOWN - 1] + "…"


def _reason(tok: str) -> str:
    """Why ``tok`` (already stripped of surrounding punctuation) is not an ID."""
    if tok.isascii() and tok.isdigit():
        n = len(tok)
        kind = "too short" if n < MIN_ID_LEN else "too long"
        unit = "digit" if n == 1 else "digits"
        return f"{kind}: {n} {unit} (an ID has {MIN_ID_LEN} to {MAX_ID_LEN})"
    if _SCIENTIFIC.fullmatch(tok):
        return "not an ID: a number rounded to scientific notation (export IDs as text)"
    if _NON_ASCII_DIGIT.search(tok):
        return "not an ID: contains non-ASCII digits"
    if _LETTER.search(tok):
        return "not an ID: contains letters"
    bad = _NOT_DIGIT.search(tok)
    if bad is None or not _HAS_DIGIT.search(tok):
        return "not an ID: no digits"
    return f"not an ID: contains {bad.group()!r}"


class _Collector:
    __slots__ = ("_seen_ignored", "duplicates", "ids", "ignored", "ignored_total")

    def __init__(self) -> None:
        self.ids: dict[str, None] = {}
        self.duplicates = 0
        self.ignored: list[IgnoredToken] = []
        self.ignored_total = 0
        self._seen_ignored: set[tuple[str, str]] = set()

    def add(self, tok: str, occurrences: int = 1) -> None:
        if tok in self.ids:
            self.duplicates += occurrences
        else:
            self.ids[tok] = None
            self.duplicates += occurrences - 1

    def ignore(self, token: str, reason: str) -> None:
        key = (token, reason)
        if key in self._seen_ignored:
            return
        self._seen_ignored.add(key)
        self.ignored_total += 1
        if len(self.ignored) < MAX_IGNORED:
            self.ignored.append(IgnoredToken(_shown(token), reason))

    def candidate(self, raw: str, strip: str = _STRIP) -> None:
        tok = raw.strip().strip(strip)
        if _ID_RE.fullmatch(tok):
            self.add(tok)
        else:
            self.ignore(raw, _reason(tok))

    def result(self, source: str) -> ParsedIds:
        return ParsedIds(
            tuple(self.ids), self.duplicates, tuple(self.ignored), source, self.ignored_total
        )


def parse_ids(text: str) -> ParsedIds:
    """Read any pasted text; never raises for any ``str`` input."""
    text = text.removeprefix("\ufeff")
    if _JSON_START.match(text):
        return _parse_json(text)
    csv_out = _parse_csv(text)
    if csv_out is not None:
        return csv_out.result("csv")
    out = _Collector()
    _parse_text(text, out, prose=None)
    return out.result("text")


# --- text ---------------------------------------------------------------------------------------


def _split(text: str) -> list[str]:
    return text.replace(",", " ").replace(";", " ").replace("|", " ").split()


def _count_tokens(text: str, chunk: int = 1 << 20) -> Counter[str]:
    """The tokens of ``text`` and how often each occurs, a chunk at a time: a list of every
    token of a 50 MB log would take ten times the text's size."""
    counts: Counter[str] = Counter()
    start = 0
    while start < len(text):
        cut = _SPLIT_RE.search(text, start + chunk)  # chunks end on a separator
        end = cut.start() if cut else len(text)
        counts.update(_split(text[start:end]))
        start = end
    return counts


def _parse_text(text: str, out: _Collector, *, prose: bool | None) -> None:
    if _NOT_DIGIT_OR_SEP.search(text) is None:  # fast path: only digits and separators
        tokens = _split(text)
        unique = dict.fromkeys(tokens)
        if not unique or (
            min(map(len, unique)) >= MIN_ID_LEN and max(map(len, unique)) <= MAX_ID_LEN
        ):  # every token is a valid ID: no per-token Python work
            if out.ids:
                for tok in unique:
                    out.add(tok)
            else:
                out.ids = unique
            out.duplicates += len(tokens) - len(unique)
            return
    if prose is None:
        prose = _looks_like_prose(text)
    for raw, n in _count_tokens(text).items():
        tok = raw.strip(_STRIP)
        if _ID_RE.fullmatch(tok):
            out.add(tok, n)
        elif tok and (not prose or _HAS_DIGIT.search(tok)):
            out.ignore(raw, _reason(tok))


def _looks_like_prose(text: str) -> bool:
    """True if some line has 3+ whitespace-separated words (letters, no digits)."""
    pos = 0
    while (m := _LETTER.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        words = 0
        for tok in text[start:end].split():
            if _LETTER.search(tok) and not _HAS_DIGIT.search(tok):
                words += 1
                if words >= 3:
                    return True
        pos = end + 1
    return False


# --- csv ----------------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-\"']", "", name).lower()


def _parse_csv(text: str) -> _Collector | None:
    """Read ``text`` as CSV if its first line is a header naming an ID column, else None."""
    first = re.match(r"\s*([^\r\n]*)", text)
    if first is None or not first.group(1) or len(first.group(1)) > 10_000:
        return None
    header_line = first.group(1)
    delim = max("\t,;|", key=header_line.count)
    cells = [c.strip().strip("\"'") for c in header_line.split(delim)]
    header = [_norm(c) for c in cells]
    col = next((header.index(h) for h in _HEADER_NAMES if h in header), -1)
    if col < 0 or _ID_RUN.search(header_line):
        return None
    header_lineno = text.count("\n", 0, first.start(1)) + 1
    out = _Collector()
    if len(cells) == 1:  # a lone "IDs" title line: what follows is any list
        _parse_text(text[first.end() :], out, prose=None)
        return out
    try:
        reader = csv.reader(io.StringIO(text[first.end() :]), delimiter=delim)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if col < len(row) and row[col].strip():
                out.candidate(row[col])
            else:
                where = header_lineno + reader.line_num - 1
                out.ignore(delim.join(row), f"empty {cells[col]} cell (line {where})")
    except csv.Error:  # e.g. a field over csv.field_size_limit(): read it as text instead
        return None
    return out


# --- json ---------------------------------------------------------------------------------------


def _parse_json(text: str) -> ParsedIds:
    out = _Collector()
    try:
        root = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
        _walk_json(root, out)
    except (ValueError, RecursionError):
        out = _Collector()
        _json_fallback(text, out)
        return out.result("text")
    if not out.ids and not out.ignored_total:
        _json_fallback(text, out)
    return out.result("json")


def _key_mode(key: str, value: object) -> int:
    k = _norm(key)
    if k in _ID_LIST_KEYS or (k in _RECORD_LIST_KEYS and isinstance(value, list)):
        return _IDLIST
    return _ANY


def _walk_json(root: object, out: _Collector) -> None:
    """Depth-first, in document order, without recursion (deep nesting cannot overflow)."""
    first = _IDLIST if isinstance(root, list) else _TOP_RECORD
    stack: list[Iterator[tuple[object, int]]] = [iter([(root, first)])]
    while stack:
        for value, mode in stack[-1]:
            if isinstance(value, list):
                stack.append(zip(value, repeat(_ANY if mode == _ANY else _IDLIST)))
                break
            if isinstance(value, dict):
                stack.append(_dict_children(value, mode, out))
                break
            if mode in (_IDLIST, _RECORD):
                _json_candidate(value, out)
        else:
            stack.pop()


def _dict_children(
    d: dict[str, object], mode: int, out: _Collector
) -> Iterator[tuple[object, int]]:
    id_key = None
    if mode != _ANY:
        names = {_norm(k): k for k in d}
        id_key = next((names[n] for n in ("taskid", "id") if n in names), None)
        if id_key is not None:
            yield d[id_key], _RECORD
        elif mode == _IDLIST and not _ID_LIST_KEYS.intersection(names):
            out.ignore(json.dumps(d, ensure_ascii=False), "not an ID: JSON object without an id")
    for k, v in d.items():
        if k != id_key:
            yield v, _key_mode(k, v)


def _json_candidate(value: object, out: _Collector) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        out.ignore("null" if value is None else json.dumps(value), "empty JSON value")
    elif isinstance(value, bool):
        out.ignore(str(value).lower(), "not an ID: JSON true/false")
    elif isinstance(value, str):
        out.candidate(value, "")
    else:  # a list or object given as an id field
        out.ignore(str(value), "not an ID: unexpected JSON value")


def _json_fallback(text: str, out: _Collector) -> None:
    """JSON-looking text: the values of id-like keys if any, else all of it as prose."""
    found = False
    for m in _JSON_ID_FIELD.finditer(text):
        found = True
        for raw in _SPLIT_RE.split(m.group(1) or m.group(2) or m.group(3) or ""):
            if raw:
                out.candidate(raw)
    if not found:
        _parse_text(text, out, prose=True)
