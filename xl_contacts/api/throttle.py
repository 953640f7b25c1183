"""One request per second per instance, across every client and thread of
this process (GREEN-API allows getContacts once a second).

Pure: no HTTP library; a lock, no threads of its own.
"""

from __future__ import annotations

import threading
import time

# getContacts allows one request per second per instance.
RATE_LIMIT_INTERVAL = 1.0


class Throttle:
    """Spaces requests to the same instance at least ``interval`` seconds apart."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_allowed: dict[tuple[str, str], float] = {}

    def wait(self, key: tuple[str, str], interval: float) -> None:
        time.sleep(self.reserve(key, interval))

    def reserve(self, key: tuple[str, str], interval: float) -> float:
        """Take the next turn of instance ``key``: the seconds to wait before
        sending (the caller sleeps, or awaits where there are no threads)."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_allowed.get(key, 0.0))
            self._next_allowed[key] = start + interval
        return max(0.0, start - now)

    def reset(self) -> None:
        with self._lock:
            self._next_allowed.clear()


throttle = Throttle()


def reset_throttle() -> None:
    """Forget when each instance was last asked (a new process's state)."""
    throttle.reset()
