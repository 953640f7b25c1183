"""What a report says about its Contacts rows besides the rows themselves: the
phone columns it adds and the counts on its Summary, gathered batch by batch --
for the buffered report (``xlsx_report``: all rows at once) and the streamed
export (``export_stream``: each batch as it arrives) alike. No openpyxl here:
the streamed export counts while openpyxl is still being imported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .errors import ReportError
from .names import PHONE_COLUMNS
from .phones import PhoneFormatter

# Added after the table's columns (the contract's, then the API's extras): every
# column keeps the position =GETCONTACTS and Refresh give it.
UNKNOWN_COUNTRY = "unknown"
MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header


def check_rows(title: str, n_rows: int) -> None:
    """ReportError when ``n_rows`` do not fit on one sheet."""
    if n_rows > MAX_ROWS:
        raise ReportError(
            f"{n_rows:,} rows do not fit on the Excel sheet {title} "
            f"({MAX_ROWS:,} at most) — use --count, or --format csv"
        )


class ContactFacts:
    """The report's own columns (``PHONE_COLUMNS``) and counts of its Contacts
    rows, gathered batch by batch: the buffered report gives all rows at once,
    the streamed export each batch as it arrives -- the same counts either way.

    The phone columns hold the number in international format and its country,
    empty for hidden numbers and for ``@lid`` chats (a linked id, not a phone
    number)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = [*columns, *PHONE_COLUMNS]
        self._phone = columns.index("phoneNumber")
        self._chat = columns.index("chatId")
        self._type = columns.index("type")
        self._formatter = PhoneFormatter()
        self.rows = 0
        self.hidden = 0  # rows without a phone number
        self.lids = 0  # rows of an @lid chat
        self.types: Counter[str] = Counter()
        self.countries: Counter[str] = Counter()

    def describe(self, rows: Sequence[Sequence[str]]) -> tuple[list[str], list[str]]:
        """The international number and the country of each row; counted."""
        phone, chat, describe = self._phone, self._chat, self._formatter.describe
        lids = [row[chat].endswith("@lid") for row in rows]
        # A linked id (@lid) is not a phone number; hidden numbers are '' already.
        numbers = ["" if lid else row[phone] for row, lid in zip(rows, lids, strict=True)]
        # Both columns in one pass: ~1 µs a number.
        described = [describe(digits) if digits else ("", "") for digits in numbers]
        formatted = [international for international, _ in described]
        countries = [country for _, country in described]
        self.rows += len(rows)
        self.lids += sum(lids)
        self.hidden += sum(1 for row in rows if not row[phone])
        self.types.update(row[self._type] for row in rows)
        self.countries.update(
            name or UNKNOWN_COUNTRY
            for name, digits in zip(countries, numbers, strict=True)
            if digits
        )
        return formatted, countries
