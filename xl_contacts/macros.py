"""Ribbon entry points, run by VBA ``RunPython`` on ``xw.Book.caller()``.

Thin on purpose: fetch with the library, write with ``live_sheet``/``export``.
Both hold one rule: check, fetch, then write -- a failed check or fetch touches
nothing, a failed write is undone. Every failure is one alert, never a
traceback, never the token.

With ``Use UDF Server`` (the template's setting) a button runs inside Excel's
UDF server and Excel is frozen until it returns: the fetch gets the short
interactive budget, and the status bar -- the one thing Excel repaints
meanwhile -- says what is happening.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlwings as xw

from .api.client import INTERACTIVE_BUDGET
from .base.errors import ConfigError, XlContactsError, user_message
from .base.names import KEY_REPORT_FOLDER, PROG
from .config.settings import Settings, load_settings
from .domain.contacts import ContactTable
from .sinks import live_sheet
from .sinks.live_sheet import LiveSettings
from .usecases import live_results
from .usecases.fetch import fetch_contacts

if TYPE_CHECKING:  # both are imported only when a report is saved
    from .domain.diff import Changes
    from .sinks.previous_report import PreviousReport

TITLE = PROG
BUDGET = INTERACTIVE_BUDGET
ASKING = f"{TITLE}: asking GREEN-API for the contacts (Excel waits at most {BUDGET:.0f} s)…"


def refresh() -> None:
    """Ribbon "Refresh contacts": fetch, then replace the Contacts table."""
    book = xw.Book.caller()
    _guarded(book, _refresh)


def export_report() -> None:
    """Ribbon "Save report": fetch, then save a report workbook next to this one."""
    book = xw.Book.caller()
    _guarded(book, _export_report)


def _refresh(book: Any) -> None:
    options = live_sheet.read_live_settings(book)
    live_sheet.check_unprotected(book)
    live_sheet.check_contacts_sheet(book)
    with live_sheet.status_bar(book.app) as show:
        table = _fetch(options, show)
        live_results.clear()  # =GETCONTACTS cells fetch fresh data on their next calculation
        status = (
            f"Refreshed {table.fetched_at:%Y-%m-%d %H:%M:%S} UTC — {len(table):,} contacts "
            f"of {_instances(options, table)}"
        )

        def progress(done: int, total: int) -> None:
            show(f"{TITLE}: writing contacts, {done:,} of {total:,} rows…")

        with live_sheet.suspended_updates(book.app):
            live_sheet.write_contacts(book, table, status, progress)


def _fetch(options: LiveSettings, show: Callable[[str], None]) -> ContactTable:
    """The contacts the workbook asks for; of several profiles, one table whose
    first column names the profile (a failure of any one fails the whole)."""
    show(ASKING)
    if len(options.profiles) > 1:
        from .usecases.multi_export import fetch_many, targets  # openpyxl: only for several

        chosen = targets(options.profiles)
        clients = live_results.interactive_client
        return fetch_many(chosen, options.count, options.only, clients=clients).table
    settings = _settings(options)
    client = live_results.interactive_client(settings)
    return fetch_contacts(options.count, only=options.only, settings=settings, client=client)


def _settings(options: LiveSettings) -> Settings:
    return load_settings(profile=options.profiles[0] if options.profiles else None)


def _instances(options: LiveSettings, table: ContactTable) -> str:
    if len(options.profiles) > 1:
        return f"profiles {', '.join(options.profiles)}"
    return f"instance {table.instance_id}"


def _export_report(book: Any) -> None:
    from .sinks.previous_report import read_previous
    from .usecases.export import export_report  # openpyxl only when saving

    options = live_sheet.read_live_settings(book)
    folder = report_folder(book, options.report_folder)
    if len(options.profiles) > 1:
        _export_several(book, options, folder)
        return
    settings = _settings(options)
    previous, note = _earlier_report(
        book, folder, lambda path: read_previous(path, settings.id_instance, kind=options.only)
    )
    with live_sheet.status_bar(book.app) as show:
        table = _fetch(options, show)
        show(f"{TITLE}: saving {len(table):,} contacts…")
        result = export_report(table, new_report_path(folder, book, table.fetched_at), previous)
    _saved(book, len(table), result.path, result.changes, result.previous, note)


def _export_several(book: Any, options: LiveSettings, folder: Path) -> None:
    """One report of several profiles, compared profile by profile with the
    latest report of the same profiles."""
    from .usecases.multi_export import export_many, read_since, targets

    chosen = targets(options.profiles)  # every profile resolved before any request
    previous, note = _earlier_report(
        book, folder, lambda path: read_since(chosen, path, options.only)
    )
    with live_sheet.status_bar(book.app) as show:
        show(ASKING)
        result = export_many(
            chosen,
            new_report_path(folder, book, datetime.now(UTC)),
            count=options.count,
            only=options.only,
            previous=previous,
            clients=live_results.interactive_client,
        )
    table = result.contacts.table
    _saved(book, len(table), result.path, result.changes, result.previous, note)


def _earlier_report(
    book: Any, folder: Path, read: Callable[[Path], PreviousReport]
) -> tuple[PreviousReport | None, str]:
    """The latest earlier report in ``folder``, read to compare with, or None and
    why not (the report is still saved: the alert says why nothing was compared)."""
    earlier = latest_report(folder, book)
    if earlier is None:
        return None, ""
    try:
        return read(earlier), ""
    except XlContactsError as error:
        return None, f"\n\nNot compared with an earlier report: {error}"


def _saved(
    book: Any,
    contacts: int,
    path: Path,
    changes: Changes | None,
    previous: PreviousReport | None,
    note: str,
) -> None:
    if changes and previous:
        note = f"\n\nSince {previous.path.name}: {changes.describe()} (sheet Changes)."
    book.app.alert(f"Saved {contacts:,} contacts to\n{path}{note}", title=TITLE, mode="info")


def report_folder(book: Any, configured: str | None) -> Path:
    """The configured folder, else the workbook's own folder, else the home folder
    (an unsaved or cloud-only workbook has no local folder)."""
    if configured:
        folder = Path(configured).expanduser()
        if not folder.is_dir():
            raise ConfigError(
                f"the report folder '{folder}' (xlwings.conf: "
                f"{KEY_REPORT_FOLDER}) does not exist — create it or fix the setting"
            )
        return folder
    own = Path(book.fullname).parent
    return own if own.is_absolute() and own.is_dir() else Path.home()


def report_name(book: Any, when: datetime) -> str:
    return f"{_report_prefix(book)}{when.astimezone(UTC):%Y-%m-%d %H%M%S}.xlsx"


def new_report_path(folder: Path, book: Any, when: datetime) -> Path:
    """Where this save goes: never over an earlier report, even one of the same
    second ("_02" sorts after ".xlsx", so the newest is still the last name)."""
    name = report_name(book, when)
    path = folder / name
    for n in range(2, 100):
        if not path.exists():
            return path
        path = folder / f"{name.removesuffix('.xlsx')}_{n:02d}.xlsx"
    if not path.exists():
        return path
    # "_100" would sort before "_99": a hundred saves in one second is a loop, not a user.
    raise ConfigError(f"100 reports of this workbook were saved within one second in '{folder}'")


def latest_report(folder: Path, book: Any) -> Path | None:
    """The newest earlier report of this workbook in ``folder`` (names sort by time)."""
    earlier = sorted(folder.glob(f"{glob.escape(_report_prefix(book))}*.xlsx"))
    return earlier[-1] if earlier else None


def _report_prefix(book: Any) -> str:
    return f"{Path(book.name).stem or 'contacts'} contacts "


def _guarded(book: Any, action: Any) -> None:
    try:
        action(book)
    except Exception as error:  # ours or a bug: one alert, never a traceback, never the token
        book.app.alert(alert_text(error), title=TITLE, mode="critical")


def alert_text(error: BaseException) -> str:
    """The alert for ``error``: Excel's refusal in words, not a COM error's tuple."""
    refusal = None if isinstance(error, XlContactsError) else live_sheet.excel_refusal(error)
    if refusal:
        return user_message(ConfigError(f"{refusal} — then try again"))
    return user_message(error)
