"""One contacts query -- the requests it needs and the table they make -- stated
once for every way of sending requests: the desktop client (``fetch``, which
blocks) and the browser's fetch in xlwings Lite (``fetch_async``, which awaits).

``steps`` is a generator that yields each request the query needs (an ``Ask``)
and is sent the decoded answer; its return value is the table. Pure: no HTTP
library, no threads, no waiting -- whoever drives it sends the requests.
``run`` drives it, for both: the browser's client is awaited, the desktop's
blocks inside the coroutine, which ``run_blocking`` then completes in one step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from ..base.names import WHATSAPP
from ..config.settings import Settings
from ..domain import kinds
from ..domain.contacts import normalise, select
from ..domain.table import ContactTable

CONTACTS, CHATS = "getContacts", "getChats"

# Instances whose answers showed they speak WhatsApp's API (and so take group=),
# for instances whose flavour nobody set: (apiUrl, idInstance).
_learned_whatsapp: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Ask:
    """One request a query needs: getContacts (with ``count`` and ``group`` when
    not None) or getChats."""

    method: str
    count: int | None = None
    group: bool | None = None


Steps = Generator[Ask, Any, ContactTable]
T = TypeVar("T")


def steps(settings: Settings, count: int | None, kind: str) -> Steps:
    """The requests for at most ``count`` contacts of ``kind`` (both parsed), then
    the table. The request is the cheapest documented one for the kind
    (``kinds.plan``); ``chatted`` costs one getChats more."""
    s = settings
    key = (s.api_url, s.id_instance)
    flavour = s.flavour or (WHATSAPP if key in _learned_whatsapp else None)
    step = kinds.plan(kind, count, flavour)
    raw = yield Ask(CONTACTS, step.count, step.group)
    if s.flavour is None:
        learn(s, raw)
    chats = kinds.chat_ids((yield Ask(CHATS))) if step.chats else None
    table = normalise(raw, id_instance=s.id_instance)
    return select(table, kind, chats=chats, count=step.cut)


async def run(steps: Steps, answer: Callable[[Ask], Awaitable[Any]]) -> ContactTable:
    """The table of ``steps``, each request answered by ``answer``."""
    answered = None
    while True:
        try:
            ask = steps.send(answered)
        except StopIteration as done:
            return done.value
        answered = await answer(ask)


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits for an event loop (what it
    awaits blocks instead): it runs to its end on the first step."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("a blocking query waited for an event loop")


def learn(settings: Settings, raw: list[dict[str, Any]]) -> str | None:
    """Remember an instance whose answers are WhatsApp's (it then takes group=)."""
    if not kinds.whatsapp_shaped(raw):
        return None
    _learned_whatsapp.add((settings.api_url, settings.id_instance))
    return WHATSAPP


def forget() -> None:
    """Forget what answers showed about instances (a new process's state)."""
    _learned_whatsapp.clear()
