"""The export use case: one call for every report workbook, whoever asks.

``export(ExportRequest(...))`` checks everything it can before the first
request (the output path, the previous report), then writes the report one of
two ways, chosen here and nowhere else (``streams``):

- streamed (``export_stream``): the rows are written while the answer
  arrives, memory stays flat -- the common export, every contact of one
  instance with nothing to compare;
- buffered (``export_buffered``): the whole table first (one instance, or several combined by
  ``multi_export``), then the report, with a Changes sheet when there is a
  previous report to compare with.

Both return an ``ExportResult`` and are put together by the same package
writer (``xlsx_report.write_package``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..base.errors import ConfigError, ReportError, XlContactsError
from ..base.i18n import _, ngettext, number
from ..base.names import KEY_COUNT
from ..domain.kinds import ALL
from ..sinks.atomic import output_path
from .export_request import ExportRequest, ExportResult
from .fetch import client_for

if TYPE_CHECKING:  # read only to compare: the common export needs no reader
    from ..sinks.previous_report import PreviousReport

__all__ = ["ExportRequest", "ExportResult", "export", "streams"]


def export(request: ExportRequest) -> ExportResult:
    """Write the report ``request`` asks for; see ``ExportRequest``.

    Raises before any request for a wrong output path, an existing file that is
    not a report of ours (unless ``force``), or a previous report that cannot
    be compared (unless ``since_may_fail``); then as the fetch fails (see
    ``fetch_contacts``, ``fetch_many``). A failure leaves any earlier file at
    the output path as it was."""
    target = _checked_output(request.output, request.force)
    previous, notes = _previous(request)
    if request.fetching is not None:
        request.fetching(request.describe())
    if streams(request, previous):
        from .export_stream import export_streamed  # the body reader: only to stream

        settings = request.targets[0].settings
        assert settings is not None  # a real instance: streams() says so
        client = (request.clients or client_for)(settings)
        result = export_streamed(client, target, request.count, progress=request.progress)
        result.notes[:0] = notes
        return result
    from .export_buffered import export_buffered  # the --since and several-profile parts

    return export_buffered(request, target, previous, notes)


def streams(request: ExportRequest, previous: PreviousReport | None = None) -> bool:
    """Whether the report is written in one pass while the answer arrives: when
    getContacts' answer is the report as it comes -- one real instance (no
    instance column to add, a list to read: the demo's is in memory already),
    every contact (a kind is picked from the whole list, ``chatted`` needs
    getChats too), nothing to compare with (the Changes sheet needs the whole
    list). ``--count`` streams: the server cuts the list."""
    single = not request.of_several and not request.targets[0].demo
    return single and request.kind == ALL and previous is None


def _checked_output(output: str | os.PathLike[str], force: bool) -> Path:
    target = output_path(output, ".xlsx", "report")
    if force or not target.exists():
        return target
    from ..sinks.previous_report import is_report  # read only when a file is there

    if not is_report(target):
        raise ReportError(
            _(
                "{path!r} exists and is not a report of xl-contacts — choose another "
                "name, or add --force to replace it"
            ).format(path=str(target))
        )
    return target


def _previous(request: ExportRequest) -> tuple[PreviousReport | None, list[str]]:
    """The previous report to compare with, read before any request (a wrong
    file costs none); with ``since_may_fail``, None and why instead of an error."""
    if request.since is None:
        return None, []
    # A list cut at N contacts is not compared: every contact past the first N
    # would be called "removed". A note on stderr and in the sheet would not
    # undo that: a Changes sheet is read by people who never saw the command,
    # and "removed" rows look like data. Refused before any request, so that
    # asking for both costs nothing and says which to drop; the ribbon (whose
    # comparison is automatic) still saves the report and says why it is not
    # compared. Whether the earlier report was itself cut cannot be told from
    # it, so the rule is the same whatever the list's length turns out to be.
    if request.count is not None:
        why = ngettext(
            "with the list cut at {n} contact, every contact past it would show as removed",
            "with the list cut at {n} contacts, every contact past them would show as removed",
            request.count,
        ).format(n=number(request.count))
        if not request.since_may_fail:
            raise ConfigError(
                _("--since compares whole lists: {why} — leave out --count or --since").format(
                    why=why
                )
            )
        return None, [
            _("not compared with an earlier report: {why} (setting {key})").format(
                why=why, key=KEY_COUNT
            )
        ]
    from ..sinks.previous_report import read_previous
    from .multi_export import read_since

    try:
        if request.of_several:
            return read_since(request.targets, request.since, request.kind), []
        target = request.targets[0]
        found = read_previous(
            request.since, target.id_instance, demo=target.demo, kind=request.kind
        )
        return found, []
    except XlContactsError as error:
        if not request.since_may_fail:
            raise
        return None, [_("not compared with an earlier report: {error}").format(error=error)]
