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
from typing import Any

import xlwings as xw

from . import live_results, live_sheet
from .client import INTERACTIVE_BUDGET
from .contacts import ContactTable
from .errors import ConfigError, XlContactsError, user_message
from .fetch import fetch_contacts
from .names import KEY_REPORT_FOLDER, PROG
from .settings import Settings, load_settings

TITLE = PROG
BUDGET = INTERACTIVE_BUDGET


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
        table = _fetch(options.count, options.only, load_settings(profile=options.profile), show)
        live_results.clear()  # =GETCONTACTS cells fetch fresh data on their next calculation
        status = (
            f"Refreshed {table.fetched_at:%Y-%m-%d %H:%M:%S} UTC — {len(table):,} contacts "
            f"of instance {table.instance_id}"
        )

        def progress(done: int, total: int) -> None:
            show(f"{TITLE}: writing contacts, {done:,} of {total:,} rows…")

        with live_sheet.suspended_updates(book.app):
            live_sheet.write_contacts(book, table, status, progress)


def _fetch(
    count: int | None, only: str, settings: Settings, show: Callable[[str], None]
) -> ContactTable:
    show(f"{TITLE}: asking GREEN-API for the contacts (Excel waits at most {BUDGET:.0f} s)…")
    client = live_results.interactive_client(settings)
    return fetch_contacts(count, only=only, settings=settings, client=client)


def _export_report(book: Any) -> None:
    from .export import export_report  # openpyxl only when saving
    from .previous_report import read_previous

    options = live_sheet.read_live_settings(book)
    folder = report_folder(book, options.report_folder)
    settings = load_settings(profile=options.profile)
    previous, note = None, ""
    earlier = latest_report(folder, book)
    if earlier is not None:
        try:
            previous = read_previous(earlier, settings.id_instance, kind=options.only)
        except XlContactsError as error:  # still save; say why nothing was compared
            note = f"\n\nNot compared with an earlier report: {error}"
    with live_sheet.status_bar(book.app) as show:
        table = _fetch(options.count, options.only, settings, show)
        show(f"{TITLE}: saving {len(table):,} contacts…")
        result = export_report(table, folder / report_name(book, table.fetched_at), previous)
    if result.changes and result.previous:
        since = result.previous.path.name
        note = f"\n\nSince {since}: {result.changes.describe()} (sheet Changes)."
    message = f"Saved {len(table):,} contacts to\n{result.path}{note}"
    book.app.alert(message, title=TITLE, mode="info")


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
