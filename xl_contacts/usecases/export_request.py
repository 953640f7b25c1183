"""What an export is asked, and what it did: the request both front ends make
the same way (the CLI's ``export``, the ribbon's *Save report*) and the one
result every export returns -- streamed or buffered, one instance or several."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.errors import XlContactsError
from ..base.i18n import _, ngettext, number
from ..domain.kinds import ALL
from .fetch import Target, describe_fetch

if TYPE_CHECKING:
    from ..api.client import GreenApiClient
    from ..config.settings import Settings
    from ..domain.diff import Changes
    from ..sinks.previous_report import PreviousReport
    from ..sinks.xlsx_report import Progress


@dataclass(frozen=True)
class ExportRequest:
    """One report of ``targets`` at ``output``.

    ``several``: one list with an ``instance`` column, a Summary line per
    instance and a comparison instance by instance -- also for a single target
    (``--all-profiles`` with one profile stored); more than one target always
    is. ``since``: a previous report to compare with (a Changes sheet); with
    ``since_may_fail`` (the ribbon's "latest earlier report") a report that
    cannot be compared is a note of the result, not an error. ``force``:
    replace ``output`` even if it is not a report of ours. ``keep_going``: with
    several, keep the instances that answered when others fail. ``fetching`` is
    told what is fetched (``describe``) once every check has passed, before the
    first request; ``progress(rows_written, rows_total)`` while rows are
    written. ``clients`` gives each instance's client (Excel's short-budget
    ones); by default the pooled ones of ``fetch.client_for``.
    """

    output: str | os.PathLike[str]
    targets: Sequence[Target]
    several: bool = False
    kind: str = ALL
    count: int | None = None
    since: str | os.PathLike[str] | None = None
    since_may_fail: bool = False
    force: bool = False
    keep_going: bool = False
    fetching: Callable[[str], None] | None = None
    progress: Progress | None = None
    clients: Callable[[Settings], GreenApiClient] | None = None

    @property
    def of_several(self) -> bool:
        return self.several or len(self.targets) > 1

    def describe(self) -> str:
        """What is asked: "up to 3 contacts of profile wa, instance 1101000001"."""
        return describe_fetch(self.count, self.kind, self.targets, several=self.several)


@dataclass
class ExportResult:
    """What an export wrote, and what a person should know about it."""

    path: Path
    contacts: int  # rows of the Contacts sheet
    kind: str = ALL
    several: bool = False  # a report of several instances (an instance column)
    instances: int = 1  # the instances whose contacts it holds
    notes: list[str] = field(default_factory=list)  # e.g. skipped records, why not compared
    failures: list[XlContactsError] = field(default_factory=list)  # instances left out
    changes: Changes | None = None  # with ``previous``: the Changes sheet's rows
    previous: PreviousReport | None = None
    streamed: bool = False  # written while the answer arrived
    restarted: bool = False  # streamed, then started over from the kept body

    def what(self) -> str:
        """ "1,234 contacts", "12 contacts (groups) of 2 instances"."""
        what = ngettext("{n} contact", "{n} contacts", self.contacts).format(
            n=number(self.contacts)
        )
        if self.kind != ALL:
            what = _("{contacts} ({kind})").format(contacts=what, kind=self.kind)
        if not self.several:
            return what
        return ngettext(
            "{contacts} of {n} instance", "{contacts} of {n} instances", self.instances
        ).format(contacts=what, n=number(self.instances))

    def compared(self) -> str | None:
        """ "since old.xlsx: 2 added, 1 removed, 4 changed", when compared."""
        if self.changes is None or self.previous is None:
            return None
        return _("since {name}: {changes}").format(
            name=self.previous.path.name, changes=self.changes.describe()
        )
