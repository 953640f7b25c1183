"""JSON decoding for contact lists: faster, and while the body is still arriving.

* ``loads``: ``json.loads``'s result, from orjson when orjson gives the same
  (it refuses lone surrogates, ``1e400``, NaN and a byte order mark, and turns
  integers beyond 64 bits into floats: those bodies go to the standard library).
* ``ArrayItems``: the items of a top-level JSON array, decoded as soon as whole
  items have arrived. A cut between items is accepted only when the bytes before
  it decode as whole items -- JSON's lexer is deterministic from an item's start,
  so a cut inside a string or a nested value can never decode -- and a body that
  is not a plain UTF-8 array is decoded whole at the end. The outcome is always
  ``json.loads(whole_body)``'s, or a ``ValueError`` where it raises one.
* Nesting: orjson (3.9.15 and later, CVE-2024-27454) refuses JSON nested over
  1,024 deep with an error, never a crash; such a body then goes to the
  standard library, which raises RecursionError where it must.
* ``gc_paused``: decoding allocates several objects per contact and frees none;
  the cyclic collector would sweep that growing heap again and again for nothing.
  ``gc_paused_promoting`` also spares the one sweep after the pause; ``loads``
  decodes under it (a whole body is 100,000s of new objects, and Excel's UDF
  server has a large heap of its own for the collector to sweep as well).
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:  # a wheel for every platform we support; the standard library is the fallback
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson is missing
    orjson = None  # type: ignore[assignment]
# Before 3.9.15 orjson crashed the process on deep nesting (CVE-2024-27454): an
# older one (installed without pip's resolver, say) is not used at all.
_RELEASE = re.match(r"(\d+)\.(\d+)\.(\d+)", getattr(orjson, "__version__", "0.0.0"))
if orjson is not None and (not _RELEASE or tuple(map(int, _RELEASE.groups())) < (3, 9, 15)):
    orjson = None  # type: ignore[assignment]

_WHITESPACE = b" \t\r\n"
# Digits -> "0", every other byte -> " ": a run of 19 zeros then finds the
# integer literals that orjson would turn into floats (beyond 64 bits).
_DIGITS = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_NUMBER = b"0" * 19
# Stop cutting (decode the rest whole at the end) once this much waits without
# a cut: a body whose items never split cleanly ("}," inside names, nested
# objects) then costs hardly more than decoding it whole.
MAX_PENDING = 1 << 20
# What may be decoded whole (a body that is not a plain UTF-8 array, or one
# that never cut cleanly): the buffered path's cap (api.body.MAX_BODY_BYTES), so
# streaming never holds more of a body than the buffered path would.
MAX_WHOLE_BYTES = 64 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_TRIES = 3


def loads(data: bytes) -> Any:
    """``json.loads(data)``, from orjson where that gives the same result."""
    with gc_paused_promoting():  # many new objects, none to collect
        if orjson is not None and data.translate(_DIGITS).find(_LONG_NUMBER) < 0:
            try:
                return orjson.loads(data)
            except orjson.JSONDecodeError:
                pass  # maybe valid for the standard library (lone surrogates, NaN, 1e400)
        return json.loads(data)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def gc_paused_promoting() -> Iterator[None]:
    """``gc_paused``, and what was made meanwhile is then moved to the oldest
    generation unswept (gc.freeze() then gc.unfreeze()): the first collection
    after a plain pause sweeps every new object once more (15 ms for 100,000
    rows) and finds nothing in rows of text. Objects made elsewhere meanwhile
    are moved too: a cycle among them waits for the next full collection. Not
    done when the program froze objects itself (unfreeze would thaw them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:  # else an outer pause (or another thread's) ends later
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class NotAList(ValueError):
    """The body is JSON, but not an array; ``value`` is what it is."""

    def __init__(self, value: Any) -> None:
        super().__init__("not a JSON array")
        self.value = value


class ArrayItems:
    """Incremental decoder of a top-level JSON array: ``feed`` chunks, then ``finish``."""

    def __init__(self) -> None:
        self._pending = b""  # bytes after the last cut, while streaming
        self._whole = bytearray()  # the body, or what follows "[" after giving up
        self._mode = "start"  # then "stream", "whole" (never streamed) or "rest"
        self._cut_once = False  # a comma was consumed: one more item must follow
        self._begun = False  # the first bytes were looked at (a byte order mark)
        self._head = b""  # what was dropped before "[": kept, should no "[" come

    def feed(self, chunk: bytes) -> list[Any]:
        """The items completed by ``chunk`` (often none). ``ValueError`` once more
        than ``MAX_WHOLE_BYTES`` would have to be decoded whole."""
        if self._mode in ("whole", "rest"):
            self._whole += chunk
            self._bound()
            return []
        pending = self._pending + chunk if self._pending else chunk
        if self._mode == "start":
            if len(pending) < 4:
                self._pending = pending
                return []
            if b"\x00" in pending[:4]:  # UTF-16/32: json.loads reads it, decoded whole
                self._mode, self._pending = "whole", b""
                self._whole += pending
                self._bound()
                return []
            # A UTF-8 array may start with a byte order mark and white space
            # (what comes before "[" is dropped: neither changes the value).
            start = pending if self._begun else pending.removeprefix(_BOM)
            self._begun = True
            start = start.lstrip(_WHITESPACE)
            if not start:
                self._head += pending
                self._pending = b""
                return []
            if start[:1] != b"[":  # decoded whole as it came, dropping nothing
                self._mode, self._pending = "whole", b""
                self._whole += self._head + pending
                self._bound()
                return []
            self._mode, pending = "stream", start[1:]
        items, self._pending = self._cut(pending)
        if items is None and len(self._pending) > MAX_PENDING:
            self._mode = "rest"
            self._whole += self._pending
            self._pending = b""
        return items or []

    def _bound(self) -> None:
        if len(self._whole) > MAX_WHOLE_BYTES:
            raise ValueError(
                f"more than {MAX_WHOLE_BYTES >> 20} MB of JSON that cannot be read item by item"
            )

    def finish(self) -> list[Any]:
        """The remaining items; ``ValueError`` (``NotAList``) where json.loads would fail."""
        if self._mode == "stream":
            return self._rest(self._pending)
        if self._mode == "rest":
            return self._rest(bytes(self._whole))
        value = loads(bytes(self._whole) + self._pending)
        if not isinstance(value, list):
            raise NotAList(value)
        return value

    def _rest(self, after_cut: bytes) -> list[Any]:
        self._pending, self._whole = b"", bytearray()
        items = loads(b"[" + after_cut)
        if self._cut_once and not items:
            raise ValueError("a comma without an item after it")
        return items

    def _cut(self, pending: bytes) -> tuple[list[Any] | None, bytes]:
        """Decode the longest prefix of whole items ending with "}" and ","."""
        end = len(pending)
        for _ in range(_TRIES):
            brace = pending.rfind(b"}", 0, end)
            if brace < 0:
                break
            end = brace
            after = brace + 1
            while after < len(pending) and pending[after] in _WHITESPACE:
                after += 1
            if after >= len(pending) or pending[after] != 0x2C:  # no "," (yet)
                continue
            try:
                items = loads(b"[" + pending[: brace + 1] + b"]")
            except ValueError:
                continue  # that "}" was inside a string or a nested value
            self._cut_once = True
            return items, pending[after + 1 :]
        return None, pending
