"""From settings to a ContactTable: the one call the CLI, the Excel function and
the ribbon macros share."""

from __future__ import annotations

import threading
from typing import Any

from ..api.client import GreenApiClient
from ..base.errors import XlContactsError
from ..base.names import WHATSAPP
from ..config.settings import Settings, load_settings
from ..domain import kinds
from ..domain.contacts import ContactTable, normalise, parse_count, select

_clients: dict[Settings, GreenApiClient] = {}
_clients_lock = threading.Lock()
# Instances whose answers showed they speak WhatsApp's API (and so take group=),
# for instances whose flavour nobody set: (apiUrl, idInstance).
_learned_whatsapp: set[tuple[str, str]] = set()


def client_for(settings: Settings) -> GreenApiClient:
    """One long-lived client (and so one connection pool) per instance."""
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = GreenApiClient(settings)
        return client


def close_clients() -> None:
    """Close every pooled client (their connections); the next fetch opens new ones."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
        _learned_whatsapp.clear()
    for client in clients:
        client.close()


def fetch_contacts(
    count: int | None = None,
    *,
    only: str | None = None,
    settings: Settings | None = None,
    demo: bool = False,
    client: GreenApiClient | None = None,
    profile: str | None = None,
) -> ContactTable:
    """Fetch and normalise at most ``count`` contacts of kind ``only``.

    ``profile`` names stored credentials (or, with ``demo=True``, a built-in
    demo instance: no credentials, no network; everything after the fetch is
    the same code path). The request is the cheapest documented one for the
    kind (``kinds.plan``); ``chatted`` costs one getChats more, spaced by the
    same per-instance throttle as every request, within the same budget (the
    client's) as the getContacts before it.
    """
    count = parse_count(count)
    kind = kinds.parse_kind(only)
    if demo:
        from ..domain.demo import demo_instance  # not needed for a real instance's list

        instance = demo_instance(profile)
        step = kinds.plan(kind, count, instance.flavour)
        raw = instance.get_contacts(step.count, step.group)
        chats = kinds.chat_ids(instance.get_chats()) if step.chats else None
        table = normalise(raw, instance_id=instance.id_instance, source="demo")
        return select(table, kind, chats=chats, count=step.cut)
    if client is None:
        client = client_for(settings or load_settings(profile=profile))
    s = client.settings
    key = (s.api_url, s.id_instance)
    flavour = s.flavour or (WHATSAPP if key in _learned_whatsapp else None)
    step = kinds.plan(kind, count, flavour)
    # One budget for the whole query: "chatted" (getContacts, then getChats)
    # must not take two of them (two times 20 s in a cell that Excel waits for).
    deadline = client.query_deadline()
    raw = client.get_contacts(step.count, group=step.group, deadline=deadline)
    if s.flavour is None:
        _learn(s, raw)
    chats = kinds.chat_ids(client.get_chats(deadline=deadline)) if step.chats else None
    table = normalise(raw, instance_id=s.id_instance)
    return select(table, kind, chats=chats, count=step.cut)


def probe_flavour(client: GreenApiClient, *, deadline: float | None = None) -> str | None:
    """WhatsApp when one contact shows it (``id`` fields), else None: Telegram and
    MAX answer alike (``chatId``) and need no flavour. A failed probe is None
    too: later answers tell."""
    try:
        probe = client.get_contacts(1, deadline=deadline)
    except XlContactsError:
        return None
    return _learn(client.settings, probe)


def _learn(settings: Settings, raw: list[dict[str, Any]]) -> str | None:
    """Remember an instance whose answers are WhatsApp's (it then takes group=)."""
    if not kinds.whatsapp_shaped(raw):
        return None
    _learned_whatsapp.add((settings.api_url, settings.id_instance))
    return WHATSAPP
