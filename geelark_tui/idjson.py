"""JSON -> IDs: an array of IDs, ``{"ids": [...]}``, or a whole GeeLark response.

Numbers are read as their raw text, so ``574376043897425896`` stays exact. A top-level array
is a list of IDs; lists under the keys ``ids``/``taskIds``/``task_ids`` anywhere are lists of
IDs; objects inside such lists, inside ``failDetails``/``items``/``tasks`` lists, or at the top
level give their ``taskId``/``task_id``/``id`` field. A string where an ID or a list of IDs is
expected (``{"ids": "5743…, 5743…"}``) is read like pasted text. Every candidate that is not an
ID is reported; other fields (``msg``, ``code``, ``envId``...) are not candidates. JSON that
does not parse (GeeLark's own ``failDetails`` examples do not), or that has none of these keys,
is read as text, taking only the values of ``"id"``-like keys when there are any, else as prose.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import repeat
from typing import cast

from geelark_tui.idresult import MAX_ID_LEN, MIN_ID_LEN, Collector
from geelark_tui.idtext import parse_text
from geelark_tui.idtokens import norm_key

# In JSON-looking text that failed to parse: the value of an id/ids/taskId/task_ids key.
_JSON_ID_FIELD = re.compile(
    r'"(?:task_?)?ids?"\s*:\s*(?:\[([^\]]*)\]|"([^"\r\n]*)"|([^\s,}\]"]+))', re.IGNORECASE
)
_ID_LIST_KEYS = frozenset({"ids", "taskids"})
_RECORD_LIST_KEYS = frozenset({"faildetails", "items", "tasks"})
_ANY, _IDLIST, _RECORD, _TOP_RECORD = range(4)
_BULK = 65_536  # IDs of one JSON array added at a time


class _Record:
    """All that is kept of a JSON object whose only possible ID is its ``taskId``/``id``
    field (no list, object or ``ids`` key in it): a dict for each of a million small
    records would take ten times their text."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _object(pairs: list[tuple[str, object]]) -> object:
    found: dict[str, object] = {}
    for key, value in pairs:
        k = norm_key(key)
        if isinstance(value, (dict, list, _Record)) or k in _ID_LIST_KEYS:
            return dict(pairs)
        if k in ("taskid", "id"):
            found[k] = value  # the last one, as in a dict
    if not found:
        return dict(pairs)  # kept whole: "JSON object without an id" quotes it
    return _Record(found.get("taskid", found.get("id")))


def parse_json(text: str) -> tuple[Collector, str]:
    """The IDs of ``text`` and the shape it was read as: "json", or "text" if it is not JSON."""
    out = Collector()
    try:
        root = json.loads(text, parse_int=str, parse_float=str, parse_constant=str,
                          object_pairs_hook=_object)
        _walk(root, out)
    except (ValueError, RecursionError):  # not JSON, or an object too deep to quote
        out = Collector()
        _fallback(text, out)
        return out, "text"
    root = None  # the document goes before the caller builds the result
    if not out.count and not out.ignored_total:
        _fallback(text, out)
    return out, "json"


def _key_mode(key: str, value: object) -> int:
    k = norm_key(key)
    if k in _ID_LIST_KEYS or (k in _RECORD_LIST_KEYS and isinstance(value, list)):
        return _IDLIST
    return _ANY


def _walk(root: object, out: Collector) -> None:
    """Depth-first, in document order, without recursion (deep nesting cannot overflow)."""
    first = _IDLIST if isinstance(root, list) else _TOP_RECORD
    stack: list[Iterator[tuple[object, int]]] = [iter([(root, first)])]
    while stack:
        for value, mode in stack[-1]:
            if isinstance(value, list):
                ids = _ids_of(value) if mode != _ANY else None
                if ids is not None:
                    for start in range(0, len(ids), _BULK):
                        out.add_all(ids[start : start + _BULK])
                    continue
                stack.append(zip(value, repeat(_ANY if mode == _ANY else _IDLIST)))
                break
            if isinstance(value, dict):
                stack.append(_dict_children(value, mode, out))
                break
            if isinstance(value, _Record):
                if mode != _ANY:
                    _candidate(value.value, out)
                continue
            if mode in (_IDLIST, _RECORD):
                _candidate(value, out)
        else:
            stack.pop()


def _ids_of(values: list[object]) -> list[str] | None:
    """The IDs of a list of IDs or of records with valid IDs, to add in bulk; else None."""
    if values and all(type(v) is _Record for v in values):
        values = [cast(_Record, v).value for v in values]
    return cast(list[str], values) if _all_ids(values) else None


def _all_ids(values: list[object]) -> bool:
    """True if every item of ``values`` is a valid ID (as a string, or a number's raw text)."""
    strings = cast(list[str], values)  # checked by the join: TypeError if one is not a str
    try:
        digits = "".join(strings)
    except TypeError:
        return False
    if not values or not (digits.isascii() and digits.encode().isdigit()):
        return False
    lengths = set(map(len, strings))
    return min(lengths) >= MIN_ID_LEN and max(lengths) <= MAX_ID_LEN


def _dict_children(
    d: dict[str, object], mode: int, out: Collector
) -> Iterator[tuple[object, int]]:
    id_key = None
    if mode != _ANY:
        names = {norm_key(k): k for k in d}
        id_key = next((names[n] for n in ("taskid", "id") if n in names), None)
        if id_key is not None:
            yield d[id_key], _RECORD
        elif mode == _IDLIST and not _ID_LIST_KEYS.intersection(names):
            out.ignore(json.dumps(d, ensure_ascii=False), "not an ID: JSON object without an id")
    for k, v in d.items():
        if k != id_key:
            yield v, _key_mode(k, v)


def _candidate(value: object, out: Collector) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        out.ignore("null" if value is None else json.dumps(value), "empty JSON value")
    elif isinstance(value, bool):
        out.ignore(str(value).lower(), "not an ID: JSON true/false")
    elif isinstance(value, str):  # a string, or a number as its raw text
        if value.isascii() and value.isdigit() and MIN_ID_LEN <= len(value) <= MAX_ID_LEN:
            out.add(value)
        else:
            parse_text(value, out, prose=False)
    else:  # a list or object given as an id field
        out.ignore(str(value), "not an ID: unexpected JSON value")


def _fallback(text: str, out: Collector) -> None:
    """JSON-looking text: the values of id-like keys if any, else all of it as prose."""
    found = False
    for m in _JSON_ID_FIELD.finditer(text):
        found = True
        parse_text(m.group(1) or m.group(2) or m.group(3) or "", out, prose=False)
    if not found:
        parse_text(text, out, prose=True)
