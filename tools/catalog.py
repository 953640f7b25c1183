"""Keep the translation catalogs in step with the code (Babel's pybabel).

    python tools/catalog.py update    # new messages into the .po files (empty msgstr)
    python tools/catalog.py compile   # .po -> the .mo files the package ships

Translate between the two: every msgstr of
xl_contacts/base/locale/ru/LC_MESSAGES/xl_contacts.po filled in, placeholders
({name}, {n}) kept; tests/test_i18n.py fails while one is missing.
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


def compile_catalogs() -> None:
    pybabel("compile", "-d", str(LOCALE), "-D", "xl_contacts", "--statistics")


if __name__ == "__main__":
    {"update": update, "compile": compile_catalogs}[sys.argv[1]]()
