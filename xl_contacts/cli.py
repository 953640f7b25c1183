"""The ``xl-contacts`` command: a thin shell over the library.

Exit codes: 0 ok, 1 GREEN-API or network failure, 2 usage or configuration
error. Errors are one line on stderr, never a traceback, never the token.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from . import __version__
from .cells import for_csv, for_terminal
from .contacts import EMPTY_HINT, ContactTable
from .errors import XlContactsError
from .fetch import fetch_contacts, parse_count
from .settings import load_settings, redact_known

PROG = "xl-contacts"
TERMINAL_COLUMN_WIDTH = 40


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 with argparse's message
    try:
        return args.run(args)
    except XlContactsError as error:
        _fail(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as error:  # a bug: still one line, still no token
        _fail(f"internal error ({type(error).__name__}: {error}) — please report it")
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="GREEN-API contact lists for Excel: look at them, save report workbooks, "
        "build the Excel template.",
        epilog="Credentials come from GREENAPI_API_URL, GREENAPI_ID_INSTANCE and "
        "GREENAPI_API_TOKEN_INSTANCE. Try any command with --demo first.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    contacts = commands.add_parser("contacts", help="print the contact list")
    _fetch_options(contacts)
    contacts.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table)",
    )
    contacts.set_defaults(run=_contacts)

    export = commands.add_parser("export", help="save a report workbook (.xlsx)")
    _fetch_options(export)
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the .xlsx to write")
    export.set_defaults(run=_export)

    template = commands.add_parser(
        "template",
        help="build the macro-enabled Excel template (.xlsm)",
        description="Build workbook_template.xlsm: the Contacts ribbon tab, =GETCONTACTS() "
        "and the xlwings settings. The build is byte-for-byte reproducible.",
    )
    template.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the .xlsm to write"
    )
    template.set_defaults(run=_template)
    return parser


def _fetch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--count", type=_count_argument, metavar="N", help="at most N contacts (default: all)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in sample contacts: no credentials, no network",
    )
    parser.add_argument("--api-url", help="apiUrl (default: $GREENAPI_API_URL)")
    parser.add_argument("--id-instance", help="idInstance (default: $GREENAPI_ID_INSTANCE)")
    # Deliberately no --token: command lines end up in shell history and `ps`.


def _count_argument(value: str) -> int | None:
    try:
        return parse_count(value, "--count")
    except XlContactsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _fetch(args: argparse.Namespace) -> ContactTable:
    if args.demo:
        return fetch_contacts(args.count, demo=True)
    settings = load_settings(api_url=args.api_url, id_instance=args.id_instance)
    _status(f"fetching contacts of instance {settings.id_instance}…")
    return fetch_contacts(args.count, settings=settings)


def _contacts(args: argparse.Namespace) -> int:
    table = _fetch(args)
    write: Callable[[ContactTable, TextIO], None] = {
        "table": _write_table,
        "csv": _write_csv,
        "json": _write_json,
    }[args.format]
    write(table, sys.stdout)
    if not table.rows:
        _status(EMPTY_HINT)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .report import write_report  # openpyxl only loads when a report is written

    table = _fetch(args)
    if not table.rows:
        _status(EMPTY_HINT)
    path = write_report(table, args.output, progress=_progress)
    print(f"saved {len(table)} contacts to {path}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from .template.build import build_template

    path = build_template(args.output)
    print(f"built {path}")
    return 0


def _write_table(table: ContactTable, out: TextIO) -> None:
    shown = [[for_terminal(v)[:TERMINAL_COLUMN_WIDTH] for v in row] for row in table.rows]
    headers = [for_terminal(h) for h in table.columns]
    widths = [max([len(h), *(len(row[i]) for row in shown)]) for i, h in enumerate(headers)]
    for row in [headers, ["-" * w for w in widths], *shown]:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def _write_csv(table: ContactTable, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([for_csv(h) for h in table.columns])
    writer.writerows([for_csv(v) for v in row] for row in table.rows)


def _write_json(table: ContactTable, out: TextIO) -> None:
    json.dump(table.records(), out, ensure_ascii=False, indent=2)
    out.write("\n")


def _status(message: str) -> None:
    print(message, file=sys.stderr)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        end = "\n" if done == total else ""
        print(f"\rwriting contacts: {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)


def _fail(message: str) -> None:
    print(f"{PROG}: error: {redact_known(message)}", file=sys.stderr)
