"""Regenerate the README's pictures of a report: docs/contacts.png (the first
printed page of the Contacts sheet) and docs/summary.png (the Summary page).

    python docs/make_pictures.py

The report is what ``xl-contacts export`` writes, for the built-in demo contacts
plus generated ones with phone numbers of several countries (fixed, so the
pictures only change when the report does), printed the way a person would:
LibreOffice renders it to PDF, pdftoppm turns pages into PNG.

Needs ``soffice`` (apt-get install libreoffice-calc), ``pdftoppm``
(apt-get install poppler-utils) and, for Excel's letter widths, the Carlito
font (apt-get install fonts-crosextra-carlito), metric-compatible with Calibri.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import pypdfium2

from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.demo import DEMO_INSTANCE_ID, sample_contacts
from xl_contacts.sinks.xlsx_report import write_report

DOCS = Path(__file__).resolve().parent
DPI = 80
# Where the generated contacts' numbers come from, and how often.
COUNTRIES = {"RU": 40, "KZ": 12, "DE": 10, "US": 8, "GB": 6, "IN": 6, "AE": 4, "TR": 4, "BR": 3}
FIRST_NAMES = ["Анна", "Борис", "Вера", "Глеб", "Dana", "Emil", "Farah", "Ivan", "Lena", "Omar"]
LAST_NAMES = ["Петрова", "Смирнов", "Kaya", "Müller", "Singh", "Brown", "Ivanova", "Haddad"]


def sample_list(n: int = 400) -> list[dict[str, object]]:
    """The demo contacts and ``n`` generated ones: names, a few groups, a fifth
    of the numbers hidden, the rest from COUNTRIES."""
    rnd = random.Random(15)
    regions = rnd.choices(list(COUNTRIES), weights=list(COUNTRIES.values()), k=n)
    contacts = sample_contacts()
    for i, region in enumerate(regions):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        digits = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:]
        number = int(digits[:-4] + f"{rnd.randrange(10_000):04d}")
        name = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"
        group = i % 25 == 0
        contacts.append(
            {
                "chatId": f"{number}@g.us" if group else str(20_000_000 + i),
                "name": f"Team {i}" if group else name,
                "contactName": "" if i % 3 else name,
                "type": "group" if group else "user",
                "phoneNumber": 0 if group or i % 5 == 0 else number,
            }
        )
    return contacts


def render(pdf: Path, page: int, out: Path, *, height: float = 1.0) -> None:
    """Page ``page`` (1-based) of ``pdf`` as a PNG, its top ``height`` part."""
    with pypdfium2.PdfDocument(pdf) as document:
        width, full_height = document[page - 1].get_size()
    width_px = round(width / 72 * DPI)
    height_px = round(full_height / 72 * DPI * height)
    stem = out.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile"]
        + ["-x", "0", "-y", "0", "-W", str(width_px), "-H", str(height_px), str(pdf), str(stem)],
        check=True,
    )


def main() -> int:
    missing = [tool for tool in ("soffice", "pdftoppm") if not shutil.which(tool)]
    if missing:
        print(f"needs {' and '.join(missing)}: see this script's docstring", file=sys.stderr)
        return 2
    table = normalise(sample_list(), id_instance=DEMO_INSTANCE_ID)
    table.fetched_at = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report = write_report(table, folder / "report.xlsx")
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless"]
            + ["--convert-to", "pdf", "--outdir", str(folder), str(report)],
            check=True,
            capture_output=True,
        )
        pdf = folder / "report.pdf"
        with pypdfium2.PdfDocument(pdf) as document:
            sheets = [
                page.get_textpage().get_text_bounded().strip().splitlines()[0] for page in document
            ]
        render(pdf, sheets.index("Contacts") + 1, DOCS / "contacts.png", height=0.55)
        render(pdf, sheets.index("Summary") + 1, DOCS / "summary.png")
    print(f"written: {DOCS / 'contacts.png'}, {DOCS / 'summary.png'} ({len(sheets)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
