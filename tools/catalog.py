"""Keep the translation catalogs in step with the code (Babel's pybabel).

    python tools/catalog.py update    # new messages into the .po files (empty msgstr)
    python tools/catalog.py compile   # .po -> the .mo files the package ships

Translate between the two: every msgstr of
xl_contacts/base/locale/ru/LC_MESSAGES/xl_contacts.po filled in, placeholders
({name}, {n}) kept; tests/test_i18n.py fails while one is missing. Country
names (base/countries.py) are not translated by hand: ``update`` fills each
one still empty with CLDR's name of that region (Babel's locale data).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "xl_contacts" / "base" / "locale"
# _() and N_() mark a message; ngettext(singular, plural, n) a message with plurals.
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "ngettext:1,2"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def update() -> None:
    # The .pot template is only a step between the code and the .po: not kept.
    with tempfile.TemporaryDirectory() as folder:
        template = str(Path(folder) / "xl_contacts.pot")
        pybabel(
            "extract",
            "-F",
            "babel.cfg",
            *KEYWORDS,
            "--no-location",
            "--sort-output",
            "--project",
            "xl-contacts",
            "-o",
            template,
            "xl_contacts",
        )
        pybabel(
            "update",
            "-i",
            template,
            "-d",
            str(LOCALE),
            "-D",
            "xl_contacts",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        )
    fill_country_names()


def fill_country_names() -> None:
    """Each country name without a translation gets CLDR's name of its region
    in that catalog's language."""
    from babel import Locale
    from babel.messages.pofile import read_po, write_po

    sys.path.insert(0, str(ROOT))
    from xl_contacts.base.countries import COUNTRY_NAMES

    for po in LOCALE.glob("*/LC_MESSAGES/xl_contacts.po"):
        with po.open("rb") as f:
            catalog = read_po(f)
        names = Locale.parse(po.parent.parent.name).territories
        for region, english in COUNTRY_NAMES.items():
            message = catalog.get(english)
            if message is not None and not message.string:
                message.string = names[region]
        with po.open("wb") as f:
            write_po(f, catalog, sort_output=True)


def compile_catalogs() -> None:
    pybabel("compile", "-d", str(LOCALE), "-D", "xl_contacts", "--statistics")


if __name__ == "__main__":
    {"update": update, "compile": compile_catalogs}[sys.argv[1]]()
