"""One-line texts: a cell padded or cut, a status line that leaves out its least needed parts."""

from __future__ import annotations

from rich.cells import cell_len

from geelark_tui.tui.line_fit import fit, fit_parts


def test_fit_pads_or_cuts_with_an_ellipsis_and_keeps_control_characters_out() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert fit("a\nb\x1b[31mc", 10) == "a b [31mc "
    assert fit("任务", 3) == "任…" and cell_len(fit("任务", 3)) == 3  # wide characters: cells
    assert fit("anything", 0) == ""


def test_fit_parts_leaves_out_the_highest_rank_first_and_rank_0_never() -> None:
    parts = [("40 of 40 rows", 0), ("sorted by id (reversed)", 2), ("none selected", 1),
             ("re-checking 3 of 40", 0)]
    whole = "40 of 40 rows · sorted by id (reversed) · none selected · re-checking 3 of 40"
    assert fit_parts(parts, 200) == whole
    assert fit_parts(parts, len(whole)) == whole
    assert fit_parts(parts, len(whole) - 1) == (
        "40 of 40 rows · none selected · re-checking 3 of 40")
    assert fit_parts(parts, 40) == "40 of 40 rows · re-checking 3 of 40"
    # What rank 0 keeps and still does not fit is cut, with a sign that it was.
    assert fit_parts(parts, 20) == "40 of 40 rows · re-…"
    assert fit_parts([("", 0), ("a", 0), ("", 1), ("b", 1)], 9) == "a · b"  # empty: no part


def test_fit_parts_of_equal_rank_leaves_out_the_last_first() -> None:
    parts = [("first", 1), ("second", 1), ("third", 1), ("kept", 0)]
    assert fit_parts(parts, 22) == "first · second · kept"
    assert fit_parts(parts, 14) == "first · kept"
