"""The rules run column by column (a regex over a joined column, str methods
mapped over it) and give exactly what the rules give applied to one record or
one value at a time -- stated here, as they were stated record by record, as
the oracle -- over hostile values."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stand_in import HOSTILE_NAMES

from xl_contacts.base.cells import clean, for_csv_row, for_sheet_xml
from xl_contacts.domain import contacts, kinds
from xl_contacts.domain.contacts import Normaliser
from xl_contacts.domain.table import COLUMNS, ContactTable
from xl_contacts.domain.values import cell_texts, phone_text, phone_texts
from xl_contacts.sinks.row_xml import RowWriter, column_letter
from xl_contacts.sinks.text_output import write_csv

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
        # What the column-wise ways rely on: NUL between values, one search of
        # a joined column, %-templates, a cut at 32,767 UTF-16 code units.
        "\x00=1+1",
        ";\" =1",
        "\r\n\"\"@x",
        "_x005F_x0041_",
        "%s%%%(x)s%b",
        "\ud83d\U0001f600",
        "=" + "x" * 32_766,
        "x" * 32_766 + "\U0001f600",
    ]
)


def _rows(columns: list[list[str]]) -> list[list[str]]:
    """The rows whose columns these are."""
    return [list(row) for row in zip(*columns, strict=True)]

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


# --- the oracle: the rules record by record and value by value ---------------------

_WHATSAPP_ID = re.compile(r"([0-9]+(?:-[0-9]+)?)@([a-z.]+)")
_BOGUS = {"null", "undefined", "none", "nan"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_PHONE_TEXT = re.compile(r"[0-9 +()./-]+")


def _type(record: Mapping[str, Any]) -> str:
    value = record.get("type")
    return value.strip().lower() if isinstance(value, str) else ""


def _id_text(value: Any) -> str | None:
    if type(value) is str:
        text = value.strip()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    if not re.fullmatch(r"\S+", text) or text.lower() in _BOGUS:
        return None
    return text


def _identify(record: Mapping[str, Any]) -> tuple[str, str, Any, bool] | None:
    """(chat id, proven type, phone, lid) of a record, or None."""
    if "chatId" in record:
        chat_id = _id_text(record["chatId"])
        if chat_id is None:
            return None
        group = chat_id[0] == "-" and _type(record) in ("", "user")
        return chat_id, "group" if group else "", record.get("phoneNumber"), False
    chat_id = _id_text(record.get("id"))
    if chat_id is None:
        return None
    phone = record.get("phoneNumber")
    if "@" not in chat_id:
        return chat_id, "", phone, False
    match = _WHATSAPP_ID.fullmatch(chat_id)
    if match is None:
        return None
    number, domain = match.groups()
    if domain == "g.us":
        return chat_id, "group", None, False
    kind = "user" if _type(record) in kinds.GROUP_TYPES else ""
    if domain == "c.us":
        has = phone not in (None, "", 0, "0") and not isinstance(phone, bool)
        return chat_id, kind, phone if has else number, False
    return chat_id, kind, phone, domain == "lid"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        try:
            value = json.dumps(value, ensure_ascii=False)
        except (RecursionError, ValueError):
            return "…"
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _phone_text(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    if isinstance(value, int):
        digits = str(value) if 0 < value < 10**15 else ""
    elif isinstance(value, str) and _PHONE_TEXT.fullmatch(value):
        digits = "".join(ch for ch in value if ch.isdigit())
    else:
        digits = ""
    return digits if digits.strip("0") and len(digits) <= 15 and digits.isascii() else ""


def _general_rows(records: list[Any], extras: tuple[str, ...] = ()) -> list[list[str]]:
    rows = []
    for record in records:
        found = _identify(record)
        if found is not None:
            chat_id, proven, phone, _ = found
            rows.append(
                [
                    chat_id,
                    _cell_text(record.get("name")),
                    _cell_text(record.get("contactName")),
                    proven or _cell_text(record.get("type")) or "user",
                    _phone_text(phone),
                    *(_cell_text(record.get(key)) for key in extras),
                ]
            )
    return rows


# Drawing hostile records is slow now and then; the checks themselves are not timed.
_SLOW_DRAWS = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@_SLOW_DRAWS
@given(_batches())
def test_the_rows_are_the_rules_record_by_record(records: list[Any]) -> None:
    assert _rows(contacts.contact_columns(records)) == _general_rows(records)
    assert _rows(contacts.contact_columns(records, ("id",))) == _general_rows(records, ("id",))
    for record in records:
        found = kinds.identify(record)
        assert (found and tuple(found)) == _identify(record)


@_SLOW_DRAWS
@given(_batches())
def test_the_normaliser_gives_the_general_rows(records: list[Any]) -> None:
    normaliser = Normaliser(whatsapp=False)
    if {type(r) for r in records} <= {dict} and all(r.keys() <= set(COLUMNS) for r in records):
        assert _rows(normaliser.feed_columns(records)) == _general_rows(records)


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
def test_whatsapp_rows_are_the_rules_record_by_record(records: list[Any]) -> None:
    assert _rows(contacts.contact_columns(records)) == _general_rows(records)
    for record in records:
        found = kinds.identify(record)
        assert (found and tuple(found)) == _identify(record)


@given(st.lists(_PHONES | _TEXT | st.sampled_from(["+7 (900) 123-45-67", "٣", "00", "1.0"])))
def test_phone_texts_are_phone_text_per_value(values: list[Any]) -> None:
    assert phone_texts(values) == [_phone_text(value) for value in values]
    assert [phone_text(value) for value in values] == list(map(_phone_text, values))


@given(st.lists(st.integers(-2, 10**16) | st.sampled_from([0, 1, 10**15 - 1, 10**15])))
def test_a_column_of_whole_numbers_is_phone_text_per_value(values: list[int]) -> None:
    assert phone_texts(values) == [_phone_text(value) for value in values]


@given(st.lists(_TEXT | _ANY | st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)))
def test_cell_texts_are_cell_text_per_value(values: list[Any]) -> None:
    assert cell_texts(values) == [_cell_text(value) for value in values]


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
    columns, skipped records and fields left out for dicts (looked at whole)
    as for other mappings (record by record)."""
    fast, general = Normaliser(whatsapp=whatsapp), Normaliser(whatsapp=whatsapp)
    seen = []
    for records in batches:
        rows = _rows(fast.feed_columns(records))
        assert rows == _rows(general.feed_columns(_general_way(records)))
        seen += rows
        assert fast.cut == general.cut
        assert (fast.columns, fast.whatsapp, fast.skipped, fast.records) == (
            general.columns,
            general.whatsapp,
            general.skipped,
            general.records,
        )
        assert fast.left_out == general.left_out
        assert fast.again().columns == general.again().columns


def test_a_whatsapp_batch() -> None:
    records = [
        {"id": "79001234567@c.us", "name": "Иван", "contactName": "Ваня", "type": "group"},
        {"id": "79001234569-1479621234@g.us", "name": "My group", "type": "user"},
        {"id": "123456789012345@lid", "name": "Lyusya 👩\u200d💻", "type": ""},
    ]
    table = contacts.normalise(records)
    assert table.rows == [
        ["79001234567@c.us", "Иван", "Ваня", "user", "79001234567"],
        ["79001234569-1479621234@g.us", "My group", "", "group", ""],
        ["123456789012345@lid", "Lyusya 👩\u200d💻", "", "user", ""],
    ]
    assert table.lid_count() == 1 and table.columns == list(COLUMNS)
    assert table.hidden_phone_count() == 0  # a group has none, a linked id is no number


_CELLS = st.lists(st.lists(_TEXT, max_size=8), max_size=6)


def _xml_per_value(rows: list[list[str]], first: int) -> str:
    """Rows' XML value by value: each cleaned, left out when empty, its edge
    spaces kept, escaped."""
    out = []
    for number, row in enumerate(rows, first):
        cells = [f'<row r="{number}">']
        for i, value in enumerate(row, 1):
            value = clean(value)
            if not value:
                continue
            space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
            text = for_sheet_xml(escape(value, {"\r": "&#13;"}))
            cells.append(
                f'<c r="{column_letter(i)}{number}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
            )
        out.append("".join(cells) + "</row>")
    return "".join(out)


@_SLOW_DRAWS
@given(_CELLS, st.integers(1, 1_048_576))
def test_row_xml_of_any_batch_is_the_per_value_xml(rows: list[list[str]], first: int) -> None:
    writer = RowWriter(first)
    assert writer.write(rows) == _xml_per_value(rows, first)
    assert writer.next == first + len(rows)
    # and the next batch is numbered on from there
    assert writer.write(rows) == _xml_per_value(rows, first + len(rows))


# Tables (rows of one length), often plain.
_TABLES = st.integers(1, 8).flatmap(
    lambda width: st.lists(
        st.lists(st.text("aZ9 Фé|-", max_size=5) | _TEXT, min_size=width, max_size=width),
        max_size=6,
    )
)


@_SLOW_DRAWS
@given(_TABLES, st.integers(1, 1_048_576))
def test_row_xml_by_columns_is_the_per_value_xml(rows: list[list[str]], first: int) -> None:
    columns = list(zip(*rows, strict=True))
    writer = RowWriter(first)
    assert writer.write_columns(columns) == _xml_per_value(rows, first).encode("utf-8")


def test_row_xml_of_rows_written_in_many_ways() -> None:
    # 13 columns, each row's empty cells and edge spaces a pattern of its own
    # (more patterns than the writer keeps row templates for), in two batches.
    rows = [
        [(" v " if i % 3 else "v") if i >> bit & 1 else "" for bit in range(13)]
        for i in range(9000)
    ]
    writer = RowWriter(2)
    got = writer.write_columns(list(zip(*rows[:5000], strict=True)))
    got += writer.write_columns(list(zip(*rows[5000:], strict=True)))
    assert got == _xml_per_value(rows, 2).encode("utf-8")


def test_empty_values_leave_their_cells_out() -> None:
    columns = [("1", "2"), ("Фамилия", ""), ("", "\x00"), ("x|y", "z")]
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
    """The CSV writer before its fast path: (for_terminal, then) for_csv_row
    (for_csv per value) per row."""
    from xl_contacts.base.cells import for_terminal

    writer = csv.writer(out, lineterminator="\r\n")
    shown = for_terminal if out.isatty() else (lambda text: text)
    writer.writerow(for_csv_row([shown(h) for h in table.columns]))
    writer.writerows(for_csv_row([shown(v) for v in row]) for row in table.rows)


# Values that start a cell in an Excel splitting at ";", or end one there: a
# plain number with a sign first in a row, a ";" or line break later in it.
_CSV_TEXT = _TEXT | st.sampled_from(["-100200300", "+7", "-1.5", "1+1;", ";", "x\r", "\n=1"])


@_SLOW_DRAWS
@given(st.lists(st.lists(_CSV_TEXT, min_size=5, max_size=5), max_size=6), st.booleans())
@example([["-100200300", "1+1;", "", "group", ""], ["-1", "x", "", "y\n", ""]], False)
@example([["-100200300", "1+1\n", "", "group", ""], ["+7", "a;b", "", "", ""]], True)
@example([["-" + "1" * 32_767, "1+1;", "", "group", ""]], False)  # prefixed: cut again
def test_csv_of_any_table_is_the_per_value_csv(rows: list[list[str]], terminal: bool) -> None:
    """Any text in a table's rows (a row has a value for each column)."""
    table = ContactTable(list(COLUMNS), rows)
    ours, before = (_Terminal() if terminal else io.StringIO() for _ in range(2))
    write_csv(table, ours)
    _csv_per_value(table, before)
    assert ours.getvalue() == before.getvalue()


_ODD_FIELDS = ["", ",", '"', "\r", "\n", "-1", "=1", "a", "\x00", "\ufffe", "\t1", "x" * 16_400]


@_SLOW_DRAWS
@given(_TABLES, st.sampled_from([*_ODD_FIELDS, "\U0001f600" * 16_384]))
def test_csv_of_tables_of_one_width_is_the_csv_modules(rows: list[list[str]], odd: str) -> None:
    """Tables whose fields mostly need no quoting (then written joined) and
    now and then one that does."""
    if rows and odd:
        rows[-1][-1] = odd
    table = ContactTable([f"c{i}" for i in range(len(rows[0]) if rows else 5)], rows)
    ours, before = io.StringIO(), io.StringIO()
    write_csv(table, ours)
    _csv_per_value(table, before)
    assert ours.getvalue() == before.getvalue()


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
    lambda n, emoji, at: ("x" * n)[:at] + ("\U0001f600" if emoji else "") + ("x" * n)[at:],
    st.sampled_from([0, 1, 16_383, 16_384, 32_765, 32_766, 32_767, 32_768, 40_000]),
    st.booleans(),
    st.integers(0, 40_000),
)


@_SLOW_DRAWS
@given(st.lists(st.tuples(_LONG_TEXT | _TEXT, _LONG_TEXT | _TEXT), min_size=1, max_size=4))
def test_the_table_counts_the_values_a_cell_cuts(names: list[Any]) -> None:
    records = [
        {"chatId": str(i + 1), "name": a, "contactName": b, "type": "user", "phoneNumber": 0}
        for i, (a, b) in enumerate(names)
    ]
    values = [_cell_text(value) for pair in names for value in pair]
    table = contacts.normalise(records)
    assert table.cut == sum(map(_over_the_limit, values))
    assert contacts.select(table, "all", count=1).cut == sum(map(_over_the_limit, values[:2]))


def _over_the_limit(value: str) -> bool:
    """Longer than 32,767 UTF-16 code units, once what no cell holds is gone."""
    kept = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", value)
    return len(kept.encode("utf-16-le")) > 2 * 32_767


@given(st.lists(_IDS | st.sampled_from(["1@lid", "x@lid\n", "@lid\n1", "a\nb@lid"]) | _TEXT))
def test_lid_count_is_the_count_of_lid_ids(ids: list[str]) -> None:
    table = ContactTable(list(COLUMNS), [[chat_id, "", "", "user", ""] for chat_id in ids])
    assert table.lid_count() == sum(1 for chat_id in ids if chat_id.endswith("@lid"))
