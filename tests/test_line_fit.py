"""One-line texts: a cell padded or cut, a status line that leaves out its least needed parts."""

from __future__ import annotations

from rich.cells import cell_len

from geelark_tui.tui.line_fit import fit, fit_parts, printable


def test_fit_pads_or_cuts_with_an_ellipsis_and_keeps_control_characters_out() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert fit("a\nb\x1b[31mc", 10) == "a b [31mc "
    assert fit("任务", 3) == "任…" and fit("a任务", 3) == "a… "  # cells; no gap before …
    assert fit("ab   cd", 5) == "ab…  "
    assert fit("anything", 0) == "" and fit("anything", 1) == "…"


def test_printable_folds_each_run_of_control_characters_and_keeps_the_spaces() -> None:
    assert printable("  padded  \tcolumn\r\n\x00end ") == "  padded   column end "
    assert printable("plain text") == "plain text"
    assert printable("zero\u200bwidth\u2028line") == "zero width line"


def test_fit_parts_leaves_out_the_highest_rank_first_and_rank_0_never() -> None:
    parts = [("40 of 40 rows", 0), ("sorted by id (reversed)", 2), ("none selected", 1),
             ("re-checking 3 of 40", 0)]
    whole = "40 of 40 rows · sorted by id (reversed) · none selected · re-checking 3 of 40"
    assert fit_parts(parts, 200) == whole
    assert fit_parts(parts, len(whole)) == whole
    assert fit_parts(parts, len(whole) - 1) == (
        "40 of 40 rows · none selected · re-checking 3 of 40")
    assert fit_parts(parts, 40) == "40 of 40 rows · re-checking 3 of 40"
    assert fit_parts([("", 0), ("a", 0), ("", 1), ("b", 1)], 9) == "a · b"  # empty: no part
    assert fit_parts([], 10) == "" and fit_parts(parts, 0) == ""


def test_what_still_does_not_fit_is_cut_in_its_longest_part_the_others_whole() -> None:
    parts = [("12 of 100 rows", 0), ("only code 48001 task status does not allow it", 0),
             ("5 selected (3 hidden)", 0)]
    line = fit_parts(parts, 60)
    assert line == "12 of 100 rows · only code 48001 ta… · 5 selected (3 hidden)"
    assert cell_len(line) == 60
    # Too narrow for that: the line itself is cut.
    assert fit_parts(parts, 20) == "12 of 100 rows · on…"
    assert fit_parts([("tab\there", 0)], 20) == "tab here"  # never a control character


def test_fit_parts_of_equal_rank_leaves_out_the_last_first() -> None:
    parts = [("first", 1), ("second", 1), ("third", 1), ("kept", 0)]
    assert fit_parts(parts, 22) == "first · second · kept"
    assert fit_parts(parts, 14) == "first · kept"


def test_fit_parts_without_cut_leaves_what_must_be_read_whole_to_wrap() -> None:
    parts = [("Stopped: 40003 the token was refused: check it in Settings", 0), ("in 0:02", 1),
             ("3 restart requests", 2), ("openapi.geelark.com", 3)]
    assert fit_parts(parts, 100, cut=False) == (
        "Stopped: 40003 the token was refused: check it in Settings · in 0:02 · "
        "3 restart requests")
    assert fit_parts(parts, 40, cut=False) == parts[0][0]  # the rest left out, nothing cut
