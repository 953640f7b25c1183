"""What =GETCONTACTS and the ribbon share inside Excel's UDF server process:
the results cache (Refresh empties it) and the clients for fetches Excel waits on.

The cache is one per process, created on first use: it holds the resolved
settings (reading them may ask the OS credential store) and the rows of each
(instance, count) query. Both front ends reach it here, so neither imports the
other.

Excel is frozen while the function or a ribbon button runs (both are
synchronous), and xlwings' UDF server gives up after 90 s: these fetches get a
much shorter budget than the command line's (``GreenApiClient.interactive``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..api.client import GreenApiClient

# The policy lives with the cache (the xlwings Lite function keeps results alike);
# named here too, where the desktop's callers look for it.
from ..base.cache import DEFAULT_CACHE_SECONDS as DEFAULT_CACHE_SECONDS
from ..base.cache import ERROR_CACHE_SECONDS as ERROR_CACHE_SECONDS
from ..base.cache import ResultCache, configured_cache
from ..base.cache import cache_seconds as cache_seconds
from ..config.settings import Settings

_cache: ResultCache[Any] | None = None
_clients: dict[Settings, GreenApiClient] = {}
_lock = threading.Lock()


def results_cache() -> ResultCache[Any]:
    """The process-wide cache (created on first use, with the configured lifetime)."""
    global _cache
    with _lock:
        if _cache is None:
            _cache = configured_cache()
        return _cache


def cached(key: Any, load: Callable[[], Any]) -> Any:
    """``load()``'s result for ``key``, shared and kept as ``ResultCache`` does."""
    return results_cache().get(key, load)


def clear() -> None:
    """Make the next call of every query load fresh data."""
    if _cache is not None:
        _cache.clear()


def interactive_client(settings: Settings) -> GreenApiClient:
    """The pooled client for fetches Excel waits on (one per instance)."""
    with _lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = GreenApiClient.interactive(settings)
        return client


def reset(cache: ResultCache[Any] | None = None) -> None:
    """Replace the cache with ``cache`` (e.g. one with its own clock), or drop it:
    the next use then creates it again, reading the lifetime anew. Pooled
    clients are closed."""
    global _cache
    with _lock:
        _cache = cache
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()

