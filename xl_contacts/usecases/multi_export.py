"""Several instances, one list: the stored profiles (or demo instances) are
fetched in parallel -- each instance still within its own 1 request/second,
which the client's per-instance throttle keeps -- and their contacts become one
table whose first column, ``instance``, names the profile each row came from;
for a report (``export``): a Summary line per instance and, against a previous
report of the same profiles, the changes found instance by instance.

One failed instance fails the whole run (nothing is written) unless
``keep_going``: then the others are kept and the failures are reported.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..api.client import GreenApiClient
from ..base.errors import ConfigError, XlContactsError
from ..base.i18n import _, ngettext, number
from ..base.names import (
    INSTANCE_COLUMN,
    LABEL_INSTANCE_OF,
    LABEL_INSTANCES,
)
from ..config import credentials
from ..config.settings import NO_PROFILES, Settings, profile_settings
from ..domain.contacts import parse_count
from ..domain.demo import DEMO_PROFILES, demo_instance
from ..domain.diff import Changes, compare
from ..domain.kinds import parse_kind
from ..domain.table import COLUMNS, ContactTable
from ..sinks.previous_report import PreviousReport, read_previous_instances
from .fetch import Target, fetch_target


@dataclass
class Fetched:
    """What fetching one target came to: its table, or the error that stopped it."""

    target: Target
    table: ContactTable | None = None
    error: XlContactsError | None = None


@dataclass
class ManyContacts:
    table: ContactTable
    fetched: list[Fetched]

    @property
    def failures(self) -> list[XlContactsError]:
        """Why each instance that failed failed (the message names its profile)."""
        return [f.error for f in self.fetched if f.error is not None]


def targets(
    names: Sequence[str] = (),
    *,
    all_profiles: bool = False,
    demo: bool = False,
    flavour: str | None = None,
) -> list[Target]:
    """The instances to fetch, every one resolved before any request: a wrong
    profile name or a missing token stops the run here (exit 2), not halfway."""
    if all_profiles:
        labels = list(DEMO_PROFILES) if demo else sorted(credentials.read_profiles())
        if not labels:
            raise ConfigError(_(NO_PROFILES))
    else:
        labels = [credentials.validate_profile_name(n) for n in names]
    labels = list(dict.fromkeys(labels))  # the same profile twice is fetched once
    if demo:
        return [Target(demo_instance(label).profile) for label in labels]
    return [Target(label, profile_settings(label, flavour=flavour)) for label in labels]


def fetch_many(
    chosen: Sequence[Target],
    count: int | None = None,
    only: str | None = None,
    *,
    keep_going: bool = False,
    clients: Callable[[Settings], GreenApiClient] | None = None,
) -> ManyContacts:
    """Fetch every target in parallel and combine the tables.

    Raises the first failure (its message names the profile) unless
    ``keep_going`` and at least one instance answered. ``clients``: as for
    ``fetch_target``.
    """
    count, kind = parse_count(count), parse_kind(only)

    def one(target: Target) -> Fetched:
        try:
            table = fetch_target(target, count, kind, clients=clients)
        except XlContactsError as error:
            return Fetched(target, error=_naming(error, target.label))
        return Fetched(target, table)

    with ThreadPoolExecutor(max_workers=max(1, len(chosen))) as pool:
        fetched = list(pool.map(one, chosen))
    failed = [f for f in fetched if f.error is not None]
    if failed and (not keep_going or len(failed) == len(fetched)):
        error = failed[0].error
        assert error is not None
        if len(failed) > 1:
            others = len(failed) - 1
            error.args = (
                ngettext(
                    "{error} (and {n} other profile failed)",
                    "{error} (and {n} other profiles failed)",
                    others,
                ).format(error=error, n=number(others)),
            )
        raise error
    return ManyContacts(combine(fetched, kind), fetched)


def combine(fetched: Sequence[Fetched], kind: str) -> ContactTable:
    """One table: ``instance``, the contract columns, then every extra column in
    first-seen order; a column an instance does not have stays empty."""
    done = [(f.target, f.table) for f in fetched if f.table is not None]
    extras: dict[str, None] = {}
    for _target, table in done:
        extras.update(dict.fromkeys(c for c in table.columns if c not in COLUMNS))
    data_columns = [*COLUMNS, *extras]
    rows = []
    for target, table in done:
        where = {c: i for i, c in enumerate(table.columns)}
        for row in table.rows:
            rows.append(
                [target.label, *(row[where[c]] if c in where else "" for c in data_columns)]
            )
    tables = [table for _, table in done]
    return ContactTable(
        [INSTANCE_COLUMN, *data_columns],
        rows,
        id_instance=", ".join(t.id_instance for t in tables),
        fetched_at=min(t.fetched_at for t in tables),
        source=tables[0].source,
        kind=kind,
        skipped=sum(t.skipped for t in tables),
    )


def read_since(
    chosen: Sequence[Target], since: str | os.PathLike[str], only: str | None = None
) -> PreviousReport:
    """The previous report of ``chosen`` to compare with: read, and refused if it
    is not one of these profiles, before any request (and any status line)."""
    ids = {t.label: t.id_instance for t in chosen}
    return read_previous_instances(since, ids, demo=chosen[0].demo, kind=parse_kind(only))


def instance_summary(many: ManyContacts) -> list[tuple[str, Any]]:
    """Summary lines per instance: its idInstance and its counts, or its failure."""
    lines: list[tuple[str, Any]] = [
        (_(LABEL_INSTANCES), ", ".join(f.target.label for f in many.fetched))
    ]
    for f in many.fetched:
        label = f.target.label
        lines.append((_(LABEL_INSTANCE_OF).format(profile=label), f.target.id_instance))
        if f.table is None:
            lines.append((_("{profile}: failed").format(profile=label), str(f.error)))
            continue
        kind = _("{profile}: {kind} contacts").format(profile=label, kind=f.table.kind)
        lines.append((kind, len(f.table)))
        hidden = _("{profile}: hidden phone numbers (personal contacts)").format(profile=label)
        lines.append((hidden, f.table.hidden_phone_count()))
        if f.table.skipped:
            skipped = _("{profile}: skipped records (no chat id)").format(profile=label)
            lines.append((skipped, f.table.skipped))
        if lids := f.table.lid_count():
            lines.append((_("{profile}: @lid ids (no phone number)").format(profile=label), lids))
    return lines


def changes_by_instance(
    many: ManyContacts, previous: PreviousReport
) -> tuple[Changes, list[list[str]]]:
    """The changes of every instance that answered, and the Changes sheet's rows,
    each led by its instance."""
    total, labelled = Changes(), []
    for f in many.fetched:
        if f.table is None:
            continue  # a failed instance has no "now": comparing would call it all removed
        found = compare(previous.by_instance.get(f.target.label, []), f.table)
        total.rows += found.rows
        labelled += [[f.target.label, *row] for row in found.rows]
    return total, labelled


def _naming(error: XlContactsError, label: str) -> XlContactsError:
    """``error`` with its message saying which profile it is about (same class,
    so the same exit code)."""
    named = copy.copy(error)
    named.args = (_("profile {label}: {error}").format(label=label, error=error),)
    return named
