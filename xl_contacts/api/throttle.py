"""One request per second per instance, across every client and thread of
this process (GREEN-API allows getContacts once a second).

Pure: no HTTP library; a lock, no threads of its own.
The time is read from a ``Clock`` (clock.py), so a test sees the pauses asked
for without waiting them out.
"""

from __future__ import annotations

import ipaddress
import threading
from urllib.parse import urlsplit

from .clock import SYSTEM_CLOCK, Clock

# getContacts allows one request per second per instance.
RATE_LIMIT_INTERVAL = 1.0


_DEFAULT_PORTS = {"http": 80, "https": 443}

# One instance: the origin of its apiUrl (scheme, host, port) and its idInstance.
Key = tuple[str, str, int, str]


def instance_key(api_url: str, id_instance: str) -> Key:
    """The instance ``api_url`` and ``id_instance`` name, however the address is
    spelled: the host's letter case, an IP address written another way and an
    explicit default port name the same server (so the same limit)."""
    parts = urlsplit(api_url)
    host = parts.hostname or ""  # lower-cased by urlsplit, as is the scheme
    try:
        host = ipaddress.ip_address(host).compressed
    except ValueError:  # a name, not an address
        pass
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    return (parts.scheme, host, port, id_instance)


class Throttle:
    """Spaces requests to the same instance at least ``interval`` seconds apart.
    The times kept are those of the clock each caller passes: one clock per
    process (the system's, or a test's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_allowed: dict[Key, float] = {}

    def wait(self, key: Key, interval: float | None, clock: Clock = SYSTEM_CLOCK) -> None:
        pause = self.reserve(key, interval, clock)
        if pause > 0:
            clock.sleep(pause)

    def reserve(self, key: Key, interval: float | None, clock: Clock = SYSTEM_CLOCK) -> float:
        """Take the next turn of instance ``key``: the seconds to wait before
        sending (the caller sleeps, or awaits where there are no threads).
        ``interval``: a client's own spacing, or None for RATE_LIMIT_INTERVAL
        (read at each call, so that a test or benchmark may lower it)."""
        if interval is None:
            interval = RATE_LIMIT_INTERVAL
        with self._lock:
            now = clock.monotonic()
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
