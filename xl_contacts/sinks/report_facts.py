"""What a report says about its Contacts rows besides the rows themselves: the
phone columns it adds and the counts on its Summary, gathered batch by batch --
for the buffered report (``xlsx_report``: all rows at once) and the streamed
export (``export_stream``: each batch as it arrives) alike. No openpyxl here:
the streamed export counts while openpyxl is still being imported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import compress

from ..base.bounds import MAX_TABLE_ROWS as MAX_ROWS
from ..base.errors import ReportError
from ..base.i18n import N_, _
from ..base.names import PHONE_COLUMNS
from ..domain.phones import PhoneFormatter
from ..domain.table import hidden_count

# Countries are counted under their English names (this one for a number of
# no country) and said in the report's language by ContactFacts.say.
UNKNOWN_COUNTRY = N_("unknown")
_OR_UNKNOWN = {"": UNKNOWN_COUNTRY}  # .get(country, country): the name to count


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
        # Where chatId, phoneNumber and type are among the columns, for describe_columns().
        self.reads = [columns.index(name) for name in ("chatId", "phoneNumber", "type")]
        self._formatter = PhoneFormatter()
        self._said: dict[str, str] = {}  # country name -> as the report says it
        self.rows = 0
        self.hidden = 0  # personal rows without a phone number
        self.lids = 0  # rows of an @lid chat
        self.types: Counter[str] = Counter()
        self.countries: Counter[str] = Counter()

    def describe_columns(
        self, chats: Sequence[str], phones: Sequence[str], types: Sequence[str]
    ) -> tuple[list[str], list[str]]:
        """``describe`` of the rows whose chatId, phoneNumber and type columns
        these are: each count taken of a whole column at once."""
        # A linked id (@lid) is not a phone number; hidden numbers are '' already.
        numbers: Sequence[str] = phones
        if "@lid" in "\n".join(chats):  # rare: only then chat by chat
            lids = [chat.endswith("@lid") for chat in chats]
            numbers = ["" if lid else p for p, lid in zip(phones, lids, strict=True)]
            self.lids += sum(lids)
        formatted, countries = self._formatter.describe_all(numbers)
        self.rows += len(phones)
        self.hidden += hidden_count(chats, phones, types)
        self.types.update(types)
        # Each number's country, "unknown" for a number of none, counted in
        # first-seen order (as one by one); hidden numbers are not counted.
        named = map(_OR_UNKNOWN.get, countries, countries)
        self.countries.update(compress(named, numbers))
        said = {name: self.say(name) for name in set(countries)}  # a few hundred at most
        return formatted, list(map(said.__getitem__, countries))

    def say(self, country: str) -> str:
        """``country`` (an English name, or '') in the report's language: the
        country column and the Summary's counts alike. A few hundred names at
        most: each is looked up once a report, not once a batch."""
        said = self._said.get(country)
        if said is None:
            said = self._said[country] = _(country) if country else ""
        return said
