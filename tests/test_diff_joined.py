"""diff.compare finds the unchanged rows by joining each row into one string:
it must give exactly what the keyed join on (chatId, occurrence) of clean rows
(spelt out here) gives, whatever the rows hold (separators, characters clean() removes, repeated
chatIds, extra columns)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xl_contacts.base.cells import clean_rows
from xl_contacts.domain.diff import ADDED, CHANGED, REMOVED, compare
from xl_contacts.domain.table import COLUMNS, ContactTable

# Few chat ids and short values: rows that repeat, match and differ by little.
VALUES = st.one_of(
    st.sampled_from(["", "a", "b", "a\x00b", "\x00", "\x01", "x" * 40_000, " a ", "\ud800"]),
    st.text(max_size=4),
)
IDS = st.sampled_from(["1", "2", "3", "4", "1\x00", "\x011"])
ROWS = st.lists(st.tuples(IDS, VALUES, VALUES, VALUES, VALUES).map(list), max_size=8)


def reference(previous: list[list[str]], table: ContactTable) -> list[list[str]]:
    """The join spelt out: every new row cleaned, rows matched by (chatId,
    occurrence); added and changed in the new list's order, then removed."""
    width = len(COLUMNS)
    new = clean_rows([row[:width] for row in table.rows])

    def keyed(rows: list[list[str]]) -> dict[tuple[str, int], list[str]]:
        seen: dict[str, int] = {}
        out = {}
        for row in rows:
            seen[row[0]] = seen.get(row[0], -1) + 1
            out[(row[0], seen[row[0]])] = row
        return out

    old, now = keyed(previous), keyed(new)
    found = []
    for key, row in now.items():
        if key not in old:
            found.append((ADDED, None, row))
        elif old[key][1:] != row[1:]:
            found.append((CHANGED, old[key], row))
    found += [(REMOVED, row, None) for key, row in old.items() if key not in now]
    return [
        [kind, (after or before)[0], *cells(before, after)]  # type: ignore[index]
        for kind, before, after in found
    ]


def cells(before: list[str] | None, after: list[str] | None) -> list[str]:
    """The before/now pairs and "what changed" of one change row."""
    names = ("name", "contactName", "type", "phoneNumber")
    pairs, differing = [], []
    for i, name in enumerate(names, 1):
        old, new = before[i] if before else "", after[i] if after else ""
        pairs += [old, new]
        if before and after and old != new:
            differing.append(name)
    what = {ADDED: "new contact", REMOVED: "no longer in the list"}
    kind = ADDED if before is None else REMOVED if after is None else CHANGED
    return [*pairs, ", ".join(differing) or what[kind]]


@settings(max_examples=400, deadline=None)
@given(ROWS, ROWS, st.booleans())
def test_compare_gives_the_keyed_join_of_clean_rows(
    previous: list[list[str]], new: list[list[str]], extra: bool
) -> None:
    columns = [*COLUMNS, "extra"] if extra else list(COLUMNS)
    table = ContactTable(columns, [[*row, "x"] if extra else row for row in new])
    assert compare(previous, table).rows == reference(previous, table)


@given(st.lists(st.text(max_size=3), min_size=1, max_size=30, unique=True), st.data())
def test_unique_chat_ids_keep_the_order_of_both_lists(ids: list[str], data: st.DataObject) -> None:
    previous = [[i, "old", "", "user", ""] for i in ids]
    kept = data.draw(st.lists(st.sampled_from(ids), unique=True))
    new = [[i, "old" if n % 2 else "new", "", "user", ""] for n, i in enumerate(kept)]
    new += [[f"new {i}", "", "", "user", ""] for i in ids[:2]]
    table = ContactTable(list(COLUMNS), new)
    assert compare(previous, table).rows == reference(previous, table)
