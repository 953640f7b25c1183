"""The contact table: contacts as text, column by column, and what a report
says about them (kinds, counts, what was left out or cut).

Every value in a ``ContactTable`` is text: chat ids such as ``-100200300`` and
phone numbers such as ``79876543210`` are identifiers, not quantities, and must
never be turned into numbers (Excel would round them to 15 digits).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any

from ..base.bounds import MAX_EXTRA_COLUMNS
from ..base.cells import MAX_CELL_CHARS
from ..base.i18n import _, ngettext, number
from ..base.json_stream import gc_paused_promoting
from ..base.names import (
    INSTANCE_COLUMN,
    LABEL_CUT,
    LABEL_KIND,
    LABEL_LEFT_OUT,
    LABEL_LID,
    LABEL_SKIPPED,
)
from . import kinds

if TYPE_CHECKING:  # pandas is imported lazily: it is not needed to fetch or export
    import pandas as pd

COLUMNS: tuple[str, ...] = ("chatId", "name", "contactName", "type", "phoneNumber")
# Fields GREEN-API documents beyond the contract columns: every JSON record
# has them (null where a contact has none), whichever contacts --count gave.
DOCUMENTED_FIELDS = ("username",)
_CONTRACT = frozenset(COLUMNS)


class ContactTable:
    """Contacts as text, column by column (``by_column``, in the order of
    ``columns``: the contract's, then extras); ``rows`` are made from the
    columns when something asks for rows. The rules run column by column
    (``normalise``) and most outputs write column by column, so a list of
    100,000 contacts is never taken apart into rows and put back together
    between the two. A table is not changed once made (``select`` makes another)."""

    def __init__(
        self,
        columns: Sequence[str],
        rows: list[list[str]] | None = None,
        *,
        by_column: list[list[str]] | None = None,
        id_instance: str = "",
        fetched_at: datetime | None = None,
        source: str = "GREEN-API",
        kind: str = kinds.ALL,
        skipped: int = 0,
        left_out: list[str] | None = None,
        cut: int = 0,
    ) -> None:
        self.columns = list(columns)
        if by_column is not None:
            if rows is not None:
                raise ValueError("a table is made of its rows or of its columns, not both")
            by_column = by_column or [[] for _ in self.columns]
            if len(by_column) != len(self.columns) or len(set(map(len, by_column))) > 1:
                raise ValueError("a table needs one list of values a column, all of one length")
        self._rows = rows
        self._by_column = by_column
        self._length = len(by_column[0]) if by_column else len(rows or ())
        self.id_instance = id_instance
        self.fetched_at = fetched_at or datetime.now(UTC)
        self.source = source
        self.kind = kind
        # Records GREEN-API sent without a usable chat id (e.g. "null@c.us"): left out.
        self.skipped = skipped
        #: extra fields seen in the answer but not made columns (beyond MAX_EXTRA_COLUMNS)
        self.left_out = left_out or []
        #: values longer than a cell holds (cells.too_long): cut in workbooks and CSV
        self.cut = cut

    @property
    def rows(self) -> list[list[str]]:
        """The contacts as rows of text."""
        if self._rows is None:
            with gc_paused_promoting():  # 100,000 new lists, none to collect
                self._rows = list(map(list, zip(*self.by_column, strict=True)))
        return self._rows

    @property
    def by_column(self) -> list[list[str]]:
        """The values of each column, in the order of ``columns``."""
        if self._by_column is None:
            rows = self._rows or []
            width = len(self.columns)
            if set(map(len, rows)) - {width}:
                raise ValueError(f"each row needs a value for each of the {width} columns")
            columns = zip(*rows, strict=True) if rows else [[]] * width
            self._by_column = [list(column) for column in columns]
        return self._by_column

    def replace(self, **changes: Any) -> ContactTable:
        """This table with ``changes`` (as the constructor names them)."""
        made = {
            "by_column": self.by_column,
            "id_instance": self.id_instance,
            "fetched_at": self.fetched_at,
            "source": self.source,
            "kind": self.kind,
            "skipped": self.skipped,
            "left_out": self.left_out,
            "cut": self.cut,
        }
        return ContactTable(self.columns, **{**made, **changes})

    def __repr__(self) -> str:
        return (
            f"ContactTable(columns={self.columns!r}, {len(self)} rows, "
            f"id_instance={self.id_instance!r}, kind={self.kind!r})"
        )

    def __len__(self) -> int:
        return self._length

    def lid_count(self) -> int:
        """Contacts under a WhatsApp ``@lid`` id: there is no phone number to show."""
        return sum(map(str.endswith, self.column("chatId"), repeat("@lid")))

    def column(self, name: str) -> list[str]:
        """The values of the column ``name``, in the rows' order."""
        return self.by_column[self.position(name)]

    def summary_lines(self, *, lids: int | None = None) -> list[tuple[str, Any]]:
        """The report Summary's lines about this list: its kind, and what was left
        out or could not be shown (only when there is something to say). ``lids``:
        the @lid count when the rows are not held (a streamed export)."""
        # The kind's value stays the --only name: a previous report's kind is
        # compared with this run's, whatever language either was written in.
        lines: list[tuple[str, Any]] = [(_(LABEL_KIND), self.kind)]
        if self.skipped:
            lines.append((_(LABEL_SKIPPED), self.skipped))
        if lids := self.lid_count() if lids is None else lids:
            lines.append((_(LABEL_LID), lids))
        if self.left_out:
            lines.append((_(LABEL_LEFT_OUT), self.left_out_note()))
        if self.cut:
            lines.append((_(LABEL_CUT), self.cut))
        return lines

    def notes(self, *, lids: int | None = None) -> list[str]:
        """What a person should know about this list beyond its rows (``lids``:
        as for ``summary_lines``)."""
        found = []
        if n := self.skipped:
            found.append(
                ngettext(
                    "skipped {n} record without a chat id",
                    "skipped {n} records without a chat id",
                    n,
                ).format(n=number(n))
            )
        if n := self.lid_count() if lids is None else lids:
            found.append(
                ngettext(
                    "{n} WhatsApp @lid id without a phone number",
                    "{n} WhatsApp @lid ids without a phone number",
                    n,
                ).format(n=number(n))
            )
        if self.left_out:
            found.append(self.left_out_note())
        if n := self.cut:
            found.append(
                ngettext(
                    "{n} value longer than Excel's {limit}-character cell limit, "
                    "cut in workbooks and CSV",
                    "{n} values longer than Excel's {limit}-character cell limit, "
                    "cut in workbooks and CSV",
                    n,
                ).format(n=number(n), limit=number(MAX_CELL_CHARS))
            )
        return found

    def position(self, column: str) -> int:
        """Where ``column`` is: the contract columns may follow an ``instance`` column."""
        return self.columns.index(column)

    def hidden_phone_count(self) -> int:
        """Personal contacts whose phone number is hidden (see ``hidden_count``)."""
        return hidden_count(self.column("chatId"), self.column("phoneNumber"), self.column("type"))

    def type_counts(self) -> list[tuple[str, int]]:
        """(type, number of contacts), most common first."""
        return Counter(self.column("type")).most_common()

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        data = dict(zip(self.columns, self.by_column, strict=True))
        return pd.DataFrame(data, columns=self.columns, dtype="str")

    def records(self) -> list[dict[str, str | None]]:
        """The rows as JSON objects of one shape, whichever contacts came: the
        contract's fields (text), then each extra field and each one GREEN-API
        documents (``DOCUMENTED_FIELDS``), null where a contact has none."""
        documented = [key for key in DOCUMENTED_FIELDS if key not in self.columns]
        keys = [*self.columns, *documented]
        extras = [key for key in keys if key not in _CONTRACT and key != INSTANCE_COLUMN]
        none = dict.fromkeys(documented)
        found = []
        for row in zip(*self.by_column, strict=True):
            record: dict[str, str | None] = dict(zip(self.columns, row, strict=True))
            record.update(none)
            for key in extras:
                record[key] = record[key] or None
            found.append(record)
        return found

    def left_out_note(self) -> str:
        """One sentence about the fields left out ('' when none were)."""
        if not self.left_out:
            return ""
        names = ", ".join(self.left_out[:3]) + (", …" if len(self.left_out) > 3 else "")
        n = len(self.left_out)
        return ngettext(
            "{n} more field left out (only the first {max} extra fields become columns): {names}",
            "{n} more fields left out (only the first {max} extra fields become columns): {names}",
            n,
        ).format(n=number(n), max=MAX_EXTRA_COLUMNS, names=names)


def hidden_count(chat_ids: Sequence[str], phones: Sequence[str], types: Sequence[str]) -> int:
    """Personal contacts (no groups) without a phone number to show, but for
    WhatsApp ``@lid`` chats (a linked id holds no number: counted on their own)."""
    lids = map(str.endswith, chat_ids, repeat("@lid"))
    numbered = map(operator.or_, kinds.groups(types), lids)  # no number to hide
    return sum(map(operator.not_, map(operator.or_, map(bool, phones), numbered)))
