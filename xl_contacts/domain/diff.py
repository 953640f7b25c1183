"""What changed between two contact lists: added, removed and changed contacts.

Pure: rows in, rows out. Contacts are matched by chatId with a keyed join; a
chatId that occurs more than once is matched occurrence by occurrence (the
second "X" of the old list with the second "X" of the new one).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter, not_

from ..base.cells import ILLEGAL, MAX_CELL_CHARS, clean_rows
from ..base.i18n import N_, _, in_every_language, number
from ..base.json_stream import gc_paused
from .table import COLUMNS, ContactTable

COMPARED = ("name", "contactName", "type", "phoneNumber")
# The kinds of change, as the Changes sheet's first column says them: in the
# language of the run (the rows are the sheet's rows; nothing reads them back).
ADDED, REMOVED, CHANGED = N_("added"), N_("removed"), N_("changed")
_SEPARATOR = "\x00"  # cells.clean removes it from every value
# What cells.clean removes but the separator, "\x00" (counted instead): ILLEGAL from \x01.
_ILLEGAL_BUT_SEPARATOR = re.compile(ILLEGAL.pattern.replace("\x00", "\x01", 1))
# "what changed" of rows that are not a change of fields (a change of fields
# lists the column names, which are never translated).
WHOLE_CONTACT = {ADDED: N_("new contact"), REMOVED: N_("no longer in the list")}


def change_headers() -> list[str]:
    """The Changes table's columns in the language of the run: the compared
    columns keep their names («name (было)», «name (стало)»)."""
    return [
        _("change"),
        "chatId",
        *(
            when.format(column=name)
            for name in COMPARED
            for when in (_("{column} before"), _("{column} now"))
        ),
        _("what changed"),
    ]


@dataclass
class Changes:
    """One row per added, removed or changed contact, in ``change_headers()`` order."""

    rows: list[list[str]] = field(default_factory=list)

    def count(self, kind: str) -> int:
        # Rows made in either language count (a process may speak both in turn).
        said = in_every_language(kind)
        return sum(1 for row in self.rows if row[0] in said)

    def describe(self) -> str:
        """E.g. '2 added, 1 removed, 4 changed'."""
        return _("{added} added, {removed} removed, {changed} changed").format(
            added=number(self.count(ADDED)),
            removed=number(self.count(REMOVED)),
            changed=number(self.count(CHANGED)),
        )


def compare(previous_rows: Sequence[list[str]], table: ContactTable) -> Changes:
    """Added, removed and changed contacts between ``previous_rows`` (the contract
    columns as text) and ``table``: a keyed join on (chatId, occurrence)."""
    width = len(COLUMNS)
    with gc_paused():  # no cycles among the new rows and keys; sweeping them cost a third
        # Extra columns are not compared: cut off on the fly, and kept only for
        # the few rows left over (a list of 100,000 cut rows cost a tenth).
        compared = itemgetter(slice(width))
        rows = table.rows
        # Each row made one string: comparing these, not five values a row, is
        # most of the speed (no cleaned value holds the separator, so equal
        # strings are equal rows, when the values are clean).
        new_keys = list(map(_SEPARATOR.join, map(compared, rows)))
        if not _clean(new_keys, width):
            # Compare what the new report will hold (cleaned text), not the raw API text.
            rows = clean_rows(list(map(compared, rows)))
            new_keys = list(map(_SEPARATOR.join, rows))
        if (
            len(set(map(itemgetter(0), previous_rows))) != len(previous_rows)
            or len(set(map(itemgetter(0), rows))) != len(rows)
            or set(map(len, previous_rows)) - {width}
        ):
            return _compare_occurrences(previous_rows, list(map(compared, rows)))
        # Each chatId once on both sides (the usual list): nearly every row is
        # the same in both, and is found by one look-up of its string.
        before_by_key = dict(zip(map(_SEPARATOR.join, previous_rows), previous_rows, strict=True))
        popped = map(before_by_key.pop, new_keys, repeat(None))
        new_left = list(map(compared, compress(rows, map(not_, popped))))
        before_by_id = {row[0]: row for row in before_by_key.values()}
        # Still no sweeps: each would walk every row of both lists.
        changes = Changes()
        found = changes.rows
        words = _words()
        for now in new_left:
            before = before_by_id.pop(now[0], None)
            if before is None:
                found.append(_change_row(words[ADDED], now[0], None, now))
            elif before[1:] != now[1:]:
                found.append(_change_row(words[CHANGED], now[0], before, now))
        for before in before_by_id.values():  # in the previous list's order
            found.append(_change_row(words[REMOVED], before[0], before, None))
    return changes


def _clean(keys: list[str], width: int) -> bool:
    """True when the rows joined as ``keys`` need no ``cells.clean``: no value
    holds a character it removes (the separator included) or is too long."""
    everything = " ".join(keys)
    if (
        everything.count(_SEPARATOR) != (width - 1) * len(keys)
        or max(map(len, keys), default=0) > MAX_CELL_CHARS // 2  # (UTF-16 units)
    ):
        return False
    # Printable text (the usual names) holds nothing clean() removes: that look
    # costs a third of the search it spares.
    return everything.replace(_SEPARATOR, " ").isprintable() or not (
        _ILLEGAL_BUT_SEPARATOR.search(everything)
    )


def _compare_occurrences(previous_rows: Sequence[list[str]], new_rows: list[list[str]]) -> Changes:
    """``compare`` when a chatId occurs more than once: the second "X" of the
    old list is matched with the second "X" of the new one."""
    with gc_paused():
        old = dict(_keyed(previous_rows))
        changes = Changes()
        words = _words()
        for key, now in _keyed(new_rows):
            before = old.pop(key, None)
            if before is None:
                changes.rows.append(_change_row(words[ADDED], now[0], None, now))
            elif before[1:] != now[1:]:
                changes.rows.append(_change_row(words[CHANGED], now[0], before, now))
        for (chat_id, _n), before in old.items():
            changes.rows.append(_change_row(words[REMOVED], chat_id, before, None))
    return changes


def _keyed(rows: Iterable[list[str]]) -> Iterable[tuple[tuple[str, int], list[str]]]:
    seen: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        n = seen[row[0]]
        seen[row[0]] = n + 1
        yield (row[0], n), row


def _words() -> dict[str, tuple[str, str]]:
    """Each kind of change and its "what changed" of a whole contact, as the
    language of this comparison says them: looked up once, not row by row."""
    return {kind: (_(kind), _(WHOLE_CONTACT.get(kind, kind))) for kind in (ADDED, REMOVED, CHANGED)}


def _change_row(
    said: tuple[str, str], chat_id: str, before: list[str] | None, now: list[str] | None
) -> list[str]:
    """``said``: the kind of change and what a whole contact's change is called."""
    cells = [said[0], chat_id]
    differing = []
    for i, name in enumerate(COMPARED, 1):
        old_value = before[i] if before else ""
        new_value = now[i] if now else ""
        cells += [old_value, new_value]
        if before and now and old_value != new_value:
            differing.append(name)
    cells.append(", ".join(differing) or said[1])
    return cells
