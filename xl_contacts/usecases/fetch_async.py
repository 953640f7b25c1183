"""From settings to a ContactTable in a web page (xlwings Lite): the query of
``fetch`` (``query.steps``), its requests awaited instead of blocking."""

from __future__ import annotations

from typing import Any

from ..api.browser import BrowserClient
from ..domain import kinds
from ..domain.contacts import parse_count
from ..domain.table import ContactTable
from . import query


async def fetch_contacts_async(
    count: int | None, *, only: str | None, client: BrowserClient
) -> ContactTable:
    """At most ``count`` contacts of kind ``only``, as ``fetch.fetch_contacts``;
    every request of the query within one budget (the client's)."""
    count = parse_count(count)
    kind = kinds.parse_kind(only)
    deadline = client.query_deadline()
    steps = query.steps(client.settings, count, kind)

    async def answer(ask: query.Ask) -> Any:
        if ask.method == query.CHATS:
            return await client.get_chats(deadline=deadline)
        return await client.get_contacts(ask.count, group=ask.group, deadline=deadline)

    return await query.run(steps, answer)
