"""One line of ``xl-contacts doctor``: what was checked, how it went, what to do."""

from __future__ import annotations

from dataclasses import dataclass

# FAIL makes doctor exit 1; WARN works today but breaks easily (said with the fix).
OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
