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
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from typing import Any, NamedTuple

from ..base.cells import matching
from ..base.errors import ConfigError
from ..base.i18n import N_, _
from ..base.names import WHATSAPP

ALL, PERSONAL, GROUPS, SAVED, CHATTED = "all", "personal", "groups", "saved", "chatted"
KINDS: tuple[str, ...] = (ALL, PERSONAL, GROUPS, SAVED, CHATTED)
# What each kind means (translated where shown: ``_(KIND_HELP[kind])``).
KIND_HELP = {
    ALL: N_("every contact"),
    PERSONAL: N_("personal chats, no groups"),
    GROUPS: N_("group chats only"),
    SAVED: N_("contacts with a name in the phone book"),
    CHATTED: N_("contacts the account has a chat with (one more request: getChats)"),
}

GROUP = "group"
USER = "user"
GROUP_TYPES = frozenset({GROUP, "supergroup", "channel"})

# A WhatsApp id: digits (old group ids: digits-digits) @ a domain. Anything else
# in front of the @ -- "null", "undefined", "" -- is a known GREEN-API glitch.
# the number of a WhatsApp id: digits, or digits-digits (an old group id)
_ID_NUMBER = re.compile(r"[0-9]+(?:-[0-9]+)?")
_NOT_DIGIT = re.compile("[^0-9]")
_DOMAIN = re.compile(r"[a-z.]+")
_BOGUS = frozenset({"null", "undefined", "none", "nan"})
_SPACE = re.compile(r"\s")  # what str.strip() sees as space


def parse_kind(value: Any, name: str = "only") -> str:
    """One of ``KINDS`` (case-insensitive); empty or None means ``all``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ALL
    if isinstance(value, str) and value.strip().lower() in KINDS:
        return value.strip().lower()
    raise ConfigError(
        _("{name} must be one of {choices}").format(name=name, choices=", ".join(KINDS))
    )


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
    """What the flavour rules make of one record's id."""

    chat_id: str
    # The type the id proves ("group" for @g.us), or "" to keep the record's own.
    type: str
    phone: Any  # the raw phone value for phone_text, or digits from a @c.us id
    lid: bool = False


class Identities(NamedTuple):
    """``identify`` of a batch of records, as columns: the rules run column by
    column (100,000 contacts are a normal list). An empty chat id: the record
    has no usable one (it is skipped and counted by the caller)."""

    chat_ids: list[str]
    types: list[str]
    phones: list[Any]
    lids: list[bool]


def identify(record: Mapping[str, Any]) -> Identity | None:
    """Chat id, type and phone of a record of any flavour; None when it has no
    usable chat id (such records are skipped and counted by the caller)."""
    found = identify_all([record])
    chat_id = found.chat_ids[0]
    if not chat_id:
        return None
    return Identity(chat_id, found.types[0], found.phones[0], found.lids[0])


def identify_all(records: Sequence[Mapping[str, Any]]) -> Identities:
    """``identify`` of each record, as columns. A record with a ``chatId`` is
    read by the Telegram/MAX rules, one without by WhatsApp's."""
    chat = list(map(operator.contains, records, repeat("chatId")))
    if all(chat):
        return _chat_id_flavour(records)
    if not any(chat):
        return _whatsapp_flavour(records)
    # Both in one batch (rare): each part by its rules, then back in order.
    parts = [
        iter(zip(*rules([r for r, c in zip(records, chat, strict=True) if c is want]), strict=True))
        for rules, want in ((_chat_id_flavour, True), (_whatsapp_flavour, False))
    ]
    rows = [next(parts[0] if c else parts[1]) for c in chat]
    return Identities(*(list(column) for column in zip(*rows, strict=True)))


def column(records: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    """Each record's ``key`` (None where it has none)."""
    try:  # the usual batch: dicts only
        return list(map(dict.get, records, repeat(key)))  # type: ignore[arg-type]
    except TypeError:  # another mapping
        return [record.get(key) for record in records]


def _chat_id_flavour(records: Sequence[Mapping[str, Any]]) -> Identities:
    ids = _id_texts(column(records, "chatId"))
    # MAX calls every contact "user": a negative id is a group all the same.
    negative = list(map(str.startswith, ids, repeat("-")))
    types = [""] * len(ids)
    if any(negative):
        kept = dict.fromkeys(("", USER), GROUP)
        where = compress(range(len(ids)), negative)
        for at, own in zip(where, _types(records, negative), strict=False):
            types[at] = kept.get(own, "")
    return Identities(ids, types, column(records, "phoneNumber"), [False] * len(ids))


def _whatsapp_flavour(records: Sequence[Mapping[str, Any]]) -> Identities:
    ids = _id_texts(column(records, "id"))
    phones = column(records, "phoneNumber")
    n = len(ids)
    # A WhatsApp id: digits (old group ids: digits-digits) @ a domain. Anything
    # else in front of the @ -- "null", "undefined", "" -- is a known glitch.
    parts = list(map(str.partition, ids, repeat("@")))
    numbers, ats, domains = (list(c) for c in zip(*parts, strict=True)) if parts else ([],) * 3
    # Non-empty ASCII digits match _ID_NUMBER: only the others are matched.
    bad = set(compress(range(n), map(operator.not_, numbers)))
    bad.update(at for at in matching(_NOT_DIGIT, numbers) if not _ID_NUMBER.fullmatch(numbers[at]))
    known = {domain: _DOMAIN.fullmatch(domain) is not None for domain in set(domains)}
    bad.update(compress(range(n), map(operator.not_, map(known.__getitem__, domains))))
    for at in bad:
        ids[at] = "" if ats[at] else ids[at]  # an "@" without a usable number or domain
    # The id is authoritative: a group's is one, a personal id is never a group,
    # whatever "type" says. (A bare number, no "@": a chat id all the same.)
    pairs = list(zip(domains, _types(records), strict=True))
    proven = {pair: _whatsapp_type(*pair) for pair in set(pairs)}
    types = list(map(proven.__getitem__, pairs))
    lids = list(map(operator.eq, domains, repeat("lid")))
    for at in compress(range(n), map(operator.eq, domains, repeat("g.us"))):
        phones[at] = None
    personal = list(compress(range(n), map(operator.eq, domains, repeat("c.us"))))
    if phones.count(None) != n:  # (the usual list sends no phoneNumber at all)
        personal = [at for at in personal if not _has_phone(phones[at])]
    for at in personal:  # a personal id's number is its phone
        phones[at] = numbers[at]
    return Identities(ids, types, phones, lids)


def _whatsapp_type(domain: str, own: str) -> str:
    """The type a WhatsApp id proves ('' to keep the record's own type)."""
    if domain == "g.us":
        return GROUP
    return USER if domain and own in GROUP_TYPES else ""


def chat_ids(raw: Any) -> set[str]:
    """The chat ids a getChats answer lists (records without one are ignored)."""
    found: set[str] = set()
    for record in raw if isinstance(raw, list) else []:
        identity = identify(record) if isinstance(record, Mapping) else None
        if identity is not None:
            found.add(identity.chat_id)
    return found


def wanted(
    kind: str,
    chat_ids: Sequence[str],
    types: Sequence[str],
    contact_names: Sequence[str],
    chats: Collection[str],
) -> list[bool]:
    """Whether each normalised contact (its chat id, type and contact name, as
    columns) is of ``kind`` (``chats``: the getChats ids)."""
    if kind == GROUPS:
        return groups(types)
    if kind == PERSONAL:
        return list(map(operator.not_, groups(types)))
    if kind == SAVED:
        return list(map(bool, map(str.strip, contact_names)))
    if kind == CHATTED:
        return list(map(chats.__contains__, chat_ids))
    return [True] * len(chat_ids)


def is_group(type_text: str) -> bool:
    return type_text.strip().lower() in GROUP_TYPES


def groups(type_texts: Sequence[str]) -> list[bool]:
    """``is_group`` of each of a column of types (a few distinct ones)."""
    seen = {text: is_group(text) for text in set(type_texts)}
    return list(map(seen.__getitem__, type_texts))


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


def _has_phone(value: Any) -> bool:
    return value not in (None, "", 0, "0") and not isinstance(value, bool)


def _id_texts(values: Sequence[Any]) -> list[str]:
    """Each value as a chat id, or '' (no usable one): missing, not text or a
    whole number, empty, with white space inside, or a known placeholder ("null")."""
    texts: list[str]
    try:  # the usual column: GREEN-API sends text (anything else raises)
        joined = "".join(values)
        texts = list(values)
    except TypeError:
        texts = [
            value.strip()
            if type(value) is str
            else str(value)
            if isinstance(value, int) and not isinstance(value, bool)
            else ""
            for value in values
        ]
        joined = "".join(texts)
    unusable: list[int] = []
    if _SPACE.search(joined):  # else nothing to strip and no id with a space inside
        texts = list(map(str.strip, texts))
        unusable = matching(_SPACE, texts)
    # A placeholder is one word of letters: only such ids are lowered.
    if not _BOGUS.isdisjoint(map(str.lower, filter(str.isalpha, texts))):
        unusable += [at for at, text in enumerate(texts) if text.lower() in _BOGUS]
    for at in unusable:
        texts[at] = ""
    return texts


def _types(records: Sequence[Mapping[str, Any]], where: Sequence[bool] | None = None) -> list[str]:
    """Each record's type as compared (stripped, lower case; '' when not text);
    ``where``: only the records so marked."""
    values = column(records, "type")
    if where is not None:
        values = list(compress(values, where))
    try:
        seen = {value: _type(value) for value in set(values)}  # a few distinct types
    except TypeError:  # a value that cannot be a key (a JSON object): one by one
        return list(map(_type, values))
    return list(map(seen.__getitem__, values))


def _type(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""
