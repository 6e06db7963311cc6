"""Pasted text -> the unique valid task IDs in it, the duplicates dropped and every ignored token.

An ID is a run of 6 to 24 ASCII digits, always kept as ``str`` (real IDs are 18-19 digits, beyond
2**53: never a number). :func:`parse_ids` detects one of three shapes:

``json``
    Text starting with ``[`` or ``{`` that parses as JSON (see ``idjson``): an array of IDs,
    ``{"ids": [...]}``, a whole GeeLark response.
``csv``
    The first non-empty line is a header with a column ``id``, ``taskId``, ``task_id`` or
    ``Task ID`` (any case; tab, comma, semicolon or pipe separated). Only that column is read;
    the other columns are data, not ignored tokens (see ``idtext``).
``text``
    Anything else: tokens separated by blanks, ``,``, ``;``, ``|`` or control characters, with
    surrounding quotes, brackets and punctuation stripped (``(574376043897425897),`` -> the
    ID); IDs in ``taskId=…``/``task_id: …`` pairs and in URLs are read, values of other keys
    (``envId=…``) are not task IDs (see ``idtokens``). A token that is nothing but punctuation
    (a bullet ``-``, ``•``) is a separator, not an ignored token.

Ignored tokens. In a *list* every token that is not an ID is reported. In *prose* (some line has
3 or more words, i.e. whitespace-separated tokens with letters and no digits, like a ticket
"please retry 574376043897425896, thanks") words without digits are skipped as noise, and only
tokens holding a digit that are not IDs are reported ("12345", "57437604389742589x"). Each distinct
ignored token is reported once; :attr:`ParsedIds.ignored` keeps at most :data:`MAX_IGNORED`
entries and :attr:`ParsedIds.ignored_total` counts them all.

Memory: parsing 64 MiB of any of these shapes peaks under 10 times the text's size (held by
``tests/benchmarks/bench_parse_memory.py``); the text itself comes through ``idinput``.
"""

from __future__ import annotations

import re

from geelark_tui.idjson import parse_json
from geelark_tui.idresult import (
    MAX_ID_LEN,
    MAX_IGNORED,
    MIN_ID_LEN,
    Collector,
    IgnoredToken,
    ParsedIds,
    is_valid_id,
)
from geelark_tui.idtext import parse_csv, parse_text

__all__ = ["MAX_ID_LEN", "MAX_IGNORED", "MIN_ID_LEN", "IgnoredToken", "ParsedIds", "is_valid_id",
           "parse_ids"]

_JSON_START = re.compile(r"\s*[\[{]")


def parse_ids(text: str) -> ParsedIds:
    """Read any pasted text; never raises for any ``str`` input."""
    text = text.removeprefix("\ufeff")
    if _JSON_START.match(text):
        out, source = parse_json(text)
        return out.result(source)
    csv_out = parse_csv(text)
    if csv_out is not None:
        return csv_out.result("csv")
    out = Collector()
    parse_text(text, out, prose=None)
    return out.result("text")
