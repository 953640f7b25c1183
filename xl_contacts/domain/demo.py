"""Built-in sample contacts for ``--demo``: no credentials, no network.

They start from the three contacts of GREEN-API's getContacts reference page
and add the cases real lists contain: a group, a hidden number, an extra
``username`` field, a Telegram channel id that looks like a negative number,
and names chosen by a stranger that a spreadsheet must not run as formulas.

Two demo instances answer like two flavours of GREEN-API: ``demo-telegram``
(the list above, the demo of earlier versions) and ``demo-whatsapp`` (``id``
fields, a ``@lid`` id, a group typed "user", a bogus ``null@c.us``). Each also
has chats, for ``--only chatted``, and honours ``group``/``count`` the way
its flavour of the API does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..base.errors import ConfigError
from ..base.names import TELEGRAM, WHATSAPP

DEMO_INSTANCE_ID = "1101000001"
DEMO_WHATSAPP_INSTANCE_ID = "1101000002"

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


# WhatsApp-shaped: the reference page of the WhatsApp flavour, then the known
# data problems (green-api/issues): a group with an empty name typed "user", the
# same person under a @lid id, and a record whose id is "null@c.us".
SAMPLE_WHATSAPP_CONTACTS: tuple[dict[str, Any], ...] = (
    {"id": "79001234567@c.us", "name": "Ivan Petrov", "contactName": "Ivan Work", "type": "user"},
    {"id": "79001234568@c.us", "name": "Lyusya Sidorova", "contactName": "", "type": "user"},
    {"id": "79001234569-1479621234@g.us", "name": "My group", "type": "group"},
    {"id": "120363043968066561@g.us", "name": "", "type": "user"},
    {"id": "123456789012345@lid", "name": "Lyusya Sidorova", "contactName": "", "type": "user"},
    {"id": "null@c.us", "name": "", "contactName": "", "type": "user"},
    {"id": "14155550100@c.us", "name": "=1+1", "contactName": "+1 stranger", "type": "user"},
)


@dataclass(frozen=True)
class DemoInstance:
    """A built-in instance that answers like GREEN-API of one flavour."""

    profile: str
    id_instance: str
    flavour: str
    contacts: tuple[dict[str, Any], ...]
    chats: tuple[str, ...]

    def get_contacts(self, count: int | None = None, group: bool | None = None) -> list[dict]:
        """The answer getContacts would give (``group`` filters like WhatsApp's)."""
        contacts = [dict(c) for c in self.contacts]
        if group is not None:
            contacts = [c for c in contacts if str(c.get("id", "")).endswith("@g.us") == group]
        return contacts if count is None else contacts[:count]

    def get_chats(self) -> list[dict[str, Any]]:
        key = "id" if self.flavour == WHATSAPP else "chatId"
        return [{key: chat_id} for chat_id in self.chats]


DEMO_PROFILES: dict[str, DemoInstance] = {
    "demo-telegram": DemoInstance(
        "demo-telegram",
        DEMO_INSTANCE_ID,
        TELEGRAM,
        SAMPLE_CONTACTS,
        ("10000000", "-100200300", "10000004"),
    ),
    "demo-whatsapp": DemoInstance(
        "demo-whatsapp",
        DEMO_WHATSAPP_INSTANCE_ID,
        WHATSAPP,
        SAMPLE_WHATSAPP_CONTACTS,
        ("79001234567@c.us", "79001234569-1479621234@g.us", "123456789012345@lid"),
    ),
}
DEFAULT_DEMO = "demo-telegram"


def demo_instance(profile: str | None = None) -> DemoInstance:
    """The demo instance called ``profile`` (default: the Telegram-shaped one)."""
    found = DEMO_PROFILES.get(profile or DEFAULT_DEMO)
    if found is None:
        raise ConfigError(f"--demo knows the profiles {', '.join(DEMO_PROFILES)}, not {profile!r}")
    return found


def sample_contacts(count: int | None = None) -> list[dict[str, Any]]:
    """The sample list as GREEN-API would answer it (``count`` caps it, like the API)."""
    return DEMO_PROFILES[DEFAULT_DEMO].get_contacts(count)
