"""Cell safety: text from strangers lands as the same text, never as a formula."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from xl_contacts.base.cells import (
    MAX_CELL_CHARS,
    clean,
    clean_rows,
    for_csv,
    for_csv_rows,
    for_excel_input,
    for_terminal,
    table_headers,
)

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@given(st.text())
def test_clean_output_is_storable(value: str) -> None:
    cleaned = clean(value)
    assert not ILLEGAL.search(cleaned)
    assert len(cleaned) <= MAX_CELL_CHARS
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


@given(st.sampled_from("=+-@\t\r"), st.text())
def test_csv_never_starts_a_formula(trigger: str, rest: str) -> None:
    assert for_csv(trigger + rest) == "'" + clean(trigger + rest)


def test_csv_leaves_ordinary_text_alone() -> None:
    assert for_csv("Иван") == "Иван" and for_csv("79876543210") == "79876543210"


def test_long_text_is_cut_to_excels_limit() -> None:
    assert len(clean("x" * 40_000)) == MAX_CELL_CHARS


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
            | st.sampled_from(["\x00", "\ud800", "x" * 32_800, "a\r\nb", "|", " =1"])
        )
    )
)
def test_for_csv_rows_is_for_csv_per_value(rows: list[list[str]]) -> None:
    assert for_csv_rows(rows) == [[for_csv(value) for value in row] for row in rows]
