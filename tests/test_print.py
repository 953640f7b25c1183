"""Reports printed as a person would: LibreOffice renders them to PDF, and the
pages are counted and read back (each page is headed by its sheet's name)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from helpers import libreoffice_converts
from pypdf import PdfReader
from stand_in import ID_INSTANCE, make_contacts

from xl_contacts.base.names import PHONE_COLUMNS
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.demo import DEMO_INSTANCE_ID, sample_contacts
from xl_contacts.domain.diff import change_headers, compare
from xl_contacts.sinks.previous_report import read_previous
from xl_contacts.sinks.xlsx_report import write_report
from xl_contacts.usecases.export import changes_sheet, changes_summary


def _pages_by_sheet(pdf: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Sheet name -> its pages as (text, width, height), in order."""
    pages: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    for page in PdfReader(pdf).pages:
        text = page.extract_text()
        sheet = text.strip().splitlines()[0].strip()
        pages[sheet].append((text, float(page.mediabox.width), float(page.mediabox.height)))
    return pages


def _assert_one_page_wide(pages: list[tuple[str, float, float]], first: str, last: str) -> None:
    """Landscape pages that each show the header's first and last column: the
    columns are not split over several runs of pages, the header repeats."""
    assert pages
    for number, (text, width, height) in enumerate(pages, 1):
        assert width > height, f"page {number} is not landscape"
        assert first in text and last in text, f"page {number} misses a column: {text[:300]}"


def test_the_demo_report_prints_on_two_pages(tmp_path: Path) -> None:
    table = normalise(sample_contacts(), instance_id=DEMO_INSTANCE_ID, source="demo")
    pdf = libreoffice_converts(write_report(table, tmp_path / "demo.xlsx"), tmp_path)
    pages = _pages_by_sheet(pdf)
    assert {sheet: len(p) for sheet, p in pages.items()} == {"Contacts": 1, "Summary": 1}
    _assert_one_page_wide(pages["Contacts"], "chatId", PHONE_COLUMNS[-1])
    text, width, height = pages["Summary"][0]
    assert width < height, "the Summary is a portrait page"
    assert "Contacts by type" in text and "Phone numbers by country" in text
    assert f"Instance {DEMO_INSTANCE_ID}" in text and "Page 2 of 2" in text


@pytest.fixture(scope="module")
def printed_comparison(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """A 2,000-contact report compared with an earlier one, printed."""
    folder = tmp_path_factory.mktemp("print")
    old = write_report(
        normalise(make_contacts(2_000), instance_id=ID_INSTANCE), folder / "old.xlsx"
    )
    raw = make_contacts(2_000, start=300)
    for contact in raw[::2]:
        contact["name"] += " (renamed)"
    table = normalise(raw, instance_id=ID_INSTANCE)
    previous = read_previous(old, ID_INSTANCE)
    changes = compare(previous.rows, table)
    assert len(changes.rows) == 300 + 300 + 850, len(changes.rows)
    new = write_report(
        table,
        folder / "new.xlsx",
        extra_tables=[changes_sheet(changes, previous)],
        summary_rows=changes_summary(changes, previous),
    )
    return _pages_by_sheet(libreoffice_converts(new, folder))


# The tests that read the printed comparison share one worker: one print of it.
@pytest.mark.xdist_group("printed_comparison")
def test_2000_contacts_print_one_page_wide(printed_comparison: dict[str, list]) -> None:
    contacts = printed_comparison["Contacts"]
    _assert_one_page_wide(contacts, "chatId", PHONE_COLUMNS[-1])
    assert "Name 2299 Фамилия" in contacts[-1][0], "the last contact is printed"
    assert len(printed_comparison["Summary"]) == 1


@pytest.mark.xdist_group("printed_comparison")
def test_the_changes_of_2000_contacts_print_one_page_wide(
    printed_comparison: dict[str, list],
) -> None:
    changes = printed_comparison["Changes"]
    _assert_one_page_wide(changes, change_headers()[0], change_headers()[-1])
    assert "300 added, 300 removed" in changes[0][0], "the counts on the first page"
