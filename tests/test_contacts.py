"""Raw getContacts JSON -> the normalised table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stand_in import REFERENCE_CONTACTS, REFERENCE_ROWS

from xl_contacts.base.errors import BadResponse, ConfigError
from xl_contacts.domain.contacts import MAX_COUNT, normalise, parse_count, select
from xl_contacts.domain.table import COLUMNS, ContactTable
from xl_contacts.domain.values import cell_text, phone_text, rows_text


def test_reference_page_example() -> None:
    table = normalise(REFERENCE_CONTACTS, id_instance="1")
    assert table.columns == list(COLUMNS)
    assert table.rows == REFERENCE_ROWS
    assert table.hidden_phone_count() == 1
    assert table.type_counts() == [("user", 3)]


def test_whatsapp_shape_uses_id_as_chat_id_and_its_digits_as_phone() -> None:
    raw = [
        {"id": "79001234567@c.us", "name": "Ann", "type": "user"},
        {"id": "120363043968066561@g.us", "name": "Team", "type": "group"},
    ]
    table = normalise(raw)
    assert table.columns == list(COLUMNS)
    assert [r[0] for r in table.rows] == ["79001234567@c.us", "120363043968066561@g.us"]
    assert [r[4] for r in table.rows] == ["79001234567", ""]
    assert table.skipped == 0 and table.notes() == []


def test_whatsapp_ids_decide_the_type_and_lid_ids_have_no_phone() -> None:
    raw = [
        # GREEN-API has answered "user" for groups: the @g.us id is what counts.
        {"id": "79001234569-1479621234@g.us", "name": "", "type": "user"},
        {"id": "79001234567@c.us", "name": "Ann", "contactName": "Ann Work", "type": "group"},
        # The same person again under a linked id: kept (nothing documented joins
        # the two), with no phone number to show, and counted.
        {"id": "123456789012345@lid", "name": "Ann", "contactName": "", "type": "user"},
        {"id": "120363@newsletter", "name": "Channel", "type": "user"},
    ]
    table = normalise(raw)
    assert [(r[3], r[4]) for r in table.rows] == [
        ("group", ""),
        ("user", "79001234567"),
        ("user", ""),
        ("user", ""),
    ]
    assert table.lid_count() == 1
    assert table.notes() == ["1 WhatsApp @lid id without a phone number"]


@pytest.mark.parametrize(
    "bogus",
    [
        {"id": "null@c.us", "name": "ghost"},
        {"id": "undefined@c.us"},
        {"id": "@c.us"},
        {"id": "abc@lid"},
        {"id": ""},
        {"id": None},
        {"id": 7.5},
        {"name": "no id at all"},
        {"chatId": ""},
        {"chatId": "null"},
        {"chatId": True},
        {"chatId": {"nested": 1}},
        {"chatId": "12 34"},
    ],
)
def test_records_without_a_usable_chat_id_are_left_out_and_counted(bogus: dict) -> None:
    table = normalise([bogus, {"chatId": "10000000", "name": "real"}])
    assert [r[0] for r in table.rows] == ["10000000"]
    assert table.skipped == 1
    assert table.notes() == ["skipped 1 record without a chat id"]


def test_telegram_and_max_groups_have_negative_ids() -> None:
    raw = [
        {"chatId": "-100200300", "name": "MAX group", "type": "user", "phoneNumber": 0},
        {"chatId": "-5098765432", "name": "TG group", "type": "group", "phoneNumber": 0},
        {"chatId": "-10000000000000", "name": "TG super", "type": "supergroup"},
        {
            "chatId": "10000000",
            "name": "Vasilisa",
            "type": "user",
            "phoneNumber": 79876543210,
            "username": "@vasilisa",
        },
    ]
    table = normalise(raw)
    assert [r[3] for r in table.rows] == ["group", "group", "supergroup", "user"]
    assert table.columns[-1] == "username" and table.rows[3][-1] == "@vasilisa"
    assert [r[0] for r in select(table, "groups").rows] == [
        "-100200300",
        "-5098765432",
        "-10000000000000",
    ]


@pytest.mark.parametrize(("kind", "count"), [("all", None), ("all", 2), ("groups", None)])
def test_select_leaves_the_table_it_is_given(kind: str, count: int | None) -> None:
    table = normalise(REFERENCE_CONTACTS)
    rows = [list(row) for row in table.rows]
    chosen = select(table, kind, count=count)
    assert table.rows == rows and table.kind == "all"
    assert chosen.kind == kind and chosen is not table
    assert len(chosen.rows) == (count or len(rows)) or kind != "all"


def test_missing_fields_default_and_extras_keep_first_seen_order() -> None:
    raw = [
        {"chatId": 1, "username": "ann", "name": None},
        {"chatId": "2", "type": "", "lastSeen": 5, "username": "bob", "meta": {"a": [1]}},
        {"chatId": "3", "type": "group", "isBot": True},
    ]
    table = normalise(raw)
    assert table.columns == [*COLUMNS, "username", "lastSeen", "meta", "isBot"]
    assert table.rows[0] == ["1", "", "", "user", "", "ann", "", "", ""]
    assert table.rows[1] == ["2", "", "", "user", "", "bob", "5", '{"a": [1]}', ""]
    assert table.rows[2][3] == "group" and table.rows[2][-1] == "true"


def test_id_stays_an_extra_when_chat_id_is_present() -> None:
    table = normalise([{"chatId": "5", "id": "x"}])
    assert table.columns == [*COLUMNS, "id"] and table.rows[0][-1] == "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (79876543210, "79876543210"),
        (0, ""),
        (None, ""),
        (-5, ""),
        (True, ""),
        (7.9e10, "79000000000"),
        ("+7 (900) 123-45-67", "79001234567"),
        ("000", ""),
        ("n/a", ""),
    ],
)
def test_phone_numbers_are_digit_text(value: object, expected: str) -> None:
    assert phone_text(value) == expected


def test_empty_list_is_a_valid_answer() -> None:
    table = normalise([])
    assert table.rows == [] and table.columns == list(COLUMNS) and table.type_counts() == []


@pytest.mark.parametrize("raw", [{"chatId": "1"}, [1, 2], [{"chatId": "1"}, "x"], None])
def test_not_a_list_of_objects(raw: object) -> None:
    with pytest.raises(BadResponse):
        normalise(raw)


def test_dataframe_keeps_identifiers_as_text() -> None:
    frame = normalise([{"chatId": "-100200300", "phoneNumber": 79876543210}]).to_dataframe()
    assert list(frame.columns) == list(COLUMNS)
    assert frame.loc[0, "chatId"] == "-100200300" and frame.loc[0, "phoneNumber"] == "79876543210"
    assert all(str(dtype) in ("str", "string", "object") for dtype in frame.dtypes)


def test_extra_fields_never_take_a_name_the_outputs_reserve() -> None:
    table = normalise(
        [{"chatId": "1@c.us", "instance": "a", "COUNTRY": "b", "instance_2": "c", "x": "d"}]
    )
    assert table.columns == [*COLUMNS, "instance_3", "COUNTRY_2", "instance_2", "x"]
    assert table.rows[0][len(COLUMNS) :] == ["a", "b", "c", "d"]


def test_count_is_bounded() -> None:
    assert parse_count(MAX_COUNT) == MAX_COUNT
    for too_many in (MAX_COUNT + 1, 10.0**30, "99999999999999999999999"):
        with pytest.raises(ConfigError, match="at most 10,000,000"):
            parse_count(too_many)


# What a reader hands back from a workbook: text (with lone surrogates), numbers,
# booleans, dates, nothing.
_READ_BACK = (
    st.text(max_size=6)
    | st.sampled_from(["\ud800", "a\udfffb", "Фамилия", "=1+1", " x ", "x" * 40_000])
    | st.integers()
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.datetimes()
)


@given(st.lists(st.lists(_READ_BACK, max_size=6), max_size=5))
def test_rows_text_is_cell_text_per_value(rows: list[list[object]]) -> None:
    assert rows_text(rows) == [[cell_text(value) for value in row] for row in rows]


def test_a_table_gives_the_same_contacts_by_row_and_by_column() -> None:
    """Made from rows or from columns, a table answers both ways alike, and
    refuses rows that do not have a value for each column."""
    rows = [["1", "Ann", "", "user", "7900"], ["-2", "Team", "", "group", ""]]
    by_rows = ContactTable(list(COLUMNS), [list(r) for r in rows])
    by_columns = ContactTable(list(COLUMNS), by_column=[list(c) for c in zip(*rows, strict=True)])
    for table in (by_rows, by_columns):
        assert table.rows == rows and len(table) == 2
        assert table.column("type") == ["user", "group"]
        assert select(table, "personal").rows == rows[:1]
    assert ContactTable(list(COLUMNS)).by_column == [[]] * len(COLUMNS)
    assert ContactTable(list(COLUMNS), by_column=[]).column("type") == []
    with pytest.raises(ValueError, match="a value for each of the 5 columns"):
        _ = ContactTable(list(COLUMNS), [["1", "Ann"]]).by_column
    with pytest.raises(ValueError, match="one list of values a column"):
        ContactTable(list(COLUMNS), by_column=[["1"], ["Ann", "Bob"], [], [], []])
    with pytest.raises(ValueError, match="not both"):
        ContactTable(list(COLUMNS), rows, by_column=by_columns.by_column)
