"""geelark_tui.ids: any pasted text -> unique valid IDs, duplicates, ignored tokens."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geelark_tui.ids import (
    MAX_ID_LEN,
    MAX_IGNORED,
    MIN_ID_LEN,
    IgnoredToken,
    ParsedIds,
    is_valid_id,
    parse_ids,
)

A, B, C, D = (
    "574376043897425896",
    "574376043897425897",
    "574376043897425898",
    "5743760438974258990",
)
# GeeLark's published "Partial Success" example, verbatim: not valid JSON.
PUBLISHED_PARTIAL = """{
    "traceId": "123456ABCEDF",
    "code": 40006,
    "msg": "partial success",
    "data": {
        "totalAmount": 2,
        "successAmount": 1,
        "failAmount": 1,
        "failDetails": [
            "id": "123456ABCEDF"
            "code": "48001",
            "msg": "the current task status does not allow the operation"
        ]
    }
}"""


def reasons(r: ParsedIds) -> dict[str, str]:
    return {i.token: i.reason for i in r.ignored}


# --- validity ------------------------------------------------------------------------------------


def test_is_valid_id_bounds() -> None:
    assert (MIN_ID_LEN, MAX_ID_LEN) == (6, 24)
    assert is_valid_id("1" * 6) and is_valid_id("9" * 24) and is_valid_id(A)
    assert not is_valid_id("1" * 5) and not is_valid_id("1" * 25)
    assert not is_valid_id("") and not is_valid_id(A + "\n") and not is_valid_id(f" {A}")
    assert not is_valid_id("57437604389742589x")


@pytest.mark.parametrize(
    "digits",
    ["٥٧٤٣٧٦٠٤٣٨٩٧٤٢٥٨٩٦", "５７４３７６０４３８９７４２５８９６", "५७४३७६०४३८९७४२५८९६"],
    ids=["arabic-indic", "fullwidth", "devanagari"],
)
def test_non_ascii_digits_are_not_ids(digits: str) -> None:
    assert not is_valid_id(digits)
    r = parse_ids(f"{A}\n{digits}")
    assert r.ids == (A,)
    assert reasons(r) == {digits: "not an ID: contains non-ASCII digits"}


# --- text shapes ---------------------------------------------------------------------------------


def test_one_per_line() -> None:
    r = parse_ids(f"{A}\n{B}\n{C}\n")
    assert r == ParsedIds((A, B, C), 0, (), "text", 0)
    assert r.count == 3


@pytest.mark.parametrize("sep", [",", ", ", ";", " ; ", " ", "\t", "|", " | "])
def test_separated_lists(sep: str) -> None:
    r = parse_ids(sep.join([A, B, C, D]))
    assert r.ids == (A, B, C, D)
    assert r.source == "text" and not r.ignored


def test_mixed_separators_and_blank_lines() -> None:
    r = parse_ids(f"\n\n  {A},{B};\t{C} |{D}\n\n")
    assert r.ids == (A, B, C, D)


def test_quoted_ids() -> None:
    r = parse_ids(f"'{A}', \"{B}\"\n`{C}` “{D}”")
    assert r.ids == (A, B, C, D) and not r.ignored


def test_surrounding_punctuation_is_stripped() -> None:
    r = parse_ids(f"{A}, ({B}) #{C}. [{D}]!")
    assert r.ids == (A, B, C, D) and not r.ignored


def test_bullets_are_not_reported() -> None:
    r = parse_ids(f"- {A}\n* {B}\n• {C}")
    assert r.ids == (A, B, C) and not r.ignored


def test_order_preserved_and_duplicates_counted() -> None:
    r = parse_ids(f"{C}\n{A}\n{C}\n{B}\n{A}\n{C}")
    assert r.ids == (C, A, B)
    assert r.duplicates == 3


def test_duplicates_after_punctuation_stripping() -> None:
    r = parse_ids(f"{A} ({A}) '{A}' {A}.")
    assert r.ids == (A,) and r.duplicates == 3 and not r.ignored


def test_ids_are_always_str_and_exact() -> None:
    big = "9" * 24
    r = parse_ids(f"{big}\n000123")
    assert r.ids == (big, "000123")
    assert all(type(i) is str for i in r.ids)


def test_crlf_and_bom() -> None:
    r = parse_ids(f"\ufeff{A}\r\n{B}\r\n\r\n{A}\r\n")
    assert r.ids == (A, B) and r.duplicates == 1 and not r.ignored


def test_empty_and_blank_input() -> None:
    for text in ("", "   \n\t\r\n", "\ufeff"):
        assert parse_ids(text) == ParsedIds((), 0, (), "text", 0)


# --- ignore reasons ------------------------------------------------------------------------------


def test_each_ignore_reason_in_a_list() -> None:
    long_run = "1" * 30
    r = parse_ids(f"{A}\n12345\n7\n{long_run}\n57437604389742589x\nabc\n574-376-043\n5.74376E+17")
    assert r.ids == (A,)
    assert reasons(r) == {
        "12345": "too short: 5 digits (an ID has 6 to 24)",
        "7": "too short: 1 digit (an ID has 6 to 24)",
        long_run: "too long: 30 digits (an ID has 6 to 24)",
        "57437604389742589x": "not an ID: contains letters",
        "abc": "not an ID: contains letters",
        "574-376-043": "not an ID: contains '-'",
        "5.74376E+17": "not an ID: a number rounded to scientific notation (export IDs as text)",
    }
    assert r.ignored_total == 7


def test_ignored_token_shown_as_it_appeared() -> None:
    r = parse_ids(f"{A}, (12345),")
    assert r.ignored == (IgnoredToken("(12345)", "too short: 5 digits (an ID has 6 to 24)"),)


def test_long_ignored_token_is_truncated() -> None:
    junk = "x" * 500
    (item,) = parse_ids(f"{A} {junk}").ignored
    assert len(item.token) == 60 and item.token.endswith("…")
    assert item.token.startswith("xxx")


def test_repeated_ignored_token_reported_once() -> None:
    r = parse_ids(f"{A}\nabc\nabc\n{B}\nabc")
    assert r.ignored == (IgnoredToken("abc", "not an ID: contains letters"),)
    assert r.duplicates == 0


def test_ignored_list_is_capped() -> None:
    text = "\n".join([A, *(f"x{i}" for i in range(MAX_IGNORED + 500))])
    r = parse_ids(text)
    assert r.ids == (A,)
    assert len(r.ignored) == MAX_IGNORED
    assert r.ignored_total == MAX_IGNORED + 500
    assert r.ignored_omitted == 500
    assert r.ignored[0].token == "x0"


# --- prose ---------------------------------------------------------------------------------------


def test_prose_ticket() -> None:
    r = parse_ids(f"Hi team, please retry {A} and {B}, thanks!")
    assert r.ids == (A, B)
    assert r.ignored == () and r.source == "text"


def test_prose_reports_only_tokens_with_digits() -> None:
    text = (
        f"Hello support, the tasks {A} and ({B}) failed again.\n"
        f"Also 12345 and 57437604389742589x and {'4' * 30} please. Last one: #{C}."
    )
    r = parse_ids(text)
    assert r.ids == (A, B, C)
    assert set(reasons(r)) == {"12345", "57437604389742589x", "4" * 30}


def test_short_word_list_is_not_prose() -> None:
    # fewer than 3 words on every line: a list, so every non-ID token is reported
    r = parse_ids(f"{A}\nfoo\n{B} bar")
    assert r.ids == (A, B)
    assert set(reasons(r)) == {"foo", "bar"}


def test_log_line() -> None:
    r = parse_ids(f"2024-05-29 12:00:01 ERROR task {A} failed code=48001")
    assert r.ids == (A,)
    assert set(reasons(r)) == {"2024-05-29", "12:00:01", "code=48001"}


# --- JSON ----------------------------------------------------------------------------------------


def test_json_array_of_strings() -> None:
    r = parse_ids(json.dumps([A, B, A, C]))
    assert r == ParsedIds((A, B, C), 1, (), "json", 0)


def test_json_array_of_numbers_stays_exact() -> None:
    huge = "123456789012345678901234"  # 24 digits: far beyond float precision
    r = parse_ids(f"[{A}, {B}, {huge}]")
    assert r.ids == (A, B, huge)
    assert float(A) != int(A)  # why the raw text matters: the float would be wrong


def test_json_array_reports_non_ids() -> None:
    r = parse_ids(f'[{A}, "", null, true, 1.5, 12345, "abc", {{"code": 1}}, "{B}"]')
    assert r.ids == (A, B)
    assert reasons(r) == {
        '""': "empty JSON value",
        "null": "empty JSON value",
        "true": "not an ID: JSON true/false",
        "1.5": "not an ID: contains '.'",
        "12345": "too short: 5 digits (an ID has 6 to 24)",
        "abc": "not an ID: contains letters",
        '{"code": "1"}': "not an ID: JSON object without an id",
    }


def test_json_object_with_ids_key() -> None:
    assert parse_ids(json.dumps({"ids": [A, B]})).ids == (A, B)


@pytest.mark.parametrize("key", ["ids", "taskIds", "task_ids", "TaskIDs"])
def test_json_id_list_keys_anywhere(key: str) -> None:
    doc = {"request": {"body": {key: [A, int(B)]}}, "note": "retry 574376043897425899"}
    r = parse_ids(json.dumps(doc))
    assert r.ids == (A, B) and r.source == "json" and not r.ignored


def test_json_whole_restart_response() -> None:
    resp = {
        "traceId": "123456ABCEDF",
        "code": 40006,
        "msg": "partial success",
        "data": {
            "totalAmount": 3,
            "successAmount": 1,
            "failAmount": 2,
            "failDetails": [
                {"id": A, "code": 48001, "msg": "status does not allow"},
                {"id": B, "code": "48000", "msg": "retry limit"},
            ],
        },
    }
    r = parse_ids(json.dumps(resp))
    assert r == ParsedIds((A, B), 0, (), "json", 0)


def test_json_query_response_items() -> None:
    resp = {"code": 0, "data": {"total": 2, "items": [{"id": C, "status": 4}, {"id": D}]}}
    assert parse_ids(json.dumps(resp)).ids == (C, D)


def test_json_single_task_object_and_task_id_field() -> None:
    assert parse_ids(json.dumps({"id": A, "status": 4})).ids == (A,)
    assert parse_ids(json.dumps([{"taskId": A, "id": "row-1"}, {"task_id": B}])).ids == (A, B)


def test_json_with_bom_and_crlf() -> None:
    assert parse_ids(f'\ufeff{{\r\n  "ids": [\r\n    "{A}",\r\n    {B}\r\n  ]\r\n}}').ids == (A, B)


def test_json_invalid_published_example() -> None:
    r = parse_ids(PUBLISHED_PARTIAL)
    assert r.ids == ()
    # only the "id" value is considered: code 48001 and totals are not reported as short IDs
    assert r.ignored == (IgnoredToken("123456ABCEDF", "not an ID: contains letters"),)


def test_json_invalid_published_example_with_real_ids() -> None:
    text = PUBLISHED_PARTIAL.replace('"id": "123456ABCEDF"', f'"id": "{A}"')
    text = text.replace('"msg": "the', f'"id": {B},\n"msg": "the')
    r = parse_ids(text)
    assert r.ids == (A, B) and not r.ignored and r.source == "text"


def test_truncated_json_falls_back_to_text() -> None:
    r = parse_ids(f"[{A}, {B}, {C}")
    assert r.ids == (A, B, C) and r.source == "text"


def test_json_without_known_keys_still_finds_ids() -> None:
    r = parse_ids(json.dumps({"task": {"id": A}, "failed": [B]}))
    assert r.ids == (A,)


def test_deeply_nested_json_does_not_raise() -> None:
    depth = sys.getrecursionlimit() * 3
    r = parse_ids("[" * depth + A + "]" * depth)
    assert r.ids == (A,)
    r = parse_ids('{"ids": ' * 50 + f'["{A}"]' + "}" * 50)
    assert r.ids == (A,)


def test_bracketed_prose_is_not_json() -> None:
    r = parse_ids(f"[ticket 42] please retry {A} now")
    assert r.ids == (A,) and r.source == "text"


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_task_id_column_among_others() -> None:
    text = (
        "planName,taskId,status,envId\r\n"
        f"warm up,{A},4,{C}\r\n"
        f"post video,{B},7,{D}\r\n"
        f"again,{A},4,{C}\r\n"
    )
    r = parse_ids(text)
    assert r == ParsedIds((A, B), 1, (), "csv", 0)


@pytest.mark.parametrize("header", ["id", "ID", "taskId", "task_id", "TASK_ID", "Task ID"])
@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_csv_header_variants(header: str, delim: str) -> None:
    text = f"name{delim}{header}\nfoo{delim}{A}\nbar{delim}{B}\n"
    assert parse_ids(text) == ParsedIds((A, B), 0, (), "csv", 0)


def test_csv_quoted_cells_and_bom() -> None:
    text = f'\ufeff"name","taskId"\n"a, b","{A}"\n"c","#{B}"\n'
    assert parse_ids(text).ids == (A, B)


def test_csv_reports_bad_cells_of_the_id_column_only() -> None:
    text = f"name,taskId,status\nfoo,{A},4\nbar,,4\nbaz,12345,x\nq,5.74376E+17,4\n"
    r = parse_ids(text)
    assert r.ids == (A,) and r.source == "csv"
    assert reasons(r) == {
        "bar,,4": "empty taskId cell (line 3)",
        "12345": "too short: 5 digits (an ID has 6 to 24)",
        "5.74376E+17": "not an ID: a number rounded to scientific notation (export IDs as text)",
    }


def test_single_column_csv() -> None:
    r = parse_ids(f"taskId\n{A}\n{B}\n")
    assert r.ids == (A, B) and r.source == "csv" and not r.ignored


def test_title_line_then_list() -> None:
    r = parse_ids(f"Task IDs\n{A}, {B}\n{C}; 12345\n")
    assert r.ids == (A, B, C) and r.source == "csv"
    assert set(reasons(r)) == {"12345"}


def test_comma_list_is_not_csv() -> None:
    r = parse_ids(f"{A},{B}\n{C},{D}")
    assert r.ids == (A, B, C, D) and r.source == "text"


# --- control characters (issue 10 item 9) --------------------------------------------------------


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x9b"])
def test_a_control_character_separates_tokens(control: str) -> None:
    r = parse_ids(f"{A}{control}{B}\n{C}{control}junk{control}{D}")
    assert r.ids == (A, B, C, D)
    assert reasons(r) == {"junk": "not an ID: contains letters"}


@pytest.mark.parametrize("text", [
    f'taskId,name\n"{A}\x00{B}",x\n',  # a CSV cell
    json.dumps([f"{A}\x00{B}"]),  # a JSON string
    f"please retry {A}\x00{B} thanks",  # prose
    f"taskId={A}\x00taskId={B}",  # pairs
])
def test_a_nul_separates_ids_in_every_shape(text: str) -> None:
    r = parse_ids(text)
    assert r.ids == (A, B) and not r.ignored


# --- signed numbers (issue 10 item 9) ------------------------------------------------------------

NEGATIVE = "negative number: not a task ID"
SIGNED = "signed number: not a task ID"


@pytest.mark.parametrize("token", [f"-{A}", f"(-{A})", f"--{A}", f"[-{A}].", "-12345"])
def test_a_negative_number_is_not_read_as_the_positive_id(token: str) -> None:
    r = parse_ids(f"{B}\n{token}")
    assert r.ids == (B,)
    assert reasons(r) == {token: NEGATIVE}


@pytest.mark.parametrize("text", [
    f"{B} -{A} +{C}",
    f"please retry {B}, -{A} and +{C} today",
    f"taskId,plan\n{B},x\n-{A},y\n+{C},z\n",
    f"[{B}, -{A}]",
    json.dumps([B, f"-{A}", f"+{C}"]),
    json.dumps({"ids": f"{B}, -{A}, +{C}"}),
    f"taskId={B} taskId=-{A} task_id:+{C}",
])
def test_a_signed_number_is_refused_alike_in_every_shape(text: str) -> None:
    r = parse_ids(text)
    assert r.ids == (B,)
    assert {i.reason for i in r.ignored} <= {NEGATIVE, SIGNED}
    assert NEGATIVE in {i.reason for i in r.ignored}


def test_a_dash_before_a_blank_or_after_the_digits_is_not_a_sign() -> None:
    r = parse_ids(f"- {A}\n-- {B}\n{C}-\n– {D}")
    assert r.ids == (A, B, C, D)


# --- JSON: a string where a list is expected (issue 10 item 9) -----------------------------------


@pytest.mark.parametrize("doc", [
    {"ids": f"{A},{B}"},
    {"taskIds": f"{A} {B}"},
    {"request": {"task_ids": f"{A}; {B}\n"}},
    [f"{A}, {B}"],
    {"data": {"items": [{"taskId": f"{A},{B}"}]}},
])
def test_a_json_string_of_several_ids_is_read_like_a_paste(doc: object) -> None:
    r = parse_ids(json.dumps(doc))
    assert r.ids == (A, B) and r.source == "json" and not r.ignored


def test_a_json_string_of_ids_explains_its_bad_tokens() -> None:
    r = parse_ids(json.dumps({"ids": f"{A}, 12345, abc"}))
    assert r.ids == (A,)
    assert reasons(r) == {"12345": "too short: 5 digits (an ID has 6 to 24)",
                          "abc": "not an ID: contains letters"}


# --- IDs in log lines and URLs (issue 14 item 1) -------------------------------------------------

T0, T1, T2, T3, T4 = (f"5743760438974258{n}" for n in range(10, 15))
OTHER = "574376043897111111"


@pytest.mark.parametrize("text", [
    f"taskId={T0}",
    f"task_id:{T0}",
    f"id={T0}",
    f"2026-05-29 12:00:01 ERROR restart {{\"taskId\": \"{T0}\", \"code\": 48001}} failed",
    f'2026-05-29 12:00:01 ERROR {{"taskId":"{T0}","envId":"{OTHER}"}}',
    f"taskId: {T0}",
    f"taskId = {T0}",
    f"X-Task-Id: {T0}",
    f"Task ID: {T0}",
    f"TaskIDs: {T0}",
    f"https://open.geelark.com/task/{T0}",
    f"<https://open.geelark.com/#/automation/task/{T0}?tab=log>",
    f"open.geelark.com/tasks/{T0}/detail",
    f"https://open.geelark.com/detail?taskId={T0}&envId={OTHER}",
    f"https://open.geelark.com/task/{T0}?envId={OTHER}&id={T0}",
])
def test_an_id_in_a_key_value_pair_or_a_url_is_read(text: str) -> None:
    r = parse_ids(f"{text}\n{T1}")
    assert r.ids == (T0, T1)
    assert all(i.reason.startswith(("value of ", "not an ID")) for i in r.ignored)
    assert OTHER not in r.ids


@pytest.mark.parametrize("key", ["envId", "phoneId", "userId", "planId", "groupId", "env_id",
                                 "serialNo", "traceId"])
@pytest.mark.parametrize("form", ["{key}={v}", "{key}:{v}", '"{key}": "{v}",', "{key} = {v}",
                                  "https://open.geelark.com/a?{key}={v}"])
def test_a_value_under_a_key_that_names_something_else_is_not_a_task_id(
        key: str, form: str) -> None:
    r = parse_ids(f"{A} " + form.format(key=key, v=B))
    assert r.ids == (A,)
    assert [i.reason for i in r.ignored] == [f"value of {key}: not a task ID"]


@pytest.mark.parametrize("key", ["envId", "phone_id", "userID", "Env ID", "Phone ID", "Plan",
                                 "Group"])
def test_key_colon_blank_value_under_another_key(key: str) -> None:
    r = parse_ids(f"Task ID: {A}\n{key}: {B}")
    assert r.ids == (A,)
    assert reasons(r) == {f"{key}: {B}": f"value of {key}: not a task ID"}


def test_a_colon_in_a_sentence_is_not_a_key() -> None:
    r = parse_ids(f"Failed again: {A}. Note: {B}, and the last one: #{C}, thanks")
    assert r.ids == (A, B, C) and not r.ignored


@pytest.mark.parametrize("text", [f"{A} => {B}", f"count >= {A} and {B}", f"{A} = {B}",
                                  f"2026-05-29 = {A}, {B}", f"(note) = {A}; x == {B}"])
def test_an_equals_sign_after_something_that_is_not_a_key_leaves_the_ids_alone(
        text: str) -> None:
    assert parse_ids(text).ids == (A, B)


def test_numbers_under_other_keys_in_a_log_are_not_ids() -> None:
    r = parse_ids(f"ts=1717000000123 pid=2345678 task={A} code=48001 duration_ms=1234567")
    assert r.ids == (A,)
    assert {i.reason for i in r.ignored} == {
        f"value of {k}: not a task ID" for k in ("ts", "pid", "code", "duration_ms")}


def test_a_url_path_segment_after_another_thing_is_not_a_task_id() -> None:
    r = parse_ids(f"https://open.geelark.com/env/{B}/task/{A}")
    assert r.ids == (A,)
    assert reasons(r) == {f"env/{B}": "after /env/ in a URL: not a task ID"}


def test_a_url_without_an_id_is_explained_in_a_list_and_skipped_in_prose() -> None:
    url = "https://open.geelark.com/tasks"
    assert reasons(parse_ids(f"{A}\n{url}")) == {url: "not an ID: a URL without a task ID"}
    assert parse_ids(f"please see {url} for {A}, thanks").ignored == ()


def test_pairs_and_urls_keep_input_order_and_count_duplicates() -> None:
    r = parse_ids(f"taskId={B}\n{A}\nhttps://open.geelark.com/task/{B}\nid={C} task_id:{A}")
    assert r.ids == (B, A, C)
    assert r.duplicates == 2


def test_a_log_file_with_ids_in_every_form() -> None:
    log = "\n".join([
        f"2026-05-29 12:00:01 INFO restart requested taskId={T0} envId={OTHER} by support",
        f'2026-05-29 12:00:02 WARN {{"taskId": "{T1}", "phoneId": "{OTHER}", "code": 48001}}',
        f"2026-05-29 12:00:03 ERROR task_id:{T2} failed, see https://open.geelark.com/task/{T3}",
        f"2026-05-29 12:00:04 ERROR id={T4} userId={OTHER} retry later",
        f"2026-05-29 12:00:05 INFO taskId={T0} done",
    ])
    r = parse_ids(log)
    assert r.ids == (T0, T1, T2, T3, T4)
    assert r.duplicates == 1
    assert {i.reason for i in r.ignored if OTHER in i.token} == {
        "value of envId: not a task ID", "value of phoneId: not a task ID",
        "value of userId: not a task ID"}


def test_a_long_single_line_of_pairs_is_read_across_chunks() -> None:
    ids = [str(10**17 + i) for i in range(120_000)]  # about 3 MB on one line
    assert parse_ids(", ".join(f"taskId: {i}" for i in ids)).ids == tuple(ids)
    assert parse_ids(" ".join(f"taskId={i}" for i in ids)).ids == tuple(ids)


# --- big input -----------------------------------------------------------------------------------


def test_duplicates_are_found_across_a_list_of_hundreds_of_thousands() -> None:
    ids = [str(10**17 + i) for i in range(800_000)]  # more than one of the collector's dicts
    text = "\n".join([*ids, *ids[:5], "x", *ids[-3:], ids[0], ids[400_000]])
    r = parse_ids(text)
    assert r.ids == tuple(ids)
    assert r.duplicates == 10
    assert reasons(r) == {"x": "not an ID: contains letters"}


def test_large_input_with_junk_in_the_middle() -> None:
    ids = [str(10**17 + i) for i in range(50_000)]
    text = "\n".join([*ids[:100], "oops", *ids[100:], *ids[:10]])
    r = parse_ids(text)
    assert r.ids == tuple(ids) and r.duplicates == 10
    assert reasons(r) == {"oops": "not an ID: contains letters"}


# --- properties ----------------------------------------------------------------------------------

id_strategy = st.from_regex(r"[0-9]{6,24}", fullmatch=True)
noise = st.sampled_from(
    [",", ";", "|", " ", "\t", "\n", "\r\n", "'", '"', "(", ")", "#", ".", "[", "]", "{", "}", ":"]
)
text_strategy = st.one_of(
    st.text(),
    st.lists(st.one_of(id_strategy, noise, st.text(max_size=8))).map("".join),
    st.lists(st.one_of(id_strategy, st.integers(), st.text(max_size=5), st.none())).map(json.dumps),
    st.lists(id_strategy).map(lambda xs: json.dumps({"data": {"items": [{"id": x} for x in xs]}})),
)


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_parse_properties(text: str) -> None:
    r = parse_ids(text)
    assert r.source in ("json", "csv", "text")
    assert all(is_valid_id(i) for i in r.ids)
    assert len(set(r.ids)) == len(r.ids)
    assert all(i in text for i in r.ids)
    assert r.duplicates >= 0 and r.ignored_total >= len(r.ignored)
    assert parse_ids("\n".join(r.ids)).ids == r.ids


@settings(max_examples=200, deadline=None)
@given(st.lists(id_strategy, max_size=50), st.sampled_from(["\n", ",", " ; ", "\t", " | "]))
def test_any_list_of_ids_round_trips(ids: list[str], sep: str) -> None:
    r = parse_ids(sep.join(ids))
    assert r.ids == tuple(dict.fromkeys(ids))
    assert r.duplicates == len(ids) - len(r.ids)
    assert not r.ignored
