"""A small time-bounded results cache with single flight.

Excel recalculates often -- every edit, every open, hundreds of cells at once --
and getContacts allows one request per second. ``ResultCache.get`` returns a
fresh-enough value without calling the loader, and when many threads ask for
the same missing key at once only the first calls the loader; the others wait
for its result (or its error). Errors are cached too, but briefly, so a broken
setting does not turn a recalculation storm into a request storm while a fixed
one shows up within seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from .errors import XlContactsError

T = TypeVar("T")


class ResultCache(Generic[T]):
    def __init__(
        self,
        ttl: float,
        error_ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.error_ttl = error_ttl
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (expires_at, value or XlContactsError)
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._in_flight: dict[Hashable, Future[T]] = {}
        self._generation = 0

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The cached value for ``key``, or ``load()``'s, shared by concurrent callers.

        Only ``XlContactsError`` is cached; any other exception propagates
        uncached.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > self._clock():
                return _unwrap(entry[1])
            future = self._in_flight.get(key)
            owner = future is None
            if owner:
                future = self._in_flight[key] = Future()
                generation = self._generation
        if not owner:
            return future.result()
        try:
            value = load()
        except XlContactsError as error:
            self._finish(key, future, generation, error, self.error_ttl)
            future.set_exception(error)
            raise
        except BaseException as error:
            self._finish(key, future, generation, None, 0)
            future.set_exception(error)
            raise
        self._finish(key, future, generation, value, self.ttl)
        future.set_result(value)
        return value

    def clear(self) -> None:
        """Forget everything, including loads under way (their results are not kept)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def _finish(
        self, key: Hashable, future: Future[T], generation: int, outcome: Any, ttl: float
    ) -> None:
        with self._lock:
            if self._in_flight.get(key) is future:
                del self._in_flight[key]
            if ttl > 0 and generation == self._generation:
                self._entries[key] = (self._clock() + ttl, outcome)


def _unwrap(outcome: Any) -> Any:
    if isinstance(outcome, XlContactsError):
        # Drop the previous traceback: re-raising one instance would grow it forever.
        raise outcome.with_traceback(None)
    return outcome
