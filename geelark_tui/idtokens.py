"""One token of pasted text -> the task IDs in it, or why it holds none.

A token is what lies between blanks, commas, semicolons and pipes (see ``idtext``). It is read
as, in this order:

- a number: surrounding quotes, brackets and punctuation are stripped (``(5743…),`` is the
  ID). A sign makes it a number, not an ID: ``-5743…`` is refused ("negative number"), as is
  ``+5743…``, in text, CSV and JSON alike. Dropping the sign would be a guess, and a wrong
  one when the minus comes from a signed 64-bit column that turned a large ID negative: it
  would then name a different task. A dash with a blank after it is a bullet, not a sign.
- a URL (``https://…/task/5743…?taskId=…``): its path segments that are all digits and the
  values of its query (and ``#`` fragment) pairs. A segment after one that names something
  else (``/env/5743…``) is not a task ID.
- ``key=value`` or ``key:value`` pairs (several joined by ``&``): the value is a task ID
  only under a key that names one (``id``, ``ids``, ``task``, ``taskId``, ``task_id``,
  ``x-task-id``...). The value under any other key (``envId``, ``phoneId``, ``userId``,
  ``code``, ``ts``...) is ignored with that reason: logs are full of numbers that are not
  task IDs.
- anything else is not an ID, with the reason.

In prose (``prose=True``) a token without a digit is noise, not an ignored token.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from geelark_tui.idresult import JOINER, MAX_ID_LEN, MIN_ID_LEN, Collector

STRIP = ("\"'`()[]{}<>#.:!?*_~-\u201c\u201d\u2018\u2019\u00ab\u00bb\u2026\u2022\u00b7\ufeff"
         "\u200b" + JOINER)
_STRIP_UNSIGNED = STRIP.replace("-", "")
NEGATIVE = "negative number: not a task ID"
SIGNED = "signed number: not a task ID"

_HAS_DIGIT = re.compile(r"\d")  # any Unicode digit
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_NOT_DIGIT = re.compile(r"[^0-9]")
_LETTER = re.compile(r"[^\W\d_]")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE][+-]?[0-9]+")
_KEY = r"[A-Za-z][\w.\-]*(?:\x00[A-Za-z][\w.\-]*)?"  # "Phone\0ID": see idtext.join_pairs
_PAIR = re.compile(rf"[\"']?({_KEY})[\"']?\x00*[=:]\x00*(.*)", re.DOTALL)
_ID_SUFFIX = re.compile(r"(?:I[dD]|[_.\-\x00 ][iI][dD])[sS]?$")  # envId, phone_id, "User ID"
_TASK_KEYS = frozenset({"id", "ids", "task", "tasks", "taskid", "taskids"})
OTHER_NOUNS = frozenset({
    "env", "environment", "phone", "user", "plan", "group", "device", "profile", "account",
    "serial", "trace", "request", "order", "team", "project", "proxy", "tag", "app",
})
_KEY_NOISE = str.maketrans("", "", "_-. \"'" + JOINER)


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    return key.translate(_KEY_NOISE).lower()


@lru_cache(maxsize=4096)
def is_task_key(key: str) -> bool:
    k = norm_key(key)
    return k in _TASK_KEYS or k.endswith(("taskid", "taskids"))


@lru_cache(maxsize=4096)
def _names_other(key: str) -> bool:
    k = norm_key(key)
    return not is_task_key(key) and (
        k in OTHER_NOUNS or k.removesuffix("s") in OTHER_NOUNS or _ID_SUFFIX.search(key) is not None
    )


@lru_cache(maxsize=4096)  # the same few keys, again and again in a log
def names_a_key(key: str) -> bool:
    """True if ``key`` followed by ": " is a key, not a colon in a sentence ("Failed: …")."""
    return is_task_key(key) or _names_other(key)


def reason(tok: str) -> str:
    """Why ``tok`` (already stripped of surrounding punctuation) is not an ID."""
    if tok.isascii() and tok.isdigit():
        n = len(tok)
        kind = "too short" if n < MIN_ID_LEN else "too long"
        unit = "digit" if n == 1 else "digits"
        return f"{kind}: {n} {unit} (an ID has {MIN_ID_LEN} to {MAX_ID_LEN})"
    if tok[:1] == "+" and tok[1:].isascii() and tok[1:].isdigit():
        return SIGNED  # a minus is stripped with the punctuation, then found by _number
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


def _number(tok: str, around: str, shown: str, n: int, out: Collector) -> None:
    """``tok``, all ASCII digits, found as ``around`` (with its punctuation), reported as
    ``shown``: an ID unless a minus sign before it or its length says no."""
    if len(tok) != len(around) and around.lstrip(_STRIP_UNSIGNED).startswith("-"):
        out.ignore(shown, NEGATIVE)
    elif MIN_ID_LEN <= len(tok) <= MAX_ID_LEN:
        out.add(tok, n)
    else:
        out.ignore(shown, reason(tok))


def take(raw: str, n: int, out: Collector, prose: bool) -> None:
    """Read ``raw``, one token of text that occurs ``n`` times."""
    tok = raw.strip(STRIP)
    if tok.isascii() and tok.isdigit():
        if len(tok) == len(raw) and MIN_ID_LEN <= len(tok) <= MAX_ID_LEN:
            out.add(tok, n)  # the common case, first
        else:
            _number(tok, raw, raw, n, out)
    elif not tok:
        return  # punctuation alone (a bullet, a dash): a separator
    elif "://" in tok:
        if not _url(tok, n, out, prose) and (not prose or _HAS_DIGIT.search(tok)):
            out.ignore(raw, "not an ID: a URL without a task ID")
    elif "/" in tok and _LETTER.search(tok) and _url(tok, n, out, prose):
        return  # a path without a scheme: "open.geelark.com/task/5743…", "/task/5743…"
    elif ("=" in tok or ":" in tok) and (pair := _PAIR.fullmatch(tok)) is not None:
        _pairs(pair, raw, n, out, prose)
    elif (not prose or _HAS_DIGIT.search(tok)) and out.note(raw):
        out.keep(raw, reason(tok))


def _pairs(pair: re.Match[str], raw: str, n: int, out: Collector, prose: bool) -> None:
    key, rest = pair.group(1), pair.group(2)
    if "&" not in rest or "://" in rest:
        _value(key, rest, raw, n, out, prose)
        return
    value, *more = rest.split("&")
    _value(key, value, f"{key}={value}", n, out, prose)
    for piece in more:
        if (nxt := _PAIR.fullmatch(piece)) is not None:
            _value(nxt.group(1), nxt.group(2), piece, n, out, prose)
        elif piece:
            take(piece, n, out, prose)


def _value(key: str, value: str, shown: str, n: int, out: Collector, prose: bool) -> None:
    """The ``value`` of ``key``, reported (if at all) as ``shown``."""
    if "://" in value:
        take(value, n, out, prose)
        return
    tok = value.strip(STRIP)
    if not tok or (prose and not _HAS_DIGIT.search(tok)):
        return  # a label without a value ("taskId:"), or words
    if not is_task_key(key):
        out.ignore(shown, f"value of {key.replace(JOINER, ' ')}: not a task ID")
    elif tok.isascii() and tok.isdigit():
        _number(tok, value, shown, n, out)
    else:
        out.ignore(shown, reason(tok))


def _url(url: str, n: int, out: Collector, prose: bool) -> bool:
    """Read the path and query of ``url``; False if nothing in them could be an ID."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed port or IPv6 address
        return False
    path, query = parts.path, parts.query
    if parts.fragment:  # "#/task/5743…?taskId=…": a route inside a single-page app
        route, _, route_query = parts.fragment.partition("?")
        path, query = f"{path}/{route}", f"{query}&{route_query}"
    found = False  # anything that could have been an ID
    previous = ""
    for segment in path.split("/"):
        if segment.isascii() and segment.isdigit():
            found = True
            if _names_other(previous):
                out.ignore(f"{previous}/{segment}", f"after /{previous}/ in a URL: not a task ID")
            else:
                _number(segment, segment, segment, n, out)
        previous = segment
    for piece in query.split("&"):
        if (pair := _PAIR.fullmatch(piece)) is not None and pair.group(2):
            found = True
            _value(pair.group(1), pair.group(2), piece, n, out, prose)
    return found
