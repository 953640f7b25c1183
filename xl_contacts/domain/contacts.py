"""Raw getContacts JSON -> the contact table (``table.ContactTable``), batch by
batch; ``select`` of a kind; and the one parser of the ``count`` argument every
front end takes."""

from __future__ import annotations

import operator
from collections.abc import Collection, Mapping, Sequence
from itertools import compress, repeat
from typing import Any

from ..base.bounds import MAX_EXTRA_COLUMNS
from ..base.cells import too_long
from ..base.errors import BadResponse, ConfigError
from ..base.i18n import N_, _, number
from ..base.json_stream import gc_paused_promoting
from ..base.names import INSTANCE_COLUMN, PHONE_COLUMNS
from . import kinds
from .table import COLUMNS, ContactTable
from .values import cell_text, cell_texts, phone_texts

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

_CONTRACT = frozenset(COLUMNS)
_WHATSAPP_CONTRACT = frozenset({*COLUMNS, "id"})  # WhatsApp's "id" is the chat id

EMPTY_HINT = N_(
    "GREEN-API returned no contacts — if the instance was authorised in the last few "
    "minutes, try again in 5 minutes; otherwise re-authorise the instance"
)


def normalise(raw: Any, *, id_instance: str = "", source: str = "GREEN-API") -> ContactTable:
    """Turn a decoded getContacts answer of any flavour into a ``ContactTable``.

    WhatsApp ``id`` becomes ``chatId``; a ``@c.us`` id gives the phone number, a
    ``@g.us`` id is a group whatever ``type`` says; Telegram and MAX groups have
    negative ids (see ``kinds.identify``). Records without a usable chat id are
    left out and counted in ``skipped``. Missing fields are tolerated (``type``
    defaults to ``user``); the first ``MAX_EXTRA_COLUMNS`` fields the API adds
    become extra columns in first-seen order (the rest are listed in
    ``left_out``); anything that is not a list of JSON objects raises
    ``BadResponse``. Lone surrogates in any text become U+FFFD, so every output
    can encode every value.
    """
    if not isinstance(raw, list):
        raise BadResponse(
            _("expected a list of contacts, got a JSON {type}").format(type=type(raw).__name__)
        )
    if set(map(type, raw)) <= {dict}:  # the usual list: one look, in C
        whatsapp = not any(map(operator.contains, raw, repeat("chatId")))
    else:
        whatsapp = not any(isinstance(r, Mapping) and "chatId" in r for r in raw)
    normaliser = Normaliser(whatsapp=whatsapp)
    # ~10 new objects a contact, none to collect, and the rows stay: no sweeps
    with gc_paused_promoting():
        by_column = normaliser.feed_columns(raw)
    return normaliser.table(by_column, id_instance=id_instance, source=source)


class Normaliser:
    """``normalise``'s rules one batch of records at a time, for a list that
    arrives in pieces (the streamed export) as for a whole one.

    ``feed_columns`` (and ``learn``) looks at every key of a batch before making
    its columns, so the rows of one batch all have ``columns``. What a later
    batch may still change: a field seen first there adds a column, and the
    first record with a ``chatId`` shows that the list is not WhatsApp's after
    all (its ``id`` fields then become a column). ``whatsapp=None`` learns that
    from the records; a caller that has written rows already compares
    ``columns`` before and after each batch.
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
        self.cut = 0  # values longer than a cell holds

    def feed_columns(self, records: Sequence[Any]) -> list[list[str]]:
        """The values of each column (of ``columns``) of the rows of ``records``
        (those with a usable chat id), in order."""
        self.learn(records)
        columns = contact_columns(records, self._extras)
        self.cut += sum(map(too_long, columns))
        self.skipped += len(records) - len(columns[0])
        return columns

    def learn(self, records: Sequence[Any]) -> None:
        """Learn what ``records`` show (the flavour, new fields) without making
        their rows: the first pass over a list whose columns must all be known
        before a row is written (see ``again``)."""
        self._look(records)
        self.records += len(records)

    def _look(self, records: Sequence[Any]) -> None:
        """Learn what ``records`` show (the flavour, new fields) and reshape the
        columns if that changed them."""
        keys = self._keys
        known = len(keys)
        fields: Collection[str]
        if set(map(type, records)) <= {dict}:  # the usual batch: every key, in C
            fields = set().union(*records)
            seen = _first_seen(records, fields - keys.keys())
        else:
            fields = seen = self._learn(records)
        if self._learning and self.whatsapp and "chatId" in fields:
            self.whatsapp = False
            known = -1  # "id" may be a column now
        keys.update(seen)  # new fields after the known ones, first seen first
        if len(keys) != known:
            self._reshape()

    def _learn(self, records: Sequence[Any]) -> dict[str, None]:
        """The fields of ``records``, first seen first; refuses what is no object."""
        seen: dict[str, None] = {}
        for position, record in enumerate(records, self.records + 1):
            if not isinstance(record, Mapping):
                raise BadResponse(
                    _(
                        "contact #{position} is a JSON {type}, not an object — "
                        "GREEN-API answered something unexpected"
                    ).format(position=position, type=type(record).__name__)
                )
            seen.update(dict.fromkeys(record))
        return seen

    @property
    def left_out(self) -> list[str]:
        """Extra fields seen but not made columns (beyond MAX_EXTRA_COLUMNS)."""
        return [cell_text(key) for key in self._fields()[MAX_EXTRA_COLUMNS:]]

    def table(
        self, by_column: list[list[str]], *, id_instance: str = "", source: str = "GREEN-API"
    ) -> ContactTable:
        """The table of ``feed_columns``' columns (none: a table of no rows)."""
        return ContactTable(
            self.columns,
            by_column=by_column,
            id_instance=id_instance,
            source=source,
            skipped=self.skipped,
            left_out=self.left_out,
            cut=self.cut,
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
        columns = [*COLUMNS, *_unreserved([cell_text(key) for key in self._extras])]
        if columns != self.columns:
            self.columns = columns


def _first_seen(records: Sequence[Mapping[str, Any]], new: set[str]) -> dict[str, None]:
    """The fields ``new`` in the order ``records`` first show them: the records
    are read only until each has been seen (a new field is mostly in the first)."""
    seen: dict[str, None] = {}
    unseen = set(new)  # emptied in place: a set rebuilt per record made this
    for record in records if unseen else ():  # quadratic in a list of sparse keys
        if not unseen.isdisjoint(record):
            for key in record:
                if key in unseen:
                    seen[key] = None
                    unseen.discard(key)
            if not unseen:
                break
    return seen


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
    getChats listed, for ``chatted``), as a new table: ``table`` stays as it is."""
    facts = map(table.column, ("chatId", "type", "contactName"))
    wanted = kinds.wanted(kind, *facts, chats or set())
    if all(wanted) and (count is None or count >= len(table)):
        return table.replace(kind=kind)
    chosen = [list(compress(column, wanted)) for column in table.by_column]
    if count is not None:
        chosen = [column[:count] for column in chosen]
    cut = sum(map(too_long, chosen)) if table.cut else 0
    return table.replace(kind=kind, by_column=chosen, cut=cut)


def contact_columns(
    records: Sequence[Mapping[str, Any]], extras: Sequence[str] = ()
) -> list[list[str]]:
    """The columns of the rows of the records with a usable chat id (``extras``:
    the extra columns' fields). The rules run column by column: the chat id,
    type and phone as ``kinds.identify_all`` reads them, every other field as
    ``cell_text`` makes it."""
    found = kinds.identify_all(records)
    ids, proven, phones = found.chat_ids, found.types, found.phones
    if "" in ids:  # records without a usable chat id are left out
        usable = list(map(bool, ids))
        records = list(compress(records, usable))
        ids, proven, phones = (list(compress(c, usable)) for c in (ids, proven, phones))
    own = cell_texts(kinds.column(records, "type"))
    # The type the id proves, else the record's own, else DEFAULT_TYPE.
    for at in compress(range(len(own)), proven):
        own[at] = proven[at]
    if not all(own):
        own = [t or DEFAULT_TYPE for t in own]
    return [
        ids,
        cell_texts(kinds.column(records, "name")),
        cell_texts(kinds.column(records, "contactName")),
        own,
        phone_texts(phones),
        *(cell_texts(kinds.column(records, key)) for key in extras),
    ]


def parse_count(value: Any, name: str = "count", *, allow_text: bool = True) -> int | None:
    """``None`` (all contacts) or a positive whole number.

    Accepts what people and Excel send: ``50``, ``50.0`` and, with
    ``allow_text``, ``"50"``. Refuses booleans, zero, negatives, fractions,
    counts above ``MAX_COUNT`` and other text with a ``ConfigError``.
    """
    if value is None or value == "":
        return None
    whole: Any = value
    if isinstance(value, str) and not allow_text:
        whole = None
    elif isinstance(value, str):
        whole = int(value.strip()) if value.strip().isdigit() else None
    elif isinstance(value, float) and value.is_integer():
        whole = int(value)
    if isinstance(whole, bool) or not isinstance(whole, int) or whole < 1:
        raise ConfigError(
            _("{name} must be a whole number of 1 or more, or left out for all contacts").format(
                name=name
            )
        )
    if whole > MAX_COUNT:
        raise ConfigError(
            _(
                "{name} must be at most {max} (no account has more contacts), "
                "or left out for all contacts"
            ).format(name=name, max=number(MAX_COUNT))
        )
    return whole
