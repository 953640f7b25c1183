"""From settings to a ContactTable: the one call the CLI, the Excel function and
the ribbon macros share."""

from __future__ import annotations

import threading

from .client import GreenApiClient
from .contacts import ContactTable, normalise, parse_count
from .demo import DEMO_INSTANCE_ID, sample_contacts
from .settings import Settings, load_settings

_clients: dict[Settings, GreenApiClient] = {}
_clients_lock = threading.Lock()


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
    for client in clients:
        client.close()


def fetch_contacts(
    count: int | None = None,
    *,
    settings: Settings | None = None,
    demo: bool = False,
    client: GreenApiClient | None = None,
) -> ContactTable:
    """Fetch and normalise the contact list.

    With ``demo=True`` the built-in sample list is used (no credentials, no
    network); everything after the fetch is the same code path.
    """
    count = parse_count(count)
    if demo:
        return normalise(sample_contacts(count), instance_id=DEMO_INSTANCE_ID, source="demo")
    if client is None:
        client = client_for(settings or load_settings())
    raw = client.get_contacts(count)
    return normalise(raw, instance_id=client.settings.id_instance)
