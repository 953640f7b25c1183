"""One line of ``xl-contacts doctor``: what was checked, how it went, what to do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...base.cells import for_terminal
from ...base.i18n import N_, _, ngettext, number

# FAIL makes doctor exit 1; WARN works today but breaks easily (said with the fix).
# Code compares these; a person reads them translated (report_lines).
OK, WARN, FAIL, SKIP = N_("ok"), N_("warn"), N_("FAIL"), N_("skip")
STATUSES = (OK, WARN, FAIL, SKIP)


@dataclass(frozen=True)
class Check:
    name: str  # in the language of the run that made it, like the detail
    status: str
    detail: str


def report_lines(checks: Sequence[Check]) -> list[str]:
    """doctor's report in the current language: status, check and detail in
    aligned columns, two spaces apart, each line safe for a terminal (a detail
    may repeat what a server said: a state, a content type)."""
    words = {status: _(status) for status in STATUSES}
    status_width = max(map(len, words.values()))
    width = max((len(c.name) for c in checks), default=0)
    return [
        for_terminal(f"{words[c.status]:<{status_width}}  {c.name:<{width}}  {c.detail}")
        for c in checks
    ]


def problems_found(checks: Sequence[Check]) -> str | None:
    """The summary line when a check failed (doctor then exits 1), else None."""
    broken = sum(c.status == FAIL for c in checks)
    if not broken:
        return None
    return ngettext("{n} problem found", "{n} problems found", broken).format(n=number(broken))
