"""Built-in sample contacts for ``--demo``: no credentials, no network.

They start from the three contacts of GREEN-API's getContacts reference page
and add the cases real lists contain: a group, a hidden number, an extra
``username`` field, a Telegram channel id that looks like a negative number,
and names chosen by a stranger that a spreadsheet must not run as formulas.
"""

from __future__ import annotations

from typing import Any

DEMO_INSTANCE_ID = "1101000001"

# The example answer of GREEN-API's getContacts reference page.
REFERENCE_PAGE_CONTACTS: tuple[dict[str, Any], ...] = (
    {
        "chatId": "10000000",
        "name": "Василиса",
        "contactName": "Василиса Премудрая",
        "type": "user",
        "phoneNumber": 79876543210,
    },
    {
        "chatId": "10000001",
        "name": "Иван",
        "contactName": "Иван Царевич",
        "type": "user",
        "phoneNumber": 79998887766,
    },
    {
        "chatId": "10000002",
        "name": "Лягушка",
        "contactName": "Царевна Лягушка",
        "type": "user",
        "phoneNumber": 0,
    },
)

SAMPLE_CONTACTS: tuple[dict[str, Any], ...] = (
    *REFERENCE_PAGE_CONTACTS,
    {
        "chatId": "10000003",
        "name": "Kashchei",
        "contactName": "",
        "type": "user",
        "phoneNumber": 79001112233,
        "username": "kashchei_bessmertny",
    },
    {
        "chatId": "-100200300",
        "name": "Тридевятое царство",
        "contactName": "",
        "type": "group",
        "phoneNumber": 0,
    },
    {
        "chatId": "10000004",
        "name": '=HYPERLINK("http://example.invalid","click me")',
        "contactName": "+1 stranger",
        "type": "user",
        "phoneNumber": 14155550100,
    },
    {
        "chatId": "10000005",
        "name": "@SUM(1,2)",
        "contactName": "-2+3",
        "type": "user",
        "phoneNumber": 0,
    },
    {
        "chatId": "10000006",
        "name": "",
        "contactName": "Баба-Яга",
        "type": "user",
        "phoneNumber": 79005556677,
    },
)


def sample_contacts(count: int | None = None) -> list[dict[str, Any]]:
    """The sample list as GREEN-API would answer it (``count`` caps it, like the API)."""
    contacts = [dict(c) for c in SAMPLE_CONTACTS]
    return contacts if count is None else contacts[:count]
