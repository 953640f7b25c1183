"""The time the client reads and the pauses it makes, behind one small interface,
so that a caller can supply its own (a test that checks the pauses asked for
without waiting them out; a host with its own event loop).

Pure: no HTTP library, no threads.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (deadlines, the throttle)."""

    def time(self) -> float:
        """Seconds since the epoch (a Retry-After given as a date)."""

    def sleep(self, seconds: float) -> None:
        """Pause this thread (a backoff, the throttle, a Retry-After)."""


class SystemClock:
    """The real clocks and ``time.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK: Clock = SystemClock()
