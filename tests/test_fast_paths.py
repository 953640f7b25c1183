"""The fast paths for the common plain batch give exactly what the general
rules give, over hostile values: a batch either passes the one look at all its
values and takes the fast way, or goes the general way."""

from __future__ import annotations

import csv
import io
from types import MappingProxyType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stand_in import HOSTILE_NAMES

from xl_contacts.base.cells import clean, for_csv
from xl_contacts.domain import contacts, kinds
from xl_contacts.domain.contacts import COLUMNS, ContactTable, Normaliser
from xl_contacts.sinks import row_xml
from xl_contacts.sinks.row_xml import RowWriter
from xl_contacts.sinks.text_output import plain_csv, write_csv

_EDGY_TEXT = st.sampled_from(
    [
        *HOSTILE_NAMES,
        "",
        " lead",
        "trail ",
        "\u00a0nbsp",
        "a|b",
        "a | b",
        "&amp;<b>",
        "cr\rlf\n",
        "\ud800",
        "x\udfffy",
        "\ufffe",
        "Фамилия",
        "x" * 32_768,
        "{0}{1}%s",
    ]
)
_TEXT = st.text(max_size=8) | _EDGY_TEXT
_IDS = st.sampled_from(
    [
        "79001234567",
        "79001234567@c.us",
        "120363@g.us",
        "123@lid",
        "@lid",
        "null@c.us",
        "null",
        "NaN",
        "-100123",
        " 7900 ",
        "79 00",
        "",
        "\u200b79",
        "\ud800",
    ]
)
_ANY = st.none() | st.booleans() | st.floats() | st.integers() | st.lists(st.integers(), max_size=2)
_PHONES = (
    st.integers(min_value=-5, max_value=10**16)
    | st.sampled_from([0, 10**15 - 1, 10**15, "79001234567", "", True])
    | _ANY
)


def _record(draw: Any) -> Any:
    record = {
        "chatId": draw(_IDS | st.text(max_size=6) | st.integers() | _ANY),
        "name": draw(_TEXT | _ANY),
        "contactName": draw(_TEXT | _ANY),
        "type": draw(st.sampled_from(["user", "group", "", "Group", "channel"]) | _TEXT | _ANY),
        "phoneNumber": draw(_PHONES),
    }
    change = draw(st.sampled_from(["none", "none", "none", "drop", "extra"]))
    if change == "drop":
        del record[draw(st.sampled_from(COLUMNS))]
    elif change == "extra":
        record["id"] = draw(_IDS)
    return record


@st.composite
def _batches(draw: Any) -> list[Any]:
    """Mostly plain records with now and then one hostile value, so that both
    ways are taken."""
    plain = [
        {
            "chatId": str(79_000_000_000 + i),
            "name": f"Name {i}",
            "contactName": "" if i % 3 else f"Contact {i}",
            "type": "group" if i % 4 == 0 else "user",
            "phoneNumber": 0 if i % 5 == 0 else 79_000_000_000 + i,
        }
        for i in range(draw(st.integers(0, 6)))
    ]
    if draw(st.booleans()):
        plain.insert(draw(st.integers(0, len(plain))), _record(draw))
    if draw(st.booleans()) and plain:
        position = draw(st.integers(0, len(plain) - 1))
        field = draw(st.sampled_from(COLUMNS))
        plain[position] = {**plain[position], field: draw(_TEXT | _IDS | _PHONES)}
    return plain


def _general_rows(records: list[Any]) -> list[list[str]]:
    return contacts.rows_by_record(records)


# Drawing hostile records is slow now and then; the checks themselves are not timed.
_SLOW_DRAWS = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@_SLOW_DRAWS
@given(_batches())
def test_plain_contacts_are_the_general_rows(records: list[Any]) -> None:
    fast = contacts.plain_rows(records)
    if fast is not None:
        assert fast == _general_rows(records)


@_SLOW_DRAWS
@given(_batches())
def test_the_normaliser_gives_the_general_rows(records: list[Any]) -> None:
    normaliser = Normaliser(whatsapp=False)
    if {type(r) for r in records} <= {dict} and all(r.keys() <= set(COLUMNS) for r in records):
        assert normaliser.feed(records) == _general_rows(records)


_WHATSAPP_IDS = st.sampled_from(
    [
        "79001234567@c.us",
        "0@c.us",
        "000@c.us",
        "007@c.us",
        "123456789012345@c.us",
        "1234567890123456@c.us",
        "1-2@c.us",
        "79001234569-1479621234@g.us",
        "1--2@g.us",
        "-1@g.us",
        "1-@g.us",
        "1-2-3@g.us",
        "120363043968066561@g.us",
        "123456789012345@lid",
        "1-2@lid",
        "null@c.us",
        "@c.us",
        "@lid",
        "123@s.whatsapp.net",
        "79001234567",
        " 79@c.us",
        "79@c.us ",
        "79@C.US",
        "\u0663@c.us",
        "\u00b2@c.us",
        "1@c.us@g.us",
        "1|2@c.us",
        "1\u200b@c.us",
        "\ud800@c.us",
        "",
    ]
)
_WHATSAPP_TYPES = st.sampled_from(["user", "group", "", "Group ", "channel", "supergroup", "bot"])


def _whatsapp_record(draw: Any) -> Any:
    record: dict[str, Any] = {
        "id": draw(_WHATSAPP_IDS | st.text(max_size=6) | _ANY),
        "name": draw(_TEXT | _ANY),
        "contactName": draw(_TEXT | _ANY),
        "type": draw(_WHATSAPP_TYPES | _TEXT | _ANY),
    }
    change = draw(st.sampled_from(["none", "none", "drop", "drop", "phone", "chatId", "extra"]))
    if change == "drop":
        del record[draw(st.sampled_from(sorted(record)))]
    elif change == "phone":
        record["phoneNumber"] = draw(_PHONES)
    elif change == "chatId":
        record["chatId"] = draw(_IDS)
    elif change == "extra":
        record["archive"] = draw(_ANY)
    return record


@st.composite
def _whatsapp_batches(draw: Any) -> list[Any]:
    """WhatsApp-shaped records, mostly plain (groups often without contactName),
    now and then a hostile one."""
    plain: list[Any] = []
    for i in range(draw(st.integers(0, 6))):
        domain = draw(st.sampled_from(["c.us", "c.us", "g.us", "lid"]))
        record = {"id": f"{79_000_000_000 + i}@{domain}", "name": f"Имя {i}", "type": "user"}
        if domain == "g.us":
            record["type"] = draw(st.sampled_from(["group", "user"]))
        else:
            record["contactName"] = "" if i % 3 else f"Contact {i}"
        plain.append(record)
    if draw(st.booleans()):
        plain.insert(draw(st.integers(0, len(plain))), _whatsapp_record(draw))
    if draw(st.booleans()) and plain:
        position = draw(st.integers(0, len(plain) - 1))
        field = draw(st.sampled_from(["id", "name", "contactName", "type"]))
        value = draw(_WHATSAPP_IDS | _TEXT | _WHATSAPP_TYPES | _ANY)
        plain[position] = {**plain[position], field: value}
    return plain


@_SLOW_DRAWS
@given(_whatsapp_batches())
def test_plain_whatsapp_contacts_are_the_general_rows(records: list[Any]) -> None:
    fast = contacts.plain_whatsapp_rows(records)
    if fast is not None:
        assert fast == _general_rows(records)


def _general_way(records: list[Any]) -> list[Any]:
    """The same records as mappings that are not dicts: the normaliser then
    takes its general way for them, record by record."""
    return [MappingProxyType(r) if isinstance(r, dict) else r for r in records]


@_SLOW_DRAWS
@given(
    st.lists(_whatsapp_batches() | _batches(), min_size=1, max_size=3),
    st.sampled_from([None, True, False]),
)
def test_the_normaliser_is_its_general_way(batches: list[list[Any]], whatsapp: Any) -> None:
    """Batch after batch, with the flavour known or learnt: the same rows,
    columns, skipped records and fields left out as the general way gives."""
    fast, general = Normaliser(whatsapp=whatsapp), Normaliser(whatsapp=whatsapp)
    seen = []
    for records in batches:
        rows = fast.feed(records)
        assert rows == general.feed(_general_way(records))
        seen += rows
        # Known clean: each value is printable and what clean() makes of it (no
        # second look needed, no line break for the CSV to count).
        if fast.cells_clean:
            assert all(clean(value) == value for row in seen for value in row)
            assert all(value.isprintable() for row in seen for value in row)
        assert (fast.columns, fast.whatsapp, fast.skipped, fast.records) == (
            general.columns,
            general.whatsapp,
            general.skipped,
            general.records,
        )
        assert fast.left_out == general.left_out
        assert fast.again().columns == general.again().columns


def test_a_plain_whatsapp_batch_takes_the_fast_way() -> None:
    records = [
        {"id": "79001234567@c.us", "name": "Иван", "contactName": "Ваня", "type": "group"},
        {"id": "79001234569-1479621234@g.us", "name": "My group", "type": "user"},
        {"id": "123456789012345@lid", "name": "Lyusya 👩\u200d💻", "type": ""},
    ]
    assert contacts.plain_whatsapp_rows(records) == [
        ["79001234567@c.us", "Иван", "Ваня", "user", "79001234567"],
        ["79001234569-1479621234@g.us", "My group", "", "group", ""],
        ["123456789012345@lid", "Lyusya 👩\u200d💻", "", "user", ""],
    ]
    table = contacts.normalise(records)
    assert table.rows == contacts.plain_whatsapp_rows(records)
    assert table.lid_count() == 1 and table.columns == list(COLUMNS)


def test_a_plain_batch_takes_the_fast_way() -> None:
    records = [
        {"chatId": "79001234567", "name": "A", "contactName": "", "type": "user", "phoneNumber": 0}
    ]
    assert contacts.plain_rows(records) == [["79001234567", "A", "", "user", ""]]
    assert row_xml.plain([["a", "", "b c"]])
    assert not row_xml.plain([["a", " b"]])


_CELLS = st.lists(st.lists(_TEXT, max_size=8), max_size=6)


@_SLOW_DRAWS
@given(_CELLS, st.integers(1, 1_048_576))
def test_row_xml_of_any_batch_is_the_general_xml(rows: list[list[str]], first: int) -> None:
    fast, general = RowWriter(first), RowWriter(first)
    assert fast.write(rows) == general.write_general(rows)
    assert fast.next == general.next
    # and the next batch is numbered on from there, either way
    assert fast.write(rows) == general.write_general(rows)


# Tables (rows of one length) whose rows are often plain: the column-wise fast way.
_TABLES = st.integers(1, 8).flatmap(
    lambda width: st.lists(
        st.lists(st.text("aZ9 Фé|-", max_size=5) | _TEXT, min_size=width, max_size=width),
        max_size=6,
    )
)


@_SLOW_DRAWS
@given(_TABLES, st.integers(1, 1_048_576))
def test_row_xml_by_columns_is_the_general_xml(rows: list[list[str]], first: int) -> None:
    columns = list(zip(*rows, strict=True))
    fast, general = RowWriter(first), RowWriter(first)
    assert fast.write_columns(columns) == general.write_general(rows).encode("utf-8")
    assert fast.next == general.next
    assert fast.write_columns(columns) == general.write_general(rows).encode("utf-8")


def test_plain_columns_take_the_fast_way() -> None:
    """Empty values in some rows of a column: their cells alone are left out."""
    columns = [("1", "2"), ("Фамилия", ""), ("", ""), ("x|y", "z")]
    assert row_xml.plain(columns)
    got = RowWriter(9).write_columns(columns).decode("utf-8")
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
    assert got == (
        f'<row r="9">{cell.format("A9", "1")}{cell.format("B9", "Фамилия")}'
        f"{cell.format('D9', 'x|y')}</row>"
        f'<row r="10">{cell.format("A10", "2")}{cell.format("D10", "z")}</row>'
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _csv_per_value(table: ContactTable, out: io.StringIO) -> None:
    """The CSV writer before its fast path: for_csv (and for_terminal) per value."""
    from xl_contacts.base.cells import for_terminal

    writer = csv.writer(out, lineterminator="\r\n")
    shown = for_terminal if out.isatty() else (lambda text: text)
    writer.writerow([shown(for_csv(h)) for h in table.columns])
    writer.writerows([shown(for_csv(v)) for v in row] for row in table.rows)


@_SLOW_DRAWS
@given(_CELLS, st.booleans())
def test_csv_of_any_table_is_the_per_value_csv(rows: list[list[str]], terminal: bool) -> None:
    table = ContactTable(list(COLUMNS), rows)
    ours, before = (_Terminal() if terminal else io.StringIO() for _ in range(2))
    write_csv(table, ours)
    _csv_per_value(table, before)
    assert ours.getvalue() == before.getvalue()


_PLAIN_TEXT = st.sampled_from(
    ["", "Иван", "79001234567", "a b", "user", "Lyusya 👩\u200d💻", "x=1"]
)


# Mostly plain values and now and then an edgy one, so that the plain CSV is
# written as often as the general one.
@st.composite
def _mostly_plain_cells(draw: Any) -> list[list[str]]:
    rows = draw(st.lists(st.lists(_PLAIN_TEXT, min_size=5, max_size=6), max_size=6))
    if rows and draw(st.booleans()):
        row = draw(st.sampled_from(rows))
        row[draw(st.integers(0, len(row) - 1))] = draw(_TEXT)
    return rows


_MOSTLY_PLAIN_CELLS = _mostly_plain_cells()


@_SLOW_DRAWS
@given(_MOSTLY_PLAIN_CELLS)
def test_plain_csv_is_the_per_value_csv(rows: list[list[str]]) -> None:
    table = ContactTable(list(COLUMNS), rows)
    ours, before = io.StringIO(), io.StringIO()
    write_csv(table, ours)
    _csv_per_value(table, before)
    assert ours.getvalue() == before.getvalue()


def test_a_plain_table_takes_the_plain_csv() -> None:
    rows = [list(COLUMNS), ["79001234567", "Иван", "", "user", "79001234567"]]
    assert plain_csv(rows) == "chatId,name,contactName,type,phoneNumber\r\n" + (
        "79001234567,Иван,,user,79001234567\r\n"
    )
    assert plain_csv([*rows, ["1", "=1+1", "", "user", ""]]) is None
    assert plain_csv([*rows, ["1", "a,b", "", "user", ""]]) is None


@_SLOW_DRAWS
@given(_whatsapp_batches() | _batches())
def test_csv_of_a_normalised_table_is_the_per_value_csv(records: list[Any]) -> None:
    """Tables from the normaliser (known clean or not) as the per-value CSV."""
    table = contacts.normalise(records)
    ours, before = io.StringIO(), io.StringIO()
    write_csv(table, ours)
    _csv_per_value(table, before)
    assert ours.getvalue() == before.getvalue()


_LONG_TEXT = st.builds(
    lambda n, bar, at: ("x" * n)[:at] + ("|" if bar else "") + ("x" * n)[at:],
    st.sampled_from([0, 1, 16_383, 16_384, 32_765, 32_766, 32_767, 32_768, 40_000]),
    st.booleans(),
    st.integers(0, 40_000),
)


@_SLOW_DRAWS
@given(st.lists(st.tuples(_LONG_TEXT | _TEXT, _LONG_TEXT | _TEXT), min_size=1, max_size=4))
def test_a_plain_batch_is_clean_exactly_when_its_values_are_short(names: list[Any]) -> None:
    # The block search that bounds lengths says what a len() of each value says,
    # also around the cell's limit and where values hold the joining "|".
    records = [
        {"chatId": str(i + 1), "name": a, "contactName": b, "type": "user", "phoneNumber": 0}
        for i, (a, b) in enumerate(names)
    ]
    values = [value for pair in names for value in pair]
    if "".join(values).isprintable():
        short = max(map(len, values)) <= contacts.MAX_CELL_CHARS
        assert contacts.normalise(records).cells_clean == short


@given(st.lists(_IDS | st.text(max_size=6) | st.from_regex(r"[0-9]{1,12}", fullmatch=True)))
def test_plain_chat_ids_keep_what_identify_keeps(ids: list[str]) -> None:
    if kinds.plain_chat_ids(ids):
        for chat_id in ids:
            identity = kinds.identify({"chatId": chat_id, "type": "user"})
            assert identity is not None and identity[:2] == (chat_id, "")


@given(st.lists(_IDS | st.sampled_from(["1@lid", "x@lid\n", "@lid\n1", "a\nb@lid"]) | _TEXT))
def test_lid_count_is_the_count_of_lid_ids(ids: list[str]) -> None:
    table = ContactTable(list(COLUMNS), [[chat_id, "", "", "user", ""] for chat_id in ids])
    assert table.lid_count() == sum(1 for chat_id in ids if chat_id.endswith("@lid"))
