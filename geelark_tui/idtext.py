"""Plain text and CSV -> IDs, a chunk at a time, so memory stays a small multiple of the input.

Text is split into tokens at blanks, ``,``, ``;`` and ``|``; a control character (NUL, ESC,
DEL...) separates tokens like a blank, so the IDs around it are read. Each token is read by
``idtokens.take``. The text is read a chunk (about 1 MB, ending at a line end) at a time: a
chunk of nothing but digits and separators whose tokens are all IDs is added in bulk with no
Python work per token; any other chunk is split, its distinct tokens counted and each read
once. No list of every token of the whole text is ever built.

``key: value`` with blanks around the colon (``taskId: 5743…``, ``"envId": "5743…"`` in a
log line, ``Phone ID: 5743…`` in a ticket) is joined into one token before the split when it
is clearly a key: a quoted key, any key before ``=``, or before ``:`` a key that names an ID
or a thing (``taskId``, ``envId``, ``ID``, ``phone``); "Failed: 5743…" is a sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator

from geelark_tui.idresult import JOINER, MAX_ID_LEN, MIN_ID_LEN, Collector
from geelark_tui.idtokens import OTHER_NOUNS, names_a_key, norm_key, take

CHUNK = 1 << 20  # characters
_CSV_BATCH = 65_536  # cells of the ID column read as one chunk
_SPLIT_RE = re.compile(r"[\s,;|]+")
_HARD_SEP = re.compile(r"[\n,;|]")
_CONTROLS = r"\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"  # the others are blanks already
_CONTROL = re.compile(f"[{_CONTROLS}]")
_NOT_CONTROL_BYTES = bytes(b for b in range(128) if not _CONTROL.match(chr(b)))
_DIGITS_AND_BLANKS = b"0123456789,;|" + bytes(b for b in range(128) if chr(b).isspace())
_COMPOUND_NOUNS = OTHER_NOUNS | {"task"}
# Where a key may end: "key = v", "key= v", "key =v", "key : v", and "key: v" when the key could
# name an ID or a thing (checked fully in _loose_pair). Each pattern starts with a literal, so
# the scan is fast, and the colons of "12:00:07" and "Failed: …" never reach Python code.
_KEY_ENDINGS = sorted({"id", "ids", "task", "tasks", *OTHER_NOUNS, *(n + "s" for n in OTHER_NOUNS)})
_BY_LENGTH = {len(e): "|".join(x for x in _KEY_ENDINGS if len(x) == len(e)) for e in _KEY_ENDINGS}
_LOOSE_MARKS = tuple(re.compile(pattern) for pattern in (
    r"=(?:(?=[ \t])|(?<=[ \t]=))",
    r" :",
    *(rf":{blank}(?:(?<=[\"']:{blank})|"
      + "|".join(f"(?<=(?i:{endings}):{blank})" for endings in _BY_LENGTH.values()) + ")"
      for blank in (" ", "\t")),
))
_BLANK = rf"(?:[^\S\n]|[{_CONTROLS}])"
_SOLID = rf"[^\s{_CONTROLS}]"
_WORD = rf"(?=[^\s\d{_CONTROLS}]*+(?!{_SOLID}))(?=[^\s\d{_CONTROLS}]*?[^\W\d_]){_SOLID}++"
_PROSE_LINE = rf"{_BLANK}*+(?>(?:{_SOLID}++{_BLANK}++)*?{_WORD}{_BLANK}*+){{3}}"
_PROSE_FIRST = re.compile(_PROSE_LINE)
_PROSE_NEXT = re.compile(rf"\n{_PROSE_LINE}")  # starts with a literal: a fast scan
_LETTER = re.compile(r"[^\W\d_]")
_KEY_NAME = re.compile(r"[A-Za-z][\w.\-]{0,63}")
_ID_COLUMNS = ("taskid", "id", "taskids", "ids")  # priority order
_ID_RUN = re.compile(r"[0-9]{6}")  # a header line holding this is data, not a header


def split(text: str) -> list[str]:
    return text.replace(",", " ").replace(";", " ").replace("|", " ").split()


def looks_like_prose(text: str, start: int = 0) -> bool:
    letter = _LETTER.search(text, start)
    if letter is None:
        return False
    line = text.rfind("\n", start, letter.start())
    if line < 0:
        return _PROSE_FIRST.match(text, start) is not None or (
            _PROSE_NEXT.search(text, start) is not None)
    return _PROSE_NEXT.search(text, line) is not None


def chunks(text: str, start: int = 0) -> Iterator[str]:
    """``text[start:]`` in pieces of about :data:`CHUNK` characters, each ending at a line
    end or, inside a very long line, at a separator (a comma, semicolon or pipe rather than
    a blank, which could be the one in "taskId: 5743…")."""
    size = len(text)
    while start < size:
        end = start + CHUNK
        if end < size:
            cut = _HARD_SEP.search(text, end, end + CHUNK) or _SPLIT_RE.search(text, end)
            end = cut.end() if cut else size
        yield text[start:end]
        start = end


def _word_before(text: str, at: int) -> str:
    """The token that ends at ``text[at]`` (at most 64 characters of it)."""
    parts = text[max(0, at - 64) : at].rsplit(None, 1)
    word = parts[-1] if parts and not text[at - 1 : at].isspace() else ""
    for separator in ",;|":
        if separator in word:
            word = word.rsplit(separator, 1)[-1]
    return word


def _blanks_back(text: str, at: int, floor: int) -> int:
    while at > floor and text[at - 1] in " \t":
        at -= 1
    return at


def _loose_pair(text: str, at: int, floor: int) -> list[tuple[int, int]]:
    """The blank runs to join if ``text[at]``, a ``=`` or ``:`` with a blank beside it, ends
    a key: before it, after it, and inside "Phone ID"; none if it does not."""
    key_end = _blanks_back(text, at, floor)
    key = _word_before(text, key_end)
    name = key.lstrip("{[(")
    if key_end - len(key) < floor or not _KEY_NAME.fullmatch(name.strip("\"'")):
        return []  # not a key: "count >= 5", "2026-01-01 = …", "a => b"
    if text[at] == ":" and not (name[:1] in "\"'" or name[-1:] in "\"'" or names_a_key(name)):
        return []  # a colon in a sentence: "Failed: 5743…"
    value = at + 1
    while value < len(text) and text[value] in " \t":
        value += 1
    if value == len(text) or not (text[value].isalnum() or text[value] in "\"'([{<#+-"):
        return []
    spans = [(key_end, at), (at + 1, value)]
    if key.lower() in ("id", "ids"):
        noun_end = _blanks_back(text, key_end - len(key), floor)
        noun = _word_before(text, noun_end)
        if noun.lower() in _COMPOUND_NOUNS and noun_end - len(noun) >= floor:
            return [(noun_end, key_end - len(key)), *spans]  # "Phone ID: …", "Task ID: …"
    return spans


def join_pairs(text: str) -> str:
    """``key: value`` -> one token (the blanks become :data:`JOINER`)."""
    pieces: list[str] = []
    done = 0
    marks = sorted({m.end() - 1 if m.group() == " :" else m.start()
                    for pattern in _LOOSE_MARKS for m in pattern.finditer(text)})
    for mark in marks:
        for start, end in _loose_pair(text, mark, done):
            if end > start:
                pieces += (text[done:start], JOINER * (end - start))
                done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def parse_chunk(chunk: str, out: Collector, prose: bool | Callable[[], bool]) -> None:
    """Read one chunk; ``prose`` may be a function, asked only if some token needs it."""
    data = chunk.encode() if chunk.isascii() else b""
    if data and not data.translate(None, _DIGITS_AND_BLANKS):  # only digits and separators
        tokens = split(chunk)
        lengths = set(map(len, tokens))
        if not tokens or (min(lengths) >= MIN_ID_LEN and max(lengths) <= MAX_ID_LEN):
            out.add_all(tokens)  # every token is an ID
            return
    else:
        if data.translate(None, _NOT_CONTROL_BYTES) if data else _CONTROL.search(chunk):
            chunk = _CONTROL.sub(" ", chunk)
        if ":" in chunk or "=" in chunk:
            chunk = join_pairs(chunk)
        tokens = split(chunk)
    del data
    if not isinstance(prose, bool):
        prose = prose()
    for raw, n in Counter(tokens).items():
        take(raw, n, out, prose)


def parse_text(text: str, out: Collector, *, prose: bool | None, start: int = 0) -> None:
    """Read ``text[start:]``; whether it is prose is found out when it matters, if not given."""
    found: list[bool] = [] if prose is None else [prose]

    def is_prose() -> bool:
        if not found:
            found.append(looks_like_prose(text, start))
        return found[0]

    for chunk in chunks(text, start):
        parse_chunk(chunk, out, is_prose)


# --- csv ----------------------------------------------------------------------------------------


def _lines(text: str, start: int) -> Iterator[str]:
    for chunk in chunks(text, start):
        yield from chunk.splitlines(keepends=True)


def parse_csv(text: str) -> Collector | None:
    """Read ``text`` as CSV if its first line is a header naming an ID column, else None.

    Only that column is read; the other columns are data, not ignored tokens."""
    first = re.match(r"\s*([^\r\n]*)", text)
    if first is None or not first.group(1) or len(first.group(1)) > 10_000:
        return None
    header_line = first.group(1)
    delim = max("\t,;|", key=header_line.count)
    cells = [c.strip().strip("\"'") for c in header_line.split(delim)]
    header = [norm_key(c) for c in cells]
    col = next((header.index(h) for h in _ID_COLUMNS if h in header), -1)
    if col < 0 or _ID_RUN.search(header_line):
        return None
    out = Collector()
    if len(cells) == 1:  # a lone "IDs" title line: what follows is any list
        parse_text(text, out, prose=None, start=first.end())
        return out
    import csv  # here, not at the top: only a pasted table needs it (a headless start does not)

    header_lineno = text.count("\n", 0, first.start(1)) + 1
    batch: list[str] = []

    def flush() -> None:
        parse_chunk("\n".join(batch), out, prose=False)
        batch.clear()

    reader = csv.reader(_lines(text, first.end()), delimiter=delim)
    try:
        for row in reader:
            if col < len(row) and row[col].strip():
                batch.append(row[col])
                if len(batch) >= _CSV_BATCH:
                    flush()
            elif any(cell.strip() for cell in row):
                flush()
                where = header_lineno + reader.line_num - 1
                token = delim.join(row)
                out.ignore(token, f"empty {cells[col]} cell (line {where})", f"{token}\n{where}")
    except csv.Error:  # e.g. a field over csv.field_size_limit(): read it as text instead
        return None
    flush()
    return out
