"""From settings to a ContactTable: the one call the CLI, the Excel function and
the ribbon macros share."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..api.client import GreenApiClient
from ..base.errors import XlContactsError
from ..base.i18n import N_, _, ngettext, number
from ..config.settings import Settings, load_settings
from ..domain import kinds
from ..domain.contacts import normalise, parse_count, select
from ..domain.kinds import ALL, CHATTED, GROUPS, PERSONAL, SAVED
from ..domain.table import ContactTable
from . import query

_clients: dict[Settings, GreenApiClient] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class Target:
    """One instance to fetch: stored or given credentials (``settings``), or a
    built-in demo instance (``demo``), named by its profile ``label``."""

    label: str
    settings: Settings | None = None

    @property
    def demo(self) -> bool:
        return self.settings is None

    @property
    def id_instance(self) -> str:
        if self.settings is not None:
            return self.settings.id_instance
        from ..domain.demo import demo_instance  # not needed for a real instance

        return demo_instance(self.label).id_instance

    def describe(self) -> str:
        """ "profile wa, instance 1101000001", "instance 1101000001", or the demo's."""
        if self.settings is None:
            return _("demo profile {label}, instance {id_instance}").format(
                label=self.label, id_instance=self.id_instance
            )
        if self.settings.profile:
            return _("profile {profile}, instance {id_instance}").format(
                profile=self.settings.profile, id_instance=self.id_instance
            )
        return _("instance {id_instance}").format(id_instance=self.id_instance)


def one_target(settings: Settings | None, profile: str | None = None) -> Target:
    """The instance of ``settings``, or (None) the demo instance ``profile`` names."""
    if settings is None:
        from ..domain.demo import demo_instance

        return Target(demo_instance(profile).profile)
    return Target(settings.profile or "", settings)


# What is asked of each kind, in a sentence: all of them, or up to a count (the
# whole phrase per kind: Russian declines the noun after the number).
_ALL_OF = {
    ALL: N_("all contacts"),
    PERSONAL: N_("all personal contacts"),
    GROUPS: N_("all groups"),
    SAVED: N_("all saved contacts"),
    CHATTED: N_("all chatted contacts"),
}
_UP_TO: dict[str, Callable[[int], str]] = {
    ALL: lambda n: ngettext("up to {n} contact", "up to {n} contacts", n),
    PERSONAL: lambda n: ngettext("up to {n} personal contact", "up to {n} personal contacts", n),
    GROUPS: lambda n: ngettext("up to {n} group", "up to {n} groups", n),
    SAVED: lambda n: ngettext("up to {n} saved contact", "up to {n} saved contacts", n),
    CHATTED: lambda n: ngettext("up to {n} chatted contact", "up to {n} chatted contacts", n),
}


def describe_fetch(
    count: int | None, kind: str, chosen: Sequence[Target], *, several: bool = False
) -> str:
    """What is asked, for every line that says what is being fetched: "up to 3
    personal contacts of profile wa, instance 1101000001", "up to 5 groups each
    of profiles sales, support" (``several``: one list of them, even of one)."""
    what = _(_ALL_OF[kind]) if count is None else _UP_TO[kind](count).format(n=number(count))
    if several or len(chosen) > 1:
        names = ", ".join(t.label for t in chosen)
        if count is None:  # else the count is per instance
            return _("{what} of profiles {names}").format(what=what, names=names)
        return _("{what} each of profiles {names}").format(what=what, names=names)
    return _("{what} of {target}").format(what=what, target=chosen[0].describe())


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
        query.forget()
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
        table = normalise(raw, id_instance=instance.id_instance, source="demo")
        return select(table, kind, chats=chats, count=step.cut)
    if client is None:
        client = client_for(settings or load_settings(profile=profile))
    # One budget for the whole query: "chatted" (getContacts, then getChats)
    # must not take two of them (two times 20 s in a cell that Excel waits for).
    deadline = client.query_deadline()
    steps = query.steps(client.settings, count, kind)

    async def answer(ask: query.Ask) -> Any:  # blocks: query.run_blocking
        if ask.method == query.CHATS:
            return client.get_chats(deadline=deadline)
        return client.get_contacts(ask.count, group=ask.group, deadline=deadline)

    return query.run_blocking(query.run(steps, answer))


def fetch_target(
    target: Target,
    count: int | None = None,
    only: str | None = None,
    *,
    clients: Callable[[Settings], GreenApiClient] | None = None,
) -> ContactTable:
    """``fetch_contacts`` of one target; ``clients`` gives its client (Excel's
    short-budget ones), by default the pooled one (``client_for``)."""
    settings = target.settings
    return fetch_contacts(
        count,
        only=only,
        settings=settings,
        demo=target.demo,
        profile=target.label if target.demo else None,
        client=clients(settings) if clients and settings else None,
    )


def probe_flavour(client: GreenApiClient, *, deadline: float | None = None) -> str | None:
    """WhatsApp when one contact shows it (``id`` fields), else None: Telegram and
    MAX answer alike (``chatId``) and need no flavour. A failed probe is None
    too: later answers tell."""
    try:
        probe = client.get_contacts(1, deadline=deadline)
    except XlContactsError:
        return None
    return query.learn(client.settings, probe)
