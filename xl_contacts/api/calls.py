"""How a call of either client ends -- the desktop's (client.py, requests in a
thread) and the browser's (browser.py, fetch awaited in Pyodide): the same
errors, each explained for the settings as this person gave them
(``Settings.explain``: the option, variable or profile to check, and for a 404
from an instance of no known flavour, how to name a MAX one).

Pure: no HTTP library, no threads, nothing awaited.
"""

from __future__ import annotations

from typing import Any

from ..base.errors import BadResponse
from ..config.settings import Settings
from .body import list_of
from .retry import Outcome, next_pause


class Calls:
    """The ends of the calls of a client of one instance (its ``settings``,
    ``retries`` and ``backoff``), whatever carries its requests."""

    settings: Settings
    retries: int
    backoff: float | None

    def pause_or_fail(self, outcome: Outcome, attempt: int, deadline: float, now: float) -> float:
        """The pause before trying again after attempt number ``attempt`` failed
        with ``outcome`` (``retry.next_pause``); when there is none, the call
        ends: its error is raised, explained."""
        pause = next_pause(outcome, attempt, self.retries, self.backoff, deadline, now)
        if pause is None:
            raise self.settings.explain(outcome.error)
        return pause

    def list_of(self, data: Any, method: str) -> list[Any]:
        """``body.list_of``, its error explained."""
        try:
            return list_of(data, method)
        except BadResponse as error:
            raise self.settings.explain(error) from None
