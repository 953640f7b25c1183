"""Whatever ``export`` writes, ``--since`` reads and the next ``export``
replaces (issue 23, items 8 and 9): the reader's bounds are the writer's
(``base.bounds``), tested at the limits -- the most rows a report holds, with
extra fields, and a report of two instances whose extra fields add up.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from flavours import SALES_ID, SUPPORT_ID, SUPPORT_TOKEN, instance, login, run
from helpers import cli
from stand_in import ID_INSTANCE, TOKEN, FakeGreenApi

from xl_contacts.base.bounds import MAX_EXTRA_COLUMNS, MAX_TABLE_ROWS, SHEET_ROWS
from xl_contacts.base.errors import ReportError
from xl_contacts.base.names import PHONE_COLUMNS, TELEGRAM, WHATSAPP
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.table import COLUMNS
from xl_contacts.sinks.previous_report import read_previous
from xl_contacts.sinks.report_facts import check_rows
from xl_contacts.sinks.xlsx_report import write_report

CONTACTS = "xl/worksheets/sheet1.xml"


def test_the_writer_and_the_reader_share_one_row_bound() -> None:
    assert MAX_TABLE_ROWS == SHEET_ROWS - 1 == 1_048_575  # the header takes one
    check_rows("Contacts", MAX_TABLE_ROWS)  # the writer takes as many
    with pytest.raises(ReportError):
        check_rows("Contacts", MAX_TABLE_ROWS + 1)


def largest_report(folder: Path, extras: int) -> Path:
    """A report of MAX_TABLE_ROWS contacts with ``extras`` extra fields, in the
    writer's shape: three contacts written by the real writer, then their
    second row repeated with its row number (and chatId) counted on -- writing a
    million rows through the writer itself takes minutes here."""
    fields = {f"extra{k}": f"value {k}" for k in range(extras)}
    contacts = [
        {"chatId": f"{79000000000 + i}@c.us", "name": f"Name {i}", "type": "user", **fields}
        for i in range(3)
    ]
    small = write_report(normalise(contacts, id_instance=ID_INSTANCE), folder / "small.xlsx")
    with zipfile.ZipFile(small) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    xml = parts[CONTACTS].decode()
    row = re.search(r'<row r="2">.*?</row>', xml)[0]  # type: ignore[index]
    template = re.sub(r'r="([A-Z]+)2"', r'r="\1{n}"', row.replace('r="2"', 'r="{n}"', 1))
    template = template.replace("79000000000@c.us", "{chat}@c.us")
    head, rest = xml.split(row, 1)
    tail = rest[rest.index("</sheetData>") :]
    rows = "".join(template.format(n=n, chat=70000000000 + n) for n in range(2, MAX_TABLE_ROWS + 2))
    parts[CONTACTS] = (head + rows + tail).encode()
    big = folder / "big.xlsx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return big


def test_the_largest_report_is_read_and_replaced(
    tmp_path: Path, green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    # Item 8: 1,048,575 contacts with three extra fields were over a 10M-cell bound.
    big = largest_report(tmp_path, 3)
    started = time.perf_counter()
    previous = read_previous(big, ID_INSTANCE)
    took = time.perf_counter() - started
    assert len(previous.rows) == MAX_TABLE_ROWS
    assert previous.rows[-1][0] == f"{70000000000 + MAX_TABLE_ROWS + 1}@c.us"
    size = big.stat().st_size
    green_api_env.answer()
    # The daily run: the target is looked at (a report of ours?) and replaced.
    code, out, err = cli(capsys, "export", "-o", str(big))
    assert code == 0, err
    assert "saved" in out and big.stat().st_size < size  # the stand-in's few contacts now
    print(f"read {MAX_TABLE_ROWS:,} rows in {took:.1f} s")


def extras_of(prefix: str, count: int) -> dict[str, str]:
    return {f"{prefix}{k}": f"{prefix} value {k}" for k in range(count)}


@pytest.fixture
def wide_profiles(green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]) -> None:
    """sales (WhatsApp) and support (Telegram), 35 extra fields each, none shared."""
    sales = [
        {"id": f"7900123456{i}@c.us", "name": f"S{i}", "type": "user", **extras_of("s", 35)}
        for i in range(3)
    ]
    support = [
        {"chatId": f"{123450 + i}", "name": f"T{i}", "phoneNumber": 79001234560 + i,
         **extras_of("t", 35)}
        for i in range(3)
    ]  # fmt: skip
    stand_ins = [
        (instance(green_api.server, WHATSAPP, SALES_ID, TOKEN, contacts=sales), "sales"),
        (instance(green_api.server, TELEGRAM, SUPPORT_ID, SUPPORT_TOKEN, contacts=support),
         "support"),
    ]  # fmt: skip
    for stand_in, profile in stand_ins:
        assert login(capsys, stand_in, profile)[0] == 0


def test_a_report_of_two_instances_of_35_extra_fields_each(
    wide_profiles: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Item 9: 1 + 5 + 70 + 2 = 78 columns; the reader allowed 65.
    assert 35 <= MAX_EXTRA_COLUMNS
    report = tmp_path / "both.xlsx"
    both = ["--profile", "sales", "--profile", "support"]
    code, out, err = run(capsys, "export", *both, "-o", str(report))
    assert code == 0, err
    header = next(openpyxl.load_workbook(report)["Contacts"].iter_rows(values_only=True))
    assert len(header) == 78 and header[-2:] == PHONE_COLUMNS
    assert header[1:6] == COLUMNS
    code, out, err = run(capsys, "export", *both, "-o", str(tmp_path / "next.xlsx"), "--since",
                         str(report))  # fmt: skip
    assert code == 0, err
    assert "0 added, 0 removed, 0 changed" in out
    code, out, err = run(capsys, "export", *both, "-o", str(report))  # replaced, as daily
    assert code == 0, err
