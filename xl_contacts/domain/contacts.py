"""Raw getContacts JSON -> normalised records -> a table (and a pandas DataFrame);
and the one parser of the ``count`` argument every front end takes.

Every value in a ``ContactTable`` is text: chat ids such as ``-100200300`` and
phone numbers such as ``79876543210`` are identifiers, not quantities, and must
never be turned into numbers (Excel would round them to 15 digits).
"""

from __future__ import annotations

import json
import operator
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..base.bounds import MAX_EXTRA_COLUMNS
from ..base.cells import MAX_CELL_CHARS
from ..base.errors import BadResponse, ConfigError
from ..base.json_stream import gc_paused_promoting
from ..base.names import (
    INSTANCE_COLUMN,
    LABEL_KIND,
    LABEL_LEFT_OUT,
    LABEL_LID,
    LABEL_SKIPPED,
    PHONE_COLUMNS,
)
from . import kinds

if TYPE_CHECKING:  # pandas is imported lazily: it is not needed to fetch or export
    import pandas as pd

COLUMNS: tuple[str, ...] = ("chatId", "name", "contactName", "type", "phoneNumber")
PHONE_COLUMN = COLUMNS.index("phoneNumber")
TYPE_COLUMN = COLUMNS.index("type")
DEFAULT_TYPE = "user"
# Names the outputs give columns of their own (a report's phone columns, the
# profile column of several instances): an extra field so named is renamed
# (``instance_2``), so no output has two columns of one name or shows the
# server's value where the program's belongs. Regardless of case, as Excel
# compares table headers: "Country" would otherwise push the report's own aside.
RESERVED_COLUMNS = frozenset(name.casefold() for name in (INSTANCE_COLUMN, *PHONE_COLUMNS))
# The largest count accepted: far beyond any account (and than a sheet's
# 1,048,576 rows); a 23-digit count is a typing slip, not worth a request.
MAX_COUNT = 10_000_000
# E.164: a phone number has at most 15 digits; longer is not a phone number.
MAX_PHONE_DIGITS = 15
# What a phone number written as text may contain besides digits.
_PHONE_TEXT = re.compile(r"[0-9 +()./-]+")
# A lone UTF-16 surrogate ("\ud83d" in the JSON) cannot be encoded anywhere.
_SURROGATE = re.compile("[\ud800-\udfff]")
# _plain_texts joins a batch's values with this (printable, so one
# isprintable() looks at them all) and bounds their lengths by where it is.
_BETWEEN = "|"
_HALF_CELL = (MAX_CELL_CHARS + 1) // 2

_CONTRACT = frozenset(COLUMNS)
_WHATSAPP_CONTRACT = frozenset({*COLUMNS, "id"})  # WhatsApp's "id" is the chat id
# The fields of a usual WhatsApp record (groups often come without contactName).
_WHATSAPP_FIELDS = frozenset({"id", "name", "contactName", "type"})
# The WhatsApp id domains plain_whatsapp_rows takes: "|" ends each id in the
# joined ids, so each suffix is counted at an id's end only.
_PERSONAL_END, _GROUP_END, _LID_END = "@c.us|", "@g.us|", "@lid|"
_NUMBER = slice(0, -len("@c.us"))  # a @c.us id's digits
_WHATSAPP_TEXTS = ("name", "contactName", "type")

EMPTY_HINT = (
    "GREEN-API returned no contacts — if the instance was authorised in the last few "
    "minutes, try again in 5 minutes; otherwise re-authorise the instance"
)


@dataclass
class ContactTable:
    """Contacts as rows of text, with the columns in contract order then extras."""

    columns: list[str]
    rows: list[list[str]]
    instance_id: str = ""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: str = "GREEN-API"
    kind: str = kinds.ALL
    # Records GREEN-API sent without a usable chat id (e.g. "null@c.us"): left out.
    skipped: int = 0
    #: extra fields seen in the answer but not made columns (beyond MAX_EXTRA_COLUMNS)
    left_out: list[str] = field(default_factory=list)
    #: every value (and column name) is known to be printable text, as cells.clean()
    #: leaves it (the rows came from plain batches): no writer needs to look again
    cells_clean: bool = False

    def __len__(self) -> int:
        return len(self.rows)

    def lid_count(self) -> int:
        """Contacts under a WhatsApp ``@lid`` id: there is no phone number to show."""
        chat_id = self.position("chatId")
        # Chat ids hold no white space (kinds.identify): one count over all of
        # them, joined by line breaks, finds each id ending in "@lid" once.
        ids = list(map(itemgetter(chat_id), self.rows))
        joined = "\n".join(ids)
        if "@lid" not in joined:  # the usual list: one search, no counting
            return 0
        joined += "\n"
        if joined.count("\n") == len(ids):  # else some id holds a line break
            return joined.count("@lid\n")
        return sum(1 for value in ids if value.endswith("@lid"))

    def summary_lines(self, *, lids: int | None = None) -> list[tuple[str, Any]]:
        """The report Summary's lines about this list: its kind, and what was left
        out or could not be shown (only when there is something to say). ``lids``:
        the @lid count when the rows are not held (a streamed export)."""
        lines: list[tuple[str, Any]] = [(LABEL_KIND, self.kind)]
        if self.skipped:
            lines.append((LABEL_SKIPPED, self.skipped))
        if lids := self.lid_count() if lids is None else lids:
            lines.append((LABEL_LID, lids))
        if self.left_out:
            lines.append((LABEL_LEFT_OUT, self.left_out_note()))
        return lines

    def notes(self, *, lids: int | None = None) -> list[str]:
        """What a person should know about this list beyond its rows (``lids``:
        as for ``summary_lines``)."""
        found = []
        if self.skipped:
            found.append(f"skipped {plural(self.skipped, 'record')} without a chat id")
        if lids := self.lid_count() if lids is None else lids:
            found.append(f"{plural(lids, 'WhatsApp @lid id')} without a phone number")
        if self.left_out:
            found.append(self.left_out_note())
        return found

    def position(self, column: str) -> int:
        """Where ``column`` is: the contract columns may follow an ``instance`` column."""
        return self.columns.index(column)

    def hidden_phone_count(self) -> int:
        phone = self.position("phoneNumber")
        return sum(1 for row in self.rows if not row[phone])

    def type_counts(self) -> list[tuple[str, int]]:
        """(type, number of contacts), most common first."""
        kind = self.position("type")
        return Counter(row[kind] for row in self.rows).most_common()

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns, dtype="str")

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def left_out_note(self) -> str:
        """One sentence about the fields left out ('' when none were)."""
        if not self.left_out:
            return ""
        names = ", ".join(self.left_out[:3]) + (", …" if len(self.left_out) > 3 else "")
        return (
            f"{len(self.left_out):,} more fields left out (only the first "
            f"{MAX_EXTRA_COLUMNS} extra fields become columns): {names}"
        )


def normalise(
    raw: Any,
    *,
    instance_id: str = "",
    source: str = "GREEN-API",
    looked: PlainLook | None = None,
) -> ContactTable:
    """Turn a decoded getContacts answer of any flavour into a ``ContactTable``.

    WhatsApp ``id`` becomes ``chatId``; a ``@c.us`` id gives the phone number, a
    ``@g.us`` id is a group whatever ``type`` says; Telegram and MAX groups have
    negative ids (see ``kinds.identify``). Records without a usable chat id are
    left out and counted in ``skipped``. Missing fields are tolerated (``type``
    defaults to ``user``); the first ``MAX_EXTRA_COLUMNS`` fields the API adds
    become extra columns in first-seen order (the rest are listed in
    ``left_out``); anything that is not a list of JSON objects raises
    ``BadResponse``. Lone surrogates in any text become U+FFFD, so every output
    can encode every value. ``looked``: the look that made the rows of this
    very list already (while the client decoded it).
    """
    if not isinstance(raw, list):
        raise BadResponse(f"expected a list of contacts, got a JSON {type(raw).__name__}")
    plain = looked.plain if looked is not None and looked.value is raw else None
    if plain is not None:  # every record of a plain list has a chatId
        whatsapp = False
    elif set(map(type, raw)) <= {dict}:  # the usual list: one look, in C
        whatsapp = not any(map(operator.contains, raw, repeat("chatId")))
    else:
        whatsapp = not any(isinstance(r, Mapping) and "chatId" in r for r in raw)
    normaliser = Normaliser(whatsapp=whatsapp)
    # ~10 new objects a contact, none to collect, and the rows stay: no sweeps
    with gc_paused_promoting():
        rows = normaliser.feed(raw, plain)
    return normaliser.table(rows, instance_id=instance_id, source=source)


class PlainLook:
    """A look at a decoded getContacts answer (``json_stream.loads``'
    float_free): True when it is a plain chatId list, whose rows (``plain``,
    ``_plain_rows``') are then kept for ``normalise``. Such a list holds text
    and whole numbers only, no float."""

    def __init__(self) -> None:
        self.value: Any = None
        self.plain: tuple[list[list[str]], bool] | None = None

    def __call__(self, value: Any) -> bool:
        self.value = value
        self.plain = _plain_rows(value) if type(value) is list else None
        return self.plain is not None


class Normaliser:
    """``normalise``'s rules one batch of records at a time, for a list that
    arrives in pieces (the streamed export) as for a whole one.

    ``feed`` looks at every key of a batch before making its rows, so the rows of
    one batch all have ``columns``. What a later batch may still change: a field
    seen first there adds a column, and the first record with a ``chatId`` shows
    that the list is not WhatsApp's after all (its ``id`` fields then become a
    column). ``whatsapp=None`` learns that from the records; a caller that has
    written rows already compares ``columns`` before and after each batch.
    """

    def __init__(self, *, whatsapp: bool | None = None) -> None:
        self.whatsapp = True if whatsapp is None else whatsapp
        self._learning = whatsapp is None
        # Every field beyond the contract, first seen first ("id" included): the
        # extra columns and left_out are cut from it.
        self._keys: dict[str, None] = dict.fromkeys(COLUMNS)
        self._extras: list[str] = []
        self.columns: list[str] = list(COLUMNS)
        self.records = 0  # records fed
        self.skipped = 0
        # Whether every row so far is known clean (ContactTable.cells_clean).
        self.cells_clean = True

    def feed(
        self, records: Sequence[Any], plain: tuple[list[list[str]], bool] | None = None
    ) -> list[list[str]]:
        """The rows of ``records`` (those with a usable chat id), in order;
        ``plain``: what ``_plain_rows(records)`` gave already, if it did."""
        # With the chatId flavour settled and no extra column, a plain batch
        # (exactly the contract's fields) has nothing to teach: tried first.
        settled = not (self._learning or self.whatsapp or self._extras)
        if settled and plain is None:
            plain = _plain_rows(records)
        elif not settled:
            plain = None
        if plain is None:
            fields = self._look(records)
            if not (settled or self._extras):
                whatsapp = self.whatsapp
                plain = _plain_whatsapp_rows(records, fields) if whatsapp else _plain_rows(records)
        self.records += len(records)
        if plain is not None:
            rows, clean = plain
            self.cells_clean = self.cells_clean and clean
            return rows
        rows = rows_by_record(records, self._extras)
        self.skipped += len(records) - len(rows)
        self.cells_clean = self.cells_clean and not rows
        return rows

    def _look(self, records: Sequence[Any]) -> set[str] | None:
        """Learn what ``records`` show (the flavour, new fields) and reshape the
        columns if that changed them; the union of their fields when all are dicts."""
        keys = self._keys
        known = len(keys)
        fields = None
        if {type(record) for record in records} <= {dict}:
            fields = set().union(*records)
        if fields is not None and keys.keys() >= fields:
            # The usual batch (only dicts, no new field): looked at whole, in C.
            if self._learning and self.whatsapp and "chatId" in fields:
                self.whatsapp = False
                known = -1  # "id" may be a column now
        elif fields is not None and self.whatsapp and fields <= _WHATSAPP_FIELDS:
            # At most one new field, "id" (the chat id: no new column), added
            # as _learn would add it.
            if "id" in fields:
                keys.setdefault("id")
            known = len(keys)
        else:
            known = self._learn(records, known)
        if len(keys) != known:
            self._reshape()
        return fields

    def _learn(self, records: Sequence[Any], known: int) -> int:
        """Record by record: refuse what is no object, learn the flavour and new fields."""
        keys = self._keys
        for position, record in enumerate(records, self.records + 1):
            if not isinstance(record, Mapping):
                raise BadResponse(
                    f"contact #{position} is a JSON {type(record).__name__}, not an object — "
                    "GREEN-API answered something unexpected"
                )
            if self._learning and self.whatsapp and "chatId" in record:
                self.whatsapp = False
                known = -1  # "id" may be a column now
            if not keys.keys() >= record.keys():
                keys.update(dict.fromkeys(record))
        return known

    @property
    def left_out(self) -> list[str]:
        """Extra fields seen but not made columns (beyond MAX_EXTRA_COLUMNS)."""
        return [_text(key) for key in self._fields()[MAX_EXTRA_COLUMNS:]]

    def table(
        self, rows: list[list[str]], *, instance_id: str = "", source: str = "GREEN-API"
    ) -> ContactTable:
        return ContactTable(
            self.columns,
            rows,
            instance_id=instance_id,
            source=source,
            skipped=self.skipped,
            left_out=self.left_out,
            cells_clean=self.cells_clean and not self._extras,
        )

    def _fields(self) -> list[str]:
        skip = _WHATSAPP_CONTRACT if self.whatsapp else _CONTRACT
        return [key for key in self._keys if key not in skip]

    def again(self) -> Normaliser:
        """A normaliser for a second pass over the same list: it starts with every
        column this one has seen, so no batch of that pass changes the columns."""
        second = Normaliser(whatsapp=self.whatsapp)
        second._keys = dict(self._keys)
        second._reshape()
        return second

    def _reshape(self) -> None:
        self._extras = self._fields()[:MAX_EXTRA_COLUMNS]
        columns = [*COLUMNS, *_unreserved([_text(key) for key in self._extras])]
        if columns != self.columns:
            self.columns = columns


def _unreserved(names: list[str]) -> list[str]:
    """``names`` with each reserved one renamed, the way ``cells.table_headers``
    makes names unique: the first free ``NAME_2``, ``NAME_3`` ..."""
    if RESERVED_COLUMNS.isdisjoint(name.casefold() for name in names):
        return names
    taken = {name.casefold() for name in (*COLUMNS, *names)} | RESERVED_COLUMNS
    renamed = []
    for name in names:
        if name.casefold() in RESERVED_COLUMNS:
            n = 2
            while f"{name}_{n}".casefold() in taken:
                n += 1
            name = f"{name}_{n}"
            taken.add(name.casefold())
        renamed.append(name)
    return renamed


def select(
    table: ContactTable, kind: str, *, chats: set[str] | None = None, count: int | None = None
) -> ContactTable:
    """The first ``count`` contacts of ``kind`` in ``table`` (``chats``: the chat ids
    getChats listed, for ``chatted``); the table itself when there is nothing to do."""
    table.kind = kind
    if kind == kinds.ALL and (count is None or count >= len(table.rows)):
        return table
    chat_id, type_, name = (table.position(c) for c in ("chatId", "type", "contactName"))
    chosen = [
        row
        for row in table.rows
        if kinds.wanted(kind, row[chat_id], row[type_], row[name], chats or set())
    ]
    table.rows = chosen if count is None else chosen[:count]
    return table


def rows_by_record(
    records: Iterable[Mapping[str, Any]], extras: Sequence[str] = ()
) -> list[list[str]]:
    """The rules record by record: the row of each record with a usable chat id
    (``extras``: the extra columns' fields). Any batch can take this way."""
    rows = []
    for record in records:
        identity = kinds.identify(record)
        if identity is not None:
            rows.append(_row(record, identity, extras))
    return rows


def plain_rows(records: Sequence[Any]) -> list[list[str]] | None:
    """The rows of a plain chatId batch (``_plain_rows``), else None."""
    plain = _plain_rows(records)
    return None if plain is None else plain[0]


def _plain_rows(records: Sequence[Any]) -> tuple[list[list[str]], bool] | None:
    """The rows of a batch of the chatId flavour in which every record has
    exactly the contract fields, of the usual types, with nothing for the rules
    to change: ids that ``kinds.identify`` keeps as they are, text without lone
    surrogates, a non-empty type, whole phone numbers. Else None (the general
    way). Each check looks at a whole column at once: no rule runs per value.
    With the rows, whether every value is what cells.clean() makes of it."""
    if not records or set(map(type, records)) != {dict} or set(map(len, records)) != {5}:
        return None
    try:
        ids, names, contact_names, types, phones = (
            list(map(itemgetter(key), records)) for key in COLUMNS
        )
    except KeyError:
        return None
    if (
        set(map(type, phones)) != {int}
        or not all(types)
        or not kinds.plain_chat_ids(ids)
        or (clean := _plain_texts(ids, names, contact_names, types)) is None
    ):
        return None
    if min(phones) > 0 and max(phones) < 10**MAX_PHONE_DIGITS:
        numbers: Iterable[str] = map(str, phones)
    elif min(phones) >= 0 and max(phones) < 10**MAX_PHONE_DIGITS:
        numbers = [str(phone) if phone else "" for phone in phones]  # 0: hidden
    else:
        top = 10**MAX_PHONE_DIGITS
        numbers = [str(phone) if 0 < phone < top else "" for phone in phones]
    return list(map(list, zip(ids, names, contact_names, types, numbers, strict=True))), clean


def plain_whatsapp_rows(records: Sequence[Any]) -> list[list[str]] | None:
    """The rows of a plain WhatsApp batch (``_plain_whatsapp_rows``), else None."""
    plain = _plain_whatsapp_rows(records)
    return None if plain is None else plain[0]


def _plain_whatsapp_rows(
    records: Sequence[Any], fields: set[str] | None = None
) -> tuple[list[list[str]], bool] | None:
    """The rows of a batch of WhatsApp records (``id``, and no fields but
    ``name``, ``contactName`` and ``type``; ``fields``: their union when the
    caller has it) as the general rules make them, when every id is
    ``DIGITS@c.us``, ``DIGITS@g.us`` (or an old group id ``DIGITS-DIGITS@g.us``)
    or ``DIGITS@lid`` and every text is plain. Else None (the general way).
    The rules, as kinds.identify applies them to such records: a @g.us id is a
    group with no phone; any other id is never a group (a group type becomes
    "user"), an empty type is "user", and a @c.us id's digits are its phone
    (up to 15, not all zeros). With the rows, whether every value is what
    cells.clean() makes of it."""
    if not records or set(map(type, records)) != {dict}:
        return None
    if fields is None:
        fields = set().union(*records)
    if not fields <= _WHATSAPP_FIELDS:
        return None
    try:
        ids = list(map(itemgetter("id"), records))
    except KeyError:
        return None
    names, contact_names, types = (
        list(map(dict.get, records, repeat(key), repeat(""))) for key in _WHATSAPP_TEXTS
    )
    if not _plain_whatsapp_ids(ids):
        return None
    if (clean := _plain_texts(ids, names, contact_names, types)) is None:
        return None
    # Every id's number as its phone and every type as a personal id's, then
    # the few others (groups, @lid) put right one by one.
    phones = list(map(operator.getitem, ids, repeat(_NUMBER)))
    kind = {text: _whatsapp_type(text) for text in set(types)}
    column = list(map(kind.__getitem__, types))
    personal = list(map(str.endswith, ids, repeat(_PERSONAL_END[:-1])))
    for position in compress(range(len(ids)), map(operator.not_, personal)):
        phones[position] = ""
        if ids[position].endswith("@g.us"):
            column[position] = kinds.GROUP
    if max(map(len, phones)) > MAX_PHONE_DIGITS or "|0" in "|" + "|".join(phones):
        # A number of 16 digits or more is no phone number, one of zeros
        # neither (phone_text): such a list goes the rules' way.
        return None
    return list(map(list, zip(ids, names, contact_names, column, phones, strict=True))), clean


def _plain_whatsapp_ids(ids: list[str]) -> bool:
    """True when every id is ``DIGITS@c.us``, ``DIGITS@lid`` or ``DIGITS@g.us``
    or an old group id ``DIGITS-DIGITS@g.us``: no white space, one "@" each."""
    if set(map(type, ids)) != {str}:
        return False
    joined = "|".join(ids) + "|"
    count = len(ids)
    if (
        not joined.isprintable()  # no white space but " ", no control character
        or " " in joined
        or joined.count("|") != count
        or joined.count("@") != count
        or sum(map(joined.count, (_PERSONAL_END, _GROUP_END, _LID_END))) != count
        or "|@" in "|" + joined
    ):
        return False
    numbers = joined.replace(_PERSONAL_END, "").replace(_GROUP_END, "").replace(_LID_END, "")
    if not numbers.replace("-", "").isdigit() or not numbers.isascii():
        return False
    # A dash where the rules read the id otherwise (or its phone): their way.
    return "-" not in numbers or all(
        kinds.identify({"id": chat_id}) is not None and chat_id.endswith("@g.us")
        for chat_id in ids
        if "-" in chat_id
    )


def _whatsapp_type(text: str) -> str:
    """The type column of a WhatsApp record whose id is not a group's."""
    return kinds.USER if text.strip().lower() in kinds.GROUP_TYPES else text or DEFAULT_TYPE


def _plain_texts(*columns: Sequence[Any]) -> bool | None:
    """None unless every value of ``columns`` is text without lone surrogates
    (nothing for cell_text to change); else whether it is all what cells.clean()
    keeps too: printable (no illegal character) and short. Printable text holds
    no surrogate; only text that is not (an emoji with a zero-width joiner) is
    searched for them."""
    try:  # TypeError: a value that is not text
        # Column by column: no copy of the whole batch's text (8 MB at 100,000).
        texts = [_BETWEEN.join(column) for column in columns]
    except TypeError:
        return None
    if all(map(str.isprintable, texts)):
        return all(map(_all_short, texts, columns))
    return None if any(map(_SURROGATE.search, texts)) else False


def _all_short(text: str, column: Sequence[str]) -> bool:
    """Whether no value of ``column`` is longer than a cell keeps, given
    ``text``: its values joined by _BETWEEN. Where no value holds _BETWEEN and
    each whole block of _HALF_CELL characters holds one, no value is longer
    than 2 * _HALF_CELL - 2 (a longer one would cover a whole block): a few
    hundred searches instead of a len() per value."""
    if text.count(_BETWEEN) == len(column) - 1 and all(
        text.find(_BETWEEN, start, start + _HALF_CELL) >= 0
        for start in range(0, len(text) - _HALF_CELL + 1, _HALF_CELL)
    ):
        return True
    return max(map(len, column), default=0) <= MAX_CELL_CHARS


def _row(record: Mapping[str, Any], identity: kinds.Identity, extras: Iterable[str]) -> list[str]:
    return [
        identity.chat_id,
        cell_text(record.get("name")),
        cell_text(record.get("contactName")),
        identity.type or cell_text(record.get("type")) or DEFAULT_TYPE,
        phone_text(identity.phone),
        *(cell_text(record.get(key)) for key in extras),
    ]


def plural(n: int, noun: str) -> str:
    """``n`` with thousands separators and ``noun`` in the right number: "1,204 contacts"."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def cell_text(value: Any) -> str:
    """Any JSON value as cell text: None -> '', numbers as written, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool | dict | list):
        try:
            return _text(json.dumps(value, ensure_ascii=False))
        except (RecursionError, ValueError):  # nested past what json can write
            return "…"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_text(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    """``[cell_text(v) for v in row]`` of every row, with one look first: rows
    read back from a report are text without lone surrogates, and 500,000
    cell_text() calls were a third of reading a 100,000-contact report."""
    rows = [list(row) for row in rows]
    values = [value for row in rows for value in row]
    if {type(value) for value in values} <= {str}:
        everything = "".join(values)
        if everything.isascii() or not _SURROGATE.search(everything):
            return rows
    return [[cell_text(value) for value in row] for row in rows]


def _text(value: str) -> str:
    """``value`` with each lone surrogate replaced by U+FFFD."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    return _SURROGATE.sub("\ufffd", value)


def phone_text(value: Any) -> str:
    """phoneNumber as a string of digits; hidden (0), missing or junk -> ''.

    Junk is anything that is not a positive whole number of at most 15 digits,
    or text made of such digits and the usual separators (``+7 (900) 123-45-67``):
    objects, lists, booleans, words, formulas."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    if isinstance(value, int):
        digits = str(value) if 0 < value < 10**MAX_PHONE_DIGITS else ""
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        digits = value  # the usual text: digits only (WhatsApp ids)
    elif isinstance(value, str) and _PHONE_TEXT.fullmatch(value):
        digits = "".join(ch for ch in value if ch.isdigit())
    else:
        digits = ""
    return digits if digits.strip("0") and len(digits) <= MAX_PHONE_DIGITS else ""


def parse_count(value: Any, name: str = "count", *, allow_text: bool = True) -> int | None:
    """``None`` (all contacts) or a positive whole number.

    Accepts what people and Excel send: ``50``, ``50.0`` and, with
    ``allow_text``, ``"50"``. Refuses booleans, zero, negatives, fractions,
    counts above ``MAX_COUNT`` and other text with a ``ConfigError``.
    """
    if value is None or value == "":
        return None
    number: Any = value
    if isinstance(value, str) and not allow_text:
        number = None
    elif isinstance(value, str):
        number = int(value.strip()) if value.strip().isdigit() else None
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ConfigError(
            f"{name} must be a whole number of 1 or more, or left out for all contacts"
        )
    if number > MAX_COUNT:
        raise ConfigError(
            f"{name} must be at most {MAX_COUNT:,} (no account has more contacts), "
            "or left out for all contacts"
        )
    return number
