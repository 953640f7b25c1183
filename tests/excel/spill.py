"""Reading what a dynamic-array formula spilled, through Excel's own answer.

``Range.HasSpill`` says whether a cell is part of a spill, and the anchor's
``SpillingToRange`` is exactly the spilled area (Excel's object model; xlwings
0.37.8 has no name for either, so they are read through ``Range.api``). A
formula whose answer is one cell -- ``#GETCONTACTS: ...``, xlwings' own
``Could not load xlwings64-0.37.8.dll ...``, ``#NAME?`` when the VBA wrapper is
missing, ``#SPILL!`` when the area is blocked -- has no spill: a non-empty
anchor without a spill is a final answer, reported at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class NoSpill(AssertionError):
    """The formula answered with something other than a spilled table."""


def read_spill(anchor: Any, seconds: float, poll: float = 0.5) -> list[list[Any]]:
    """The rows ``anchor``'s formula spilled, as soon as Excel has an answer;
    ``NoSpill`` when the answer is one cell, or when there is none by ``seconds``
    (Windows: ``HasSpill`` is not in the macOS scripting dictionary)."""

    def answer() -> Any:
        if anchor.api.HasSpill:
            return anchor.sheet.range(anchor.api.SpillingToRange.Address).options(ndim=2).value
        return anchor.options(err_to_str=True).value

    shown = first_answer(answer, seconds, poll, f"{anchor.address} ")
    if not isinstance(shown, list):
        raise NoSpill(f"{anchor.address} shows {shown!r} instead of a spilled table")
    return shown


def first_answer(read: Callable[[], Any], seconds: float, poll: float = 0.5, what: str = "") -> Any:
    """``read()``'s first non-empty value; ``NoSpill`` if there is none by ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if value not in (None, ""):
            return value
        if time.monotonic() > deadline:
            raise NoSpill(f"{what}still empty after {seconds:.0f} s")
        time.sleep(poll)
