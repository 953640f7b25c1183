"""Cell safety: text from strangers lands as the same text, never as a formula."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from xl_contacts.base.cells import (
    MAX_CELL_CHARS,
    clean,
    clean_column,
    clean_rows,
    excel_length,
    for_csv,
    for_csv_column,
    for_excel_input,
    for_terminal,
    matching,
    starts_formula,
    table_headers,
    too_long,
)

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@given(st.text())
def test_clean_output_is_storable(value: str) -> None:
    cleaned = clean(value)
    assert not ILLEGAL.search(cleaned)
    assert len(cleaned.encode("utf-16-le")) <= 2 * MAX_CELL_CHARS
    cleaned.encode("utf-8")  # lone surrogates would raise here


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=200))
def test_clean_keeps_ordinary_text_unchanged(value: str) -> None:
    assert clean(value) == value.replace("\ufffe", "").replace("\uffff", "")


@given(st.text(min_size=1))
def test_excel_input_is_always_quoted_text(value: str) -> None:
    typed = for_excel_input(value)
    if clean(value):
        assert typed.startswith("'") and typed[1:] == clean(value)
    else:
        assert typed == ""


# A plain number: optional sign, digits, at most one decimal point.
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")


@given(st.sampled_from("=+-@\t\r"), st.text())
def test_csv_never_starts_a_formula(trigger: str, rest: str) -> None:
    value = clean(trigger + rest)
    written = for_csv(trigger + rest)
    assert written.startswith("'") is not bool(PLAIN_NUMBER.fullmatch(value))
    # Nothing but quote prefixes added (also after a ";" or line break inside).
    assert written.replace("'", "") == value.replace("'", "")


@given(st.from_regex(PLAIN_NUMBER, fullmatch=True))
def test_a_plain_number_is_no_formula(number: str) -> None:
    assert for_csv(number) == number and not starts_formula(number)


def test_csv_formula_examples() -> None:
    assert for_csv("-100200300") == "-100200300"  # a Telegram group id
    assert [for_csv(v) for v in ("+7", "-1.5", ".5", "1.")] == ["+7", "-1.5", ".5", "1."]
    for formula in ("-1+2", "=1", "+7 900", "-1.2.3", "@SUM(A1)", "-", "+", "\t1", "\r1", "-1e5"):
        assert for_csv(formula) == "'" + formula


def test_csv_leaves_ordinary_text_alone() -> None:
    assert for_csv("Иван") == "Иван" and for_csv("79876543210") == "79876543210"


def test_long_text_is_cut_to_excels_limit() -> None:
    assert len(clean("x" * 40_000)) == MAX_CELL_CHARS


def test_the_limit_is_counted_in_utf16_units_as_excel_counts() -> None:
    emoji = "\U0001f600"
    assert excel_length(emoji * 20_000) == 40_000
    cut = clean(emoji * 20_000)
    assert cut == emoji * (MAX_CELL_CHARS // 2)  # never half an emoji
    assert clean("x" + emoji * 16_383) == "x" + emoji * 16_383  # exactly 32,767 units
    assert clean("xy" + emoji * 16_383) == "xy" + emoji * 16_382
    assert too_long(["x" * MAX_CELL_CHARS, emoji * 16_384, "x\x00" * 20_000, "a"]) == 1


_LONG = st.sampled_from(["x" * 32_800, "\U0001f600" * 16_384, "\U0001f600" * 16_383 + "ab"])


@given(st.lists(st.text(max_size=6) | st.sampled_from(["\x00", "\ud800"]) | _LONG))
def test_too_long_counts_what_clean_cuts(values: list[str]) -> None:
    assert too_long(values) == sum(clean(v) != ILLEGAL.sub("", v) for v in values)


@given(st.text())
def test_terminal_text_has_no_control_characters(value: str) -> None:
    assert not re.search("[\x00-\x1f\x7f-\x9f]", for_terminal(value))


@given(st.lists(st.text(), max_size=12))
def test_table_headers_are_unique_nonempty_single_lines(names: list[str]) -> None:
    headers = table_headers(names)
    assert len(headers) == len(names)
    assert len({h.casefold() for h in headers}) == len(headers)
    assert all(h and "\n" not in h and len(h) <= 255 for h in headers)


def test_table_headers_examples() -> None:
    assert table_headers(["chatId", "", "Name", "name", "a\nb"]) == [
        "chatId",
        "Column2",
        "Name",
        "name_2",
        "a b",
    ]


@given(st.lists(st.lists(st.text(max_size=6) | st.sampled_from(["\x00", "\ud800", "x" * 32_800]))))
def test_clean_rows_is_clean_per_value(rows: list[list[str]]) -> None:
    assert clean_rows(rows) == [[clean(value) for value in row] for row in rows]


@given(
    st.lists(
        st.lists(
            st.text(max_size=6)
            | st.sampled_from(["=1+1", "+1", "-2", "@SUM(1)", "\t=1", "\r=1", "\n=1", "a|=b"])
            | st.sampled_from(["-100200300", "-1+2", "1.5", "\x00=1", "a\x00-1", "\x00"])
            | st.sampled_from(["\x00", "\ud800", "x" * 32_800, "a\r\nb", "|", " =1"])
        )
    )
)
def test_for_csv_column_is_for_csv_per_value(rows: list[list[str]]) -> None:
    values = [value for row in rows for value in row]
    assert for_csv_column(values) == [for_csv(value) for value in values]
    assert clean_column(values) == [clean(value) for value in values]


_ONE_CHARACTER = st.sampled_from(["[\\s]", "[=+@-]", "[\\x00-\\x1f]", "[^0-9]"])


@given(st.lists(st.text(max_size=5)), _ONE_CHARACTER)
def test_matching_finds_the_values_a_one_character_pattern_matches(
    values: list[str], pattern: str
) -> None:
    compiled = re.compile(pattern)
    assert matching(compiled, values) == [i for i, v in enumerate(values) if compiled.search(v)]
