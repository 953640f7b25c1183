"""The retry policy: what one attempt came to, and whether and when to try again.

Pure: no HTTP library, no threads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from ..base.errors import GreenApiError, NetworkError
from ..base.i18n import _
from .status import RETRY_STATUSES

# First pause before a retry; doubled on each further attempt.
BACKOFF_SECONDS = 1.0

# A call a person waits on -- Excel frozen by =GETCONTACTS or a ribbon button
# (xlwings' UDF server gives up after 90 s), a cell of xlwings Lite, login,
# doctor: 20 s at most, one retry (the command line's fetches: 60 s, three).
INTERACTIVE_RETRIES = 1
INTERACTIVE_BUDGET = 20.0


@dataclass(frozen=True)
class Outcome:
    """What one request came to: ``data`` or an ``error``, and the wait the server
    asked for (Retry-After, seconds)."""

    data: Any = None
    error: GreenApiError | None = None
    server_wait: float = 0.0


def retry_pause(
    outcome: Outcome, attempt: int, retries: int, backoff: float | None = None
) -> float | None:
    """Seconds to wait before trying again after ``outcome`` of attempt number
    ``attempt``, or None when trying again is pointless: a wrong token, instance
    or quota stays wrong; a network failure, 429, 499 and 5xx may pass."""
    error = outcome.error
    if error is None or attempt > retries:
        return None
    if not isinstance(error, NetworkError) and error.status not in RETRY_STATUSES:
        return None
    first = BACKOFF_SECONDS if backoff is None else backoff
    return max(outcome.server_wait, first * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))


def next_pause(
    outcome: Outcome, attempt: int, retries: int, backoff: float | None, deadline: float, now: float
) -> float | None:
    """``retry_pause``, or None as well when the pause would end at or after
    ``deadline`` (both instants of ``time.monotonic()``, ``now`` being the current one):
    the call then ends with this outcome's error at once."""
    pause = retry_pause(outcome, attempt, retries, backoff)
    if pause is None or now + pause >= deadline:
        return None
    return pause


def budget_spent(host: str, budget: float) -> NetworkError:
    """The error of a call whose budget ran out before a complete answer came."""
    return NetworkError(
        _(
            "no complete answer from GREEN-API at {host} within {seconds} s — try again later"
        ).format(host=host, seconds=f"{budget:.0f}")
    )
