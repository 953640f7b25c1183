"""The results cache that =GETCONTACTS reads and the ribbon's Refresh empties.

One per process (Excel's UDF server), created on first use: it holds the
resolved settings (reading them may ask the OS credential store) and the rows
of each (instance, count) query. Both front ends reach it here, so neither
imports the other.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from .cache import ResultCache
from .names import ENV_CACHE_SECONDS

DEFAULT_CACHE_SECONDS = 60.0  # contact data itself may take 5 minutes to update
ERROR_CACHE_SECONDS = 5.0

_cache: ResultCache[Any] | None = None
_lock = threading.Lock()


def results_cache() -> ResultCache[Any]:
    """The process-wide cache (created on first use, with the configured lifetime)."""
    global _cache
    with _lock:
        if _cache is None:
            _cache = ResultCache(ttl=cache_seconds(), error_ttl=ERROR_CACHE_SECONDS)
        return _cache


def cached(key: Any, load: Callable[[], Any]) -> Any:
    """``load()``'s result for ``key``, shared and kept as ``ResultCache`` does."""
    return results_cache().get(key, load)


def clear() -> None:
    """Make the next call of every query load fresh data."""
    if _cache is not None:
        _cache.clear()


def reset(cache: ResultCache[Any] | None = None) -> None:
    """Replace the cache with ``cache`` (e.g. one with its own clock), or drop it:
    the next use then creates it again, reading the lifetime anew."""
    global _cache
    with _lock:
        _cache = cache


def cache_seconds() -> float:
    """``XL_CONTACTS_CACHE_SECONDS``, or 60 s when unset or not a number."""
    raw = os.environ.get(ENV_CACHE_SECONDS, "")
    try:
        seconds = float(raw) if raw.strip() else DEFAULT_CACHE_SECONDS
    except ValueError:
        seconds = DEFAULT_CACHE_SECONDS
    return max(0.0, seconds)
