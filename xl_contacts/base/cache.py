"""A small time-bounded results cache with single flight.

Excel recalculates often -- every edit, every open, hundreds of cells at once --
and getContacts allows one request per second. ``ResultCache.get`` returns a
fresh-enough value without calling the loader, and when many threads ask for
the same missing key at once only the first calls the loader; the others wait
for its result (or its error). Errors are cached too, but briefly, so a broken
setting does not turn a recalculation storm into a request storm while a fixed
one shows up within seconds.

``get_async`` is the same policy for coroutines on one event loop (xlwings Lite:
Pyodide has no threads): the callers of a missing key await the first one's load.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from .errors import XlContactsError
from .names import ENV_CACHE_SECONDS

T = TypeVar("T")

DEFAULT_CACHE_SECONDS = 60.0  # contact data itself may take 5 minutes to update
ERROR_CACHE_SECONDS = 5.0


def cache_seconds() -> float:
    """``XL_CONTACTS_CACHE_SECONDS``, or 60 s when unset or not a number."""
    raw = os.environ.get(ENV_CACHE_SECONDS, "")
    try:
        seconds = float(raw) if raw.strip() else DEFAULT_CACHE_SECONDS
    except ValueError:
        seconds = DEFAULT_CACHE_SECONDS
    return max(0.0, seconds)


def configured_cache() -> ResultCache[Any]:
    """A cache with the configured lifetime (``cache_seconds``) and the brief one for errors."""
    return ResultCache(ttl=cache_seconds(), error_ttl=ERROR_CACHE_SECONDS)


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
        self._in_flight_async: dict[Hashable, asyncio.Future[T]] = {}
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
            self._finish(self._in_flight, key, future, generation, error, self.error_ttl)
            future.set_exception(error)
            raise
        except BaseException as error:
            self._finish(self._in_flight, key, future, generation, None, 0)
            future.set_exception(error)
            raise
        self._finish(self._in_flight, key, future, generation, value, self.ttl)
        future.set_result(value)
        return value

    async def get_async(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """``get`` for a coroutine loader: the cached value for ``key``, or the
        awaited ``load()``'s, shared by the coroutines that ask meanwhile."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > self._clock():
                return _unwrap(entry[1])
            future = self._in_flight_async.get(key)
            owner = future is None
            if owner:
                future = self._in_flight_async[key] = asyncio.get_running_loop().create_future()
                generation = self._generation
        if not owner:
            return await asyncio.shield(future)
        flights = self._in_flight_async
        try:
            value = await load()
        except XlContactsError as error:
            self._finish(flights, key, future, generation, error, self.error_ttl)
            _fail(future, error)
            raise
        except BaseException as error:
            self._finish(flights, key, future, generation, None, 0)
            _fail(future, error)
            raise
        self._finish(flights, key, future, generation, value, self.ttl)
        future.set_result(value)
        return value

    def clear(self) -> None:
        """Forget everything, including loads under way (their results are not kept)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def _finish(
        self,
        flights: dict[Hashable, Any],
        key: Hashable,
        future: Any,
        generation: int,
        outcome: Any,
        ttl: float,
    ) -> None:
        with self._lock:
            if flights.get(key) is future:
                del flights[key]
            if ttl > 0 and generation == self._generation:
                self._entries[key] = (self._clock() + ttl, outcome)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    """End the waiters' shared future with the owner's failure."""
    if isinstance(error, asyncio.CancelledError):
        future.cancel()
        return
    future.set_exception(error)
    future.exception()  # retrieved: no "never retrieved" warning when nobody waits


def _unwrap(outcome: Any) -> Any:
    if isinstance(outcome, XlContactsError):
        # Drop the previous traceback: re-raising one instance would grow it forever.
        raise outcome.with_traceback(None)
    return outcome
