"""The Changes sheet: what changed since a previous report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from helpers import formulas_in
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from remote_book import make_book
from stand_in import HOSTILE_NAMES, ID_INSTANCE, FakeGreenApi, make_contacts

from xl_contacts import macros
from xl_contacts.base.errors import ReportError
from xl_contacts.cli import main
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.diff import change_headers, compare
from xl_contacts.sinks.previous_report import read_previous
from xl_contacts.sinks.xlsx_report import write_report

OLD = [
    {"chatId": "1", "name": "Ann", "contactName": "Ann A", "type": "user", "phoneNumber": 7901},
    {"chatId": "2", "name": "Bob", "contactName": "", "type": "user", "phoneNumber": 7902},
    {"chatId": "3", "name": "Cat", "contactName": "", "type": "user", "phoneNumber": 0},
    {"chatId": "4", "name": "Dan", "contactName": "", "type": "user", "phoneNumber": 7904},
    {"chatId": "5", "name": "Eve", "contactName": "", "type": "user", "phoneNumber": 7905},
    {"chatId": "dup", "name": "First", "type": "user"},
    {"chatId": "dup", "name": "Second", "type": "user"},
]
NEW = [
    {"chatId": "1", "name": "Ann", "contactName": "Ann A", "type": "user", "phoneNumber": 7901},
    {"chatId": "2", "name": "Robert", "contactName": "", "type": "user", "phoneNumber": 7902},
    {"chatId": "3", "name": "Cat", "contactName": "Cat C", "type": "group", "phoneNumber": 7903},
    {"chatId": "4", "name": "Dan", "contactName": "", "type": "user", "phoneNumber": 0},
    {"chatId": "6", "name": HOSTILE_NAMES[0], "type": "user", "username": "new"},
    {"chatId": "dup", "name": "First", "type": "user"},
    {"chatId": "dup", "name": "Second!", "type": "user"},
    {"chatId": "dup", "name": "Third", "type": "user"},
]


def report(tmp_path: Path, raw: list[dict], name: str, instance: str = ID_INSTANCE) -> Path:
    return write_report(normalise(raw, id_instance=instance), tmp_path / name)


def rows_by_change(path: Path) -> list[list[object]]:
    """The Changes table: its header row, then one row per change."""
    ws = openpyxl.load_workbook(path)["Changes"]
    return [[c.value or "" for c in row] for row in ws[ws.tables["Changes"].ref]]


def test_every_kind_of_change(tmp_path: Path) -> None:
    previous = read_previous(report(tmp_path, OLD, "old.xlsx"), ID_INSTANCE)
    changes = compare(previous.rows, normalise(NEW, id_instance=ID_INSTANCE))
    rows = {(r[0], r[1], r[2] or r[3]): r for r in changes.rows}
    assert (changes.count("added"), changes.count("removed"), changes.count("changed")) == (2, 1, 4)
    assert rows[("changed", "2", "Bob")][2:4] == ["Bob", "Robert"]
    assert rows[("changed", "2", "Bob")][-1] == "name"
    cat = rows[("changed", "3", "Cat")]
    assert cat[-1] == "contactName, type, phoneNumber"
    assert cat[8:10] == ["", "7903"], "a number that appeared"
    assert rows[("changed", "4", "Dan")][8:10] == ["7904", ""], "a number that got hidden"
    assert rows[("removed", "5", "Eve")][2:4] == ["Eve", ""]
    assert rows[("removed", "5", "Eve")][-1] == "no longer in the list"
    assert rows[("added", "6", HOSTILE_NAMES[0])][2:4] == ["", HOSTILE_NAMES[0]]
    assert rows[("added", "6", HOSTILE_NAMES[0])][-1] == "new contact"
    assert rows[("changed", "dup", "Second")][2:4] == ["Second", "Second!"]
    assert ("added", "dup", "Third") in rows
    assert ("changed", "1", "Ann") not in rows


def test_identical_lists_have_no_changes(tmp_path: Path) -> None:
    previous = read_previous(report(tmp_path, OLD, "old.xlsx"), ID_INSTANCE)
    assert compare(previous.rows, normalise(OLD)).rows == []


def test_names_the_report_cleaned_are_not_changes(tmp_path: Path) -> None:
    raw = [{"chatId": "1", "name": HOSTILE_NAMES[-2]}, {"chatId": "2", "name": HOSTILE_NAMES[-1]}]
    previous = read_previous(report(tmp_path, raw, "old.xlsx"), ID_INSTANCE)
    assert compare(previous.rows, normalise(raw)).rows == []


def test_export_since_adds_the_changes_sheet_and_summary(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old = report(tmp_path, OLD, "old.xlsx")
    green_api_env.answer(NEW)
    new = tmp_path / "new.xlsx"
    assert main(["export", "--since", str(old), "-o", str(new)]) == 0
    assert "2 added, 1 removed, 4 changed" in capsys.readouterr().out
    wb = openpyxl.load_workbook(new)
    assert wb.sheetnames == ["Contacts", "Summary", "Changes"]
    assert "Changes" in wb["Changes"].tables
    rows = rows_by_change(new)
    assert rows[0] == change_headers() and len(rows) == 8
    assert all(row[-1] for row in rows), "every row says what changed"
    sheet = wb["Changes"]
    old_summary = openpyxl.load_workbook(old)["Summary"].iter_rows(values_only=True)
    old_fetch = next(value for label, value, *_ in old_summary if label == "Fetched at (UTC)")
    assert sheet["A1"].value == f"Changes since old.xlsx, fetched {old_fetch:%Y-%m-%d %H:%M:%S} UTC"
    assert sheet["A2"].value == "2 added, 1 removed, 4 changed", "the counts at the top"
    assert sheet.tables["Changes"].ref == "A4:K11" and sheet.tables["Changes"].autoFilter
    assert sheet.freeze_panes == "C5", "header, change and chatId stay in view"
    assert sheet.print_title_rows == "$4:$4" and sheet.page_setup.orientation == "landscape"
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows() if r[0].value}
    assert (summary["Added"], summary["Removed"], summary["Changed"]) == (2, 1, 4)
    assert summary["Compared with"] == "old.xlsx"
    assert summary["Previous fetch (UTC)"] == old_fetch, "a date, like Fetched at"
    assert formulas_in(new) == []


def test_since_the_output_file_itself(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = report(tmp_path, OLD, "contacts.xlsx")
    green_api_env.answer(NEW)
    assert main(["export", "--since", str(path), "-o", str(path)]) == 0
    assert len(rows_by_change(path)) == 8


def _not_a_report(tmp_path: Path) -> Path:
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Contacts"
    wb.create_sheet("Summary")["A1"] = "my own summary"
    wb.save(path)
    return path


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "t.xlsx"
    path.write_text("hello")
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: report(p, OLD, "x.xlsx", instance="42"), "report of instance 42"),
        (_not_a_report, "not a report of xl-contacts"),
        (_text_file, "not a readable"),
        (lambda p: p / "missing.xlsx", "does not exist"),
        (lambda p: Path(macros.__file__), "not a readable"),
    ],
)
def test_a_wrong_previous_file_is_refused_before_anything_happens(
    green_api_env: FakeGreenApi,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make,
    says: str,
) -> None:
    previous = make(tmp_path)
    target = report(tmp_path, OLD, "new.xlsx")
    before = target.read_bytes()
    green_api_env.answer(NEW)
    code = main(["export", "--since", str(previous), "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and says in err and "Traceback" not in err
    assert target.read_bytes() == before
    assert green_api_env.requests == [], "refused before fetching"


def test_a_contact_type_named_like_a_summary_label_is_not_read_as_one(tmp_path: Path) -> None:
    raw = [{"chatId": "1", "type": "Instance id"}, {"chatId": "2", "type": "Fetched at (UTC)"}]
    previous = read_previous(report(tmp_path, raw, "old.xlsx"), ID_INSTANCE)
    assert previous.id_instance == ID_INSTANCE and previous.fetched_at is not None


def test_read_previous_of_an_empty_report(tmp_path: Path) -> None:
    previous = read_previous(report(tmp_path, [], "empty.xlsx"), ID_INSTANCE)
    assert previous.rows == []
    with pytest.raises(ReportError):
        read_previous(report(tmp_path, [], "e2.xlsx"), "7")


def test_changes_of_100k_contacts(tmp_path: Path) -> None:
    old = read_previous(report(tmp_path, make_contacts(100_000), "old.xlsx"), ID_INSTANCE)
    new = normalise(make_contacts(100_000, start=1_000))
    changes = compare(old.rows, new)
    assert (changes.count("added"), changes.count("removed")) == (1_000, 1_000)


def test_save_report_macro_compares_with_the_latest_report(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    conf = {"xlwings.conf": [["Contacts Report Folder", str(tmp_path)]]}
    green_api_env.answer(OLD, once=True)
    green_api_env.answer(NEW)
    make_book(conf)
    macros.export_report()
    (first,) = tmp_path.glob("*.xlsx")
    first.rename(tmp_path / "Contacts contacts 2000-01-01 000000.xlsx")
    book = make_book(conf)
    macros.export_report()
    message = book.json()["actions"][-1]["args"][0]
    assert (
        "Since Contacts contacts 2000-01-01 000000.xlsx: 2 added, 1 removed, 4 changed" in message
    )
    newest = sorted(tmp_path.glob("*.xlsx"))[-1]
    assert "Changes" in openpyxl.load_workbook(newest).sheetnames


def test_save_report_macro_still_saves_when_the_earlier_report_is_foreign(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    report(tmp_path, OLD, "Contacts contacts 2000-01-01 000000.xlsx", instance="42")
    green_api_env.answer(NEW)
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(tmp_path)]]})
    macros.export_report()
    ((message, _, _, mode, _),) = [a["args"] for a in book.json()["actions"]]
    assert mode == "info" and "Not compared" in message and "instance 42" in message
    assert len(list(tmp_path.glob("*.xlsx"))) == 2


def _reference_diff(old: list[list[str]], new: list[list[str]]) -> set[tuple]:
    """The obvious quadratic version: match each chatId's n-th occurrences."""

    def nth(rows: list[list[str]]) -> list[tuple[tuple[str, int], list[str]]]:
        return [((r[0], sum(1 for q in rows[:i] if q[0] == r[0])), r) for i, r in enumerate(rows)]

    old_keyed, new_keyed = nth(old), nth(new)
    result = set()
    for key, row in new_keyed:
        match = [r for k, r in old_keyed if k == key]
        if not match:
            result.add(("added", key[0], tuple(row[1:5])))
        elif match[0][1:5] != row[1:5]:
            result.add(("changed", key[0], tuple(row[1:5])))
    for key, row in old_keyed:
        if not any(k == key for k, _ in new_keyed):
            result.add(("removed", key[0], tuple(row[1:5])))
    return result


contact = st.fixed_dictionaries(
    {
        "chatId": st.sampled_from(["1", "2", "3", "-100", "=x"]),
        "name": st.sampled_from(["", "Ann", "=HYPERLINK(1)", "+1"]),
        "type": st.sampled_from(["user", "group"]),
        "phoneNumber": st.sampled_from([0, 7900, 7901]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(contact, max_size=8), st.lists(contact, max_size=8))
def test_diff_matches_the_obvious_algorithm(tmp_path: Path, old: list, new: list) -> None:
    previous = read_previous(report(tmp_path, old, "old.xlsx"), ID_INSTANCE)
    table = normalise(new)
    changes = compare(previous.rows, table)
    # Each Changes row holds before/now pairs; keep the side that exists.
    got = {(r[0], r[1], tuple(r[2 if r[0] == "removed" else 3 : 10 : 2])) for r in changes.rows}
    old_rows = normalise(old).rows
    assert got == _reference_diff(old_rows, table.rows)
