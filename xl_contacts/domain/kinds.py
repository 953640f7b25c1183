"""Contact kinds and GREEN-API flavours: which contacts a user asked for, what
to ask each flavour of the API for them, and how one raw record of any flavour
becomes a chat id, a type and a phone number.

Pure: no HTTP, no settings. GREEN-API facts this relies on (its public docs):

- WhatsApp getContacts takes ``group=true|false`` and ``count``; its records
  carry ``id`` (``79001234567@c.us`` personal, ``…@g.us`` group, ``…@lid`` a
  linked id without a phone number) and no ``phoneNumber``.
- Telegram and MAX getContacts take ``count`` only; their records carry
  ``chatId`` (negative for groups) and ``phoneNumber`` (0 when hidden).
- getChats is sent without parameters: ``chatted`` needs every chat anyway.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, NamedTuple

from ..base.errors import ConfigError
from ..base.names import WHATSAPP

ALL, PERSONAL, GROUPS, SAVED, CHATTED = "all", "personal", "groups", "saved", "chatted"
KINDS: tuple[str, ...] = (ALL, PERSONAL, GROUPS, SAVED, CHATTED)
KIND_HELP = {
    ALL: "every contact",
    PERSONAL: "personal chats, no groups",
    GROUPS: "group chats only",
    SAVED: "contacts with a name in the phone book",
    CHATTED: "contacts the account has a chat with (one more request: getChats)",
}

GROUP = "group"
USER = "user"
GROUP_TYPES = frozenset({GROUP, "supergroup", "channel"})

# A WhatsApp id: digits (old group ids: digits-digits) @ a domain. Anything else
# in front of the @ -- "null", "undefined", "" -- is a known GREEN-API glitch.
_WHATSAPP_ID = re.compile(r"([0-9]+(?:-[0-9]+)?)@([a-z.]+)")
_BOGUS = frozenset({"null", "undefined", "none", "nan"})
_SINGLE_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s")  # what _SINGLE_WORD and str.strip() see as space


def parse_kind(value: Any, name: str = "only") -> str:
    """One of ``KINDS`` (case-insensitive); empty or None means ``all``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ALL
    if isinstance(value, str) and value.strip().lower() in KINDS:
        return value.strip().lower()
    raise ConfigError(f"{name} must be one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Plan:
    """What to request for a kind: getContacts' ``group`` and ``count`` (None: not
    sent), whether getChats is needed, and how many of the kind to keep (``cut``)."""

    group: bool | None = None
    count: int | None = None
    chats: bool = False
    cut: int | None = None


def plan(kind: str, count: int | None, flavour: str | None) -> Plan:
    """The cheapest documented request for ``count`` contacts of ``kind``.

    The server filters only where it can (WhatsApp ``group=``) and counts only
    where its count means "N of that kind"; everywhere else the filter and the
    cut happen here. ``group`` is never sent unless the flavour is known to be
    WhatsApp: Telegram and MAX do not document it.
    """
    whatsapp = flavour == WHATSAPP
    if kind == ALL:
        return Plan(count=count)
    if whatsapp and kind in (PERSONAL, GROUPS):
        return Plan(group=kind == GROUPS, count=count)
    if whatsapp and kind == SAVED:  # groups have no phone-book name
        return Plan(group=False, cut=count)
    return Plan(chats=kind == CHATTED, cut=count)


class Identity(NamedTuple):
    """What the flavour rules make of one record's id (a NamedTuple: one is made
    per contact, and 100,000 contacts are a normal list)."""

    chat_id: str
    # The type the id proves ("group" for @g.us), or "" to keep the record's own.
    type: str
    phone: Any  # the raw phone value for phone_text, or digits from a @c.us id
    lid: bool = False


def identify(record: Mapping[str, Any]) -> Identity | None:
    """Chat id, type and phone of a record of any flavour; None when it has no
    usable chat id (such records are skipped and counted by the caller)."""
    if "chatId" in record:
        chat_id = _id_text(record["chatId"])
        if chat_id is None:
            return None
        # MAX calls every contact "user": a negative id is a group all the same.
        if chat_id[0] == "-" and _type(record) in ("", USER):
            return Identity(chat_id, GROUP, record.get("phoneNumber"))
        return Identity(chat_id, "", record.get("phoneNumber"))
    chat_id = _id_text(record.get("id"))
    if chat_id is None:
        return None
    return _whatsapp(chat_id, record)


def chat_ids(raw: Any) -> set[str]:
    """The chat ids a getChats answer lists (records without one are ignored)."""
    found: set[str] = set()
    for record in raw if isinstance(raw, list) else []:
        identity = identify(record) if isinstance(record, Mapping) else None
        if identity is not None:
            found.add(identity.chat_id)
    return found


def wanted(kind: str, chat_id: str, type_text: str, contact_name: str, chats: set[str]) -> bool:
    """Whether a normalised contact is of ``kind`` (``chats``: the getChats ids)."""
    if kind == PERSONAL:
        return not is_group(type_text)
    if kind == GROUPS:
        return is_group(type_text)
    if kind == SAVED:
        return bool(contact_name.strip())
    if kind == CHATTED:
        return chat_id in chats
    return True


def is_group(type_text: str) -> bool:
    return type_text.strip().lower() in GROUP_TYPES


def whatsapp_shaped(raw: Any) -> bool:
    """True when a getContacts answer is WhatsApp's (``id`` fields, no ``chatId``):
    then the instance takes ``group=`` too."""
    if type(raw) is list and raw and set(map(type, raw)) == {dict}:  # the usual answer
        return not any(map(operator.contains, raw, repeat("chatId"))) and any(
            map(operator.contains, raw, repeat("id"))
        )
    # type() first: isinstance of an ABC per record cost more than the rest.
    records = (
        [r for r in raw if type(r) is dict or isinstance(r, Mapping)]
        if isinstance(raw, list)
        else []
    )
    return (
        bool(records)
        and all("chatId" not in r for r in records)
        and any("id" in r for r in records)
    )


def _whatsapp(chat_id: str, record: Mapping[str, Any]) -> Identity | None:
    phone = record.get("phoneNumber")
    if "@" not in chat_id:  # a bare number: a chat id all the same
        return Identity(chat_id, "", phone)
    match = _WHATSAPP_ID.fullmatch(chat_id)
    if match is None:
        return None  # "null@c.us", "@c.us", "abc@lid": no usable id
    number, domain = match.groups()
    if domain == "g.us":
        return Identity(chat_id, GROUP, None)
    # The id is authoritative: a personal id is never a group, whatever "type" says.
    kind = USER if _type(record) in GROUP_TYPES else ""
    if domain == "c.us":
        return Identity(chat_id, kind, phone if _has_phone(phone) else number)
    return Identity(chat_id, kind, phone, domain == "lid")


def _has_phone(value: Any) -> bool:
    return value not in (None, "", 0, "0") and not isinstance(value, bool)


def plain_chat_ids(values: Sequence[Any]) -> bool:
    """True when ``identify`` of a record with each of ``values`` as its chatId
    keeps the id as it is and proves no type: text, one word, no placeholder,
    not negative. One look at the whole batch (normalise's fast path)."""
    if set(map(type, values)) != {str} or not all(values):
        return False
    # Ids of ASCII digits alone (the usual list) hold no "-", no white space
    # and no placeholder: one look settles them, before the searches below.
    digits = "".join(values)
    if digits.isdigit() and digits.isascii():
        return True
    joined = "|" + "|".join(values)
    if "|-" in joined:
        return False
    # Printable text holds no white space but " " (every other kind is a
    # control or separator): the regex searches only what is not.
    if not joined.isprintable() or " " in joined:
        if _SPACE.search(joined):
            return False
    # A placeholder is one word of letters: of the ids left, only those of
    # letters alone are lowered.
    return _BOGUS.isdisjoint(map(str.lower, filter(str.isalpha, values)))


def _id_text(value: Any) -> str | None:
    """A chat id as text, or None: missing, not text or a whole number, empty,
    a known placeholder ("null"), or with spaces inside."""
    if type(value) is str:  # the usual case first: GREEN-API sends ids as text
        text = value.strip()
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    if not _SINGLE_WORD.fullmatch(text) or text.lower() in _BOGUS:
        return None
    return text


def _type(record: Mapping[str, Any]) -> str:
    value = record.get("type")
    return value.strip().lower() if isinstance(value, str) else ""
