"""The streamed JSON and CSV are exactly what `json.dumps(indent=2)` and the csv module give,
for any document, and a large result is written in pieces, never as one string."""

from __future__ import annotations

import json
import random
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geelark_tui import report
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.ids import IgnoredToken
from geelark_tui.jsonout import PIECE, iter_document, pretty
from geelark_tui.report import RunExtras, iter_csv, iter_json, render_pieces, summarize, to_csv

scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12)


@given(values)
def test_pretty_is_json_dumps_with_indent_2(value: Any) -> None:
    assert pretty(value) == json.dumps(value, ensure_ascii=False, indent=2)


@given(st.dictionaries(st.text(max_size=5), values, max_size=4), st.lists(values, max_size=5))
def test_a_document_with_a_streamed_list_is_the_same_text(fields: dict[str, Any],
                                                           items: list[Any]) -> None:
    document = {**fields, "results": items}
    text = "".join(iter_document({**fields, "results": iter(items)},
                                 streamed=frozenset({"results"})))
    assert text == json.dumps(document, ensure_ascii=False, indent=2)


def results(n: int) -> list[IdResult]:
    rng = random.Random(n)
    outcomes = list(Outcome)
    return [IdResult(str(10**17 + k), rng.choice(outcomes), rng.choice([None, 0, 48001]),
                     "".join(rng.choices(string.printable + "éß✔\u2028", k=12)),
                     rng.choice([None, 1, 4, 7])) for k in range(n)]


def test_the_result_document_is_unchanged_and_written_in_pieces() -> None:
    rows = results(2 * PIECE + 3)
    invalid = (IgnoredToken("12x", "not an ID: contains letters"),)
    for with_status in (False, True):
        pieces = list(iter_json(rows, invalid, RunExtras(with_status=with_status)))
        expected = {"summary": summarize(rows, with_skipped=with_status),
                    "results": [{"id": r.id, "outcome": r.outcome.value, "code": r.code,
                                 "message": r.message, **({"status": r.status}
                                                          if with_status else {})}
                                for r in rows],
                    "invalid": [{"token": "12x", "reason": "not an ID: contains letters"}]}
        assert "".join(pieces) == json.dumps(expected, ensure_ascii=False, indent=2)
        assert max(map(len, pieces)) < len("".join(pieces)) / 2
    assert "".join(iter_json([], ())) == json.dumps(
        {"summary": summarize([]), "results": [], "invalid": []}, ensure_ascii=False, indent=2)


def test_csv_in_pieces_is_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = results(PIECE + 5)
    pieces = list(iter_csv(rows, RunExtras(with_status=True)))
    monkeypatch.setattr(report, "PIECE", 10**9)
    whole = list(iter_csv(rows, RunExtras(with_status=True)))
    assert len(pieces) == 2 and len(whole) == 1 and "".join(pieces) == whole[0]
    assert "".join(render_pieces("csv", rows)) == to_csv(rows)
