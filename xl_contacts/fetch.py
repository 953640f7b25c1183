"""From settings to a ContactTable: the one call the CLI, the Excel function and
the ribbon macros share."""

from __future__ import annotations

import threading
from typing import Any

from .client import GreenApiClient
from .contacts import ContactTable, normalise
from .demo import DEMO_INSTANCE_ID, sample_contacts
from .errors import ConfigError
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
