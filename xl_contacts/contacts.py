"""Raw getContacts JSON -> normalised records -> a table (and a pandas DataFrame);
and the one parser of the ``count`` argument every front end takes.

Every value in a ``ContactTable`` is text: chat ids such as ``-100200300`` and
phone numbers such as ``79876543210`` are identifiers, not quantities, and must
never be turned into numbers (Excel would round them to 15 digits).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .errors import BadResponse, ConfigError

if TYPE_CHECKING:  # pandas is imported lazily: it is not needed to fetch or export
    import pandas as pd

COLUMNS: tuple[str, ...] = ("chatId", "name", "contactName", "type", "phoneNumber")
PHONE_COLUMN = COLUMNS.index("phoneNumber")
TYPE_COLUMN = COLUMNS.index("type")
DEFAULT_TYPE = "user"

EMPTY_HINT = (
    "GREEN-API returned no contacts — if the instance was authorised in the last few "
    "minutes, try again in 5 minutes; otherwise re-authorise the instance"
)


@dataclass
class ContactTable:
    """Contacts as rows of text, with the columns in contract order then extras."""

    columns: list[str]
    rows: list[list[str]]
    instance_id: str = ""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: str = "GREEN-API"

    def __len__(self) -> int:
        return len(self.rows)

    def hidden_phone_count(self) -> int:
        return sum(1 for row in self.rows if not row[PHONE_COLUMN])

    def type_counts(self) -> list[tuple[str, int]]:
        """(type, number of contacts), most common first."""
        return Counter(row[TYPE_COLUMN] for row in self.rows).most_common()

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns, dtype="str")

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def normalise(raw: Any, *, instance_id: str = "", source: str = "GREEN-API") -> ContactTable:
    """Turn a decoded getContacts answer into a ``ContactTable``.

    Accepts both flavours (Telegram ``chatId``, WhatsApp ``id``), tolerates
    missing fields (``type`` defaults to ``user``), keeps fields the API adds
    as extra columns in first-seen order, and raises ``BadResponse`` for
    anything that is not a list of JSON objects.
    """
    if not isinstance(raw, list):
        raise BadResponse(f"expected a list of contacts, got a JSON {type(raw).__name__}")
    extras: dict[str, None] = {}  # an ordered set
    for position, record in enumerate(raw, 1):
        if not isinstance(record, Mapping):
            raise BadResponse(
                f"contact #{position} is a JSON {type(record).__name__}, not an object — "
                "GREEN-API answered something unexpected"
            )
        for key in record:
            if key not in COLUMNS and key not in extras:
                extras[key] = None
    if not any("chatId" in record for record in raw):
        extras.pop("id", None)  # WhatsApp-shaped: "id" is the chat id, not an extra
    columns = [*COLUMNS, *extras]
    rows = [_row(record, extras) for record in raw]
    return ContactTable(columns, rows, instance_id=instance_id, source=source)


def _row(record: Mapping[str, Any], extras: Iterable[str]) -> list[str]:
    chat_id = record.get("chatId")
    if chat_id is None:
        chat_id = record.get("id")
    return [
        cell_text(chat_id),
        cell_text(record.get("name")),
        cell_text(record.get("contactName")),
        cell_text(record.get("type")) or DEFAULT_TYPE,
        phone_text(record.get("phoneNumber")),
        *(cell_text(record.get(key)) for key in extras),
    ]


def cell_text(value: Any) -> str:
    """Any JSON value as cell text: None -> '', numbers as written, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def phone_text(value: Any) -> str:
    """phoneNumber as a string of digits; hidden (0), missing or junk -> ''."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value) if value > 0 else ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and value > 0 else ""
    digits = "".join(ch for ch in str(value) if ch.isascii() and ch.isdigit())
    return digits if digits.strip("0") else ""


def parse_count(value: Any, name: str = "count", *, allow_text: bool = True) -> int | None:
    """``None`` (all contacts) or a positive whole number.

    Accepts what people and Excel send: ``50``, ``50.0`` and, with
    ``allow_text``, ``"50"``. Refuses booleans, zero, negatives, fractions and
    other text with a ``ConfigError``.
    """
    if value is None or value == "":
        return None
    number: Any = value
    if isinstance(value, str) and not allow_text:
        number = None
    elif isinstance(value, str):
        number = int(value.strip()) if value.strip().isdigit() else None
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ConfigError(
            f"{name} must be a whole number of 1 or more, or left out for all contacts"
        )
    return number
