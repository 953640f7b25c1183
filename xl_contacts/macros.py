"""Ribbon entry points, run by VBA ``RunPython`` on ``xw.Book.caller()``.

Thin on purpose: fetch with the library, write with ``live_sheet``/``export``.
Both hold one rule: check, fetch, then write -- a failed check or fetch touches
nothing, a failed write is undone. Every failure is one alert, never a
traceback, never the token.

With ``Use UDF Server`` (the template's setting) a button runs inside Excel's
UDF server and Excel is frozen until it returns: the fetch gets the short
interactive budget, and the status bar -- the one thing Excel repaints
meanwhile -- says what is happening.

Each button speaks the language the ribbon speaks, which its VBA passes
(ContactsRibbon.bas: the same order on Windows and macOS); called without one
(xlwings Server, a test), the workbook's (``excel_language``). The status bar,
the alerts and the status line above the table follow it.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xlwings as xw

from .api.client import INTERACTIVE_BUDGET
from .base import i18n
from .base.cells import for_terminal
from .base.errors import ConfigError, XlContactsError, echo, user_message
from .base.i18n import _, ngettext, number
from .base.names import CHANGES_SHEET, CONF_SHEET, KEY_REPORT_FOLDER, PROG
from .config.settings import load_settings
from .domain.table import ContactTable
from .sinks import live_sheet
from .sinks.live_sheet import LiveSettings
from .usecases import excel_language, live_results
from .usecases.fetch import Target, describe_fetch, fetch_target, one_target
from .usecases.multi_export import fetch_many, targets

TITLE = PROG
BUDGET = INTERACTIVE_BUDGET


def asking(what: str) -> str:
    """The status bar while Excel waits for GREEN-API (``what``: ``describe_fetch``)."""
    return _("{title}: asking GREEN-API for {what} (Excel waits at most {seconds} s)…").format(
        title=TITLE, what=what, seconds=f"{BUDGET:.0f}"
    )


def refresh(language: str | None = None) -> None:
    """Ribbon "Refresh contacts": fetch, then replace the Contacts table."""
    book = xw.Book.caller()
    _guarded(book, _refresh, language)


def export_report(language: str | None = None) -> None:
    """Ribbon "Save report": fetch, then save a report workbook next to this one."""
    book = xw.Book.caller()
    _guarded(book, _export_report, language)


def _refresh(book: Any) -> None:
    options = live_sheet.read_live_settings(book)
    live_sheet.check_unprotected(book)
    live_sheet.check_contacts_sheet(book)
    with live_sheet.status_bar(book.app) as show:
        table = _fetch(options, show)
        live_results.clear()  # =GETCONTACTS cells fetch fresh data on their next calculation
        status = refreshed(options, table)

        def progress(done: int, total: int) -> None:
            show(writing(done, total))

        with live_sheet.suspended_updates(book.app):
            live_sheet.write_contacts(book, table, status, progress)


def _fetch(options: LiveSettings, show: Callable[[str], None]) -> ContactTable:
    """The contacts the workbook asks for; of several profiles, one table whose
    first column names the profile (a failure of any one fails the whole)."""
    clients = live_results.interactive_client
    chosen = _targets(options)
    show(asking(describe_fetch(options.count, options.only, chosen)))
    if len(chosen) > 1:
        return fetch_many(chosen, options.count, options.only, clients=clients).table
    return fetch_target(chosen[0], options.count, options.only, clients=clients)


def _targets(options: LiveSettings) -> list[Target]:
    """The instances the workbook names, every one resolved before any request."""
    if len(options.profiles) > 1:
        return targets(options.profiles)
    profile = options.profiles[0] if options.profiles else None
    return [one_target(load_settings(profile=profile))]


def refreshed(options: LiveSettings, table: ContactTable) -> str:
    """The status line above the table: when, how many, of which instances."""
    n = len(table)
    facts = {"when": f"{table.fetched_at:%Y-%m-%d %H:%M:%S}", "n": number(n)}
    if len(options.profiles) > 1:
        return ngettext(
            "Refreshed {when} UTC — {n} contact of profiles {profiles}",
            "Refreshed {when} UTC — {n} contacts of profiles {profiles}",
            n,
        ).format(**facts, profiles=", ".join(options.profiles))
    return ngettext(
        "Refreshed {when} UTC — {n} contact of instance {instance}",
        "Refreshed {when} UTC — {n} contacts of instance {instance}",
        n,
    ).format(**facts, instance=table.id_instance)


def writing(done: int, total: int) -> str:
    """The status bar while rows go to the Contacts sheet (the form follows the total)."""
    return ngettext(
        "{title}: writing contacts, {done} of {total} row…",
        "{title}: writing contacts, {done} of {total} rows…",
        total,
    ).format(title=TITLE, done=number(done), total=number(total))


def saving(done: int, total: int) -> str:
    """The status bar while rows go to the report."""
    return ngettext(
        "{title}: saving contacts, {done} of {total} row…",
        "{title}: saving contacts, {done} of {total} rows…",
        total,
    ).format(title=TITLE, done=number(done), total=number(total))


def _export_report(book: Any) -> None:
    from .usecases.export import ExportRequest, export  # the report's libraries: only to save

    options = live_sheet.read_live_settings(book)
    folder = report_folder(book, options.report_folder)
    chosen = _targets(options)
    with live_sheet.status_bar(book.app) as show:

        def progress(done: int, total: int) -> None:
            show(saving(done, total))

        result = export(
            ExportRequest(
                new_report_path(folder, book, datetime.now(UTC)),
                chosen,
                kind=options.only,
                count=options.count,
                since=latest_report(folder, book),
                since_may_fail=True,  # an earlier report of another instance or kind
                fetching=lambda what: show(asking(what)),
                progress=progress,
                clients=live_results.interactive_client,
            )
        )
    notes = [*result.notes]
    if compared := result.compared():
        notes.append(
            _("{compared} (sheet {sheet}).").format(compared=compared, sheet=CHANGES_SHEET)
        )
    # Each line shown as the command line shows it: a file name or a server's
    # column name in a note cannot reorder or break the alert's lines.
    text = "".join(f"\n\n{for_terminal(note[:1].upper() + note[1:])}" for note in notes)
    saved = _("Saved {what} to\n{path}").format(
        what=result.what(), path=for_terminal(str(result.path))
    )
    book.app.alert(f"{saved}{text}", title=TITLE, mode="info")


def report_folder(book: Any, configured: str | None) -> Path:
    """The configured folder, else the workbook's own folder, else the home folder
    (an unsaved or cloud-only workbook has no local folder)."""
    if configured:
        folder = Path(configured).expanduser()
        if not _is_folder(folder):
            raise ConfigError(
                _(
                    "the report folder '{folder}' ({sheet}: {key}) does not exist — "
                    "create it or fix the setting"
                ).format(folder=echo(str(folder)), sheet=CONF_SHEET, key=KEY_REPORT_FOLDER)
            )
        return folder
    own = Path(book.fullname).parent
    return own if own.is_absolute() and own.is_dir() else Path.home()


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder; a path no file system could hold is none."""
    try:
        return path.is_dir()
    except OSError:  # a name or path too long for the file system
        return False


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
    raise ConfigError(
        _("100 reports of this workbook were saved within one second in '{folder}'").format(
            folder=echo(str(folder))
        )
    )


def latest_report(folder: Path, book: Any) -> Path | None:
    """The newest earlier report of this workbook in ``folder`` (names sort by time)."""
    earlier = sorted(folder.glob(f"{glob.escape(_report_prefix(book))}*.xlsx"))
    return earlier[-1] if earlier else None


def _report_prefix(book: Any) -> str:
    return f"{Path(book.name).stem or 'contacts'} contacts "


def _guarded(book: Any, action: Any, language: str | None) -> None:
    with i18n.speaking(i18n.language_of(language) or excel_language.of_book(book)):
        try:
            action(book)
        except Exception as error:  # ours or a bug: one alert, never a traceback, never the token
            book.app.alert(alert_text(error), title=TITLE, mode="critical")


def alert_text(error: BaseException) -> str:
    """The alert for ``error``: Excel's refusal in words, not a COM error's tuple."""
    refusal = None if isinstance(error, XlContactsError) else live_sheet.excel_refusal(error)
    if refusal:
        error = ConfigError(_("{refusal} — then try again").format(refusal=refusal))
    # One line, as the command line shows it, whatever text of others a message holds.
    return for_terminal(user_message(error))
