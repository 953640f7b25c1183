"""The ``xl-contacts`` command: a thin shell over the library.

Exit codes: 0 ok, 1 GREEN-API or network failure, 2 usage or configuration
error. Errors are one line on stderr, never a traceback, never the token.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ._version import __version__
from .atomic import output_path
from .cells import for_terminal
from .contacts import EMPTY_HINT, ContactTable, parse_count
from .demo import DEMO_INSTANCE_ID
from .errors import ConfigError, ReportError, XlContactsError, user_message
from .fetch import fetch_contacts
from .names import DEFAULT_API_URL, ENV_API_TOKEN, ENV_ID_INSTANCE, PROG
from .settings import Settings, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 with argparse's message
    if args.verbose:
        logging.basicConfig(
            level=logging.DEBUG if args.verbose > 1 else logging.INFO,
            format="%(name)s: %(message)s",
        )
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        _fail("standard output is closed — redirect it to a file or to /dev/null instead")
        return 1
    out = sys.stdout = _WatchedOutput(sys.stdout)
    try:
        return _run(args, out)
    finally:
        sys.stdout = out.stream


def _run(args: argparse.Namespace, out: _WatchedOutput) -> int:
    try:
        code: int = args.run(args)
        out.flush()  # a full disk shows here, not as a traceback at exit
        return code
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:  # `xl-contacts contacts | head`: the reader had enough
        _silence_stdout()
        return 0
    except Exception as error:  # ours or a bug: one line, never a traceback, never the token
        if out.failed and isinstance(error, OSError):  # `>/dev/full`, a vanished disk
            _silence_stdout()
            _fail(f"cannot write the output: {error.strerror or error}")
            return 1
        _fail(user_message(error))
        return error.exit_code if isinstance(error, XlContactsError) else 1


class _WatchedOutput:
    """Standard output that remembers whether writing to it failed, so that a
    full disk is told apart from any other OSError."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failed = False

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError:
            self.failed = True
            raise

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            self.failed = True
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's own
    flush at exit does not fail a second time."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (e.g. captured): nothing to point
        pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="GREEN-API contact lists for Excel: look at them, save report workbooks, "
        "build the Excel template.",
        epilog="Credentials come from GREENAPI_API_URL, GREENAPI_ID_INSTANCE and "
        "GREENAPI_API_TOKEN_INSTANCE. Try any command with --demo first.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what happens on stderr (-vv: every HTTP request; the token is always hidden)",
    )
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
    _output_option(export, ".xlsx")
    export.add_argument(
        "--force", action="store_true", help="replace FILE even if it is not a report of ours"
    )
    export.add_argument(
        "--since",
        metavar="PREVIOUS",
        help="a previous report of the same instance: adds a Changes sheet (added, removed, "
        "changed contacts)",
    )
    export.set_defaults(run=_export)

    template = commands.add_parser(
        "template",
        help="build the macro-enabled Excel template (.xlsm)",
        description="Build workbook_template.xlsm: the Contacts ribbon tab, =GETCONTACTS() "
        "and the xlwings settings. The build is byte-for-byte reproducible.",
    )
    _output_option(template, ".xlsm")
    template.add_argument("--force", action="store_true", help="overwrite an existing file")
    template.set_defaults(run=_template)

    login = commands.add_parser(
        "login",
        help="check and store the credentials (token in the OS credential store)",
        description="Ask for apiUrl, idInstance and the token (hidden input; piped input "
        "works too), check them against GREEN-API, then store the token in the operating "
        "system's credential store and the rest in a per-user settings file.",
    )
    login.add_argument("--api-url", help="apiUrl (asked for when left out)")
    login.add_argument("--id-instance", help="idInstance (asked for when left out)")
    login.set_defaults(run=_login)

    logout = commands.add_parser("logout", help="remove the stored credentials")
    logout.set_defaults(run=_logout)

    doctor = commands.add_parser("doctor", help="check every link from credentials to Excel")
    doctor.add_argument("--workbook", metavar="FILE", help="also check this workbook's VBA")
    doctor.set_defaults(run=_doctor)

    workbook = commands.add_parser(
        "workbook",
        help="a personal copy of the template for this machine",
        description="Write the template with xlwings.conf pointing at this Python "
        "interpreter, so that the first open just works.",
    )
    _output_option(workbook, ".xlsm")
    workbook.add_argument("--force", action="store_true", help="overwrite an existing file")
    workbook.set_defaults(run=_personal_copy)
    return parser


def _output_option(parser: argparse.ArgumentParser, suffix: str) -> None:
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help=f"the {suffix} file to write"
    )


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


def _settings(args: argparse.Namespace) -> Settings | None:
    """The credentials to fetch with; None for --demo (which needs none)."""
    if args.demo:
        return None
    return load_settings(api_url=args.api_url, id_instance=args.id_instance)


def _fetch(args: argparse.Namespace, settings: Settings | None) -> ContactTable:
    if settings is None:
        return fetch_contacts(args.count, demo=True)
    _status(f"fetching contacts of instance {settings.id_instance}…")
    table = fetch_contacts(args.count, settings=settings)
    if table.left_out:
        _status(f"note: {table.left_out_note()}")
    return table


def _contacts(args: argparse.Namespace) -> int:
    from .text_output import WRITERS, prepare_stream

    table = _fetch(args, _settings(args))
    prepare_stream(sys.stdout, args.format)
    WRITERS[args.format](table, sys.stdout)
    if not table.rows:
        _status(EMPTY_HINT)
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_report  # openpyxl only when exporting
    from .previous_report import is_report, read_previous

    # Every argument and path is checked before the network: a wrong one costs no request.
    target = output_path(args.output, ".xlsx", "report")
    if target.exists() and not args.force and not is_report(target):
        raise ReportError(
            f"{str(target)!r} exists and is not a report of xl-contacts — choose another "
            "name, or add --force to replace it"
        )
    settings = _settings(args)
    previous = None
    if args.since:
        instance = settings.id_instance if settings else DEMO_INSTANCE_ID
        previous = read_previous(args.since, instance)
    table = _fetch(args, settings)
    if not table.rows:
        _status(EMPTY_HINT)
    result = export_report(table, target, previous, progress=_progress)
    print(f"saved {len(table):,} contacts to {result.path}")
    if result.changes and result.previous:
        print(f"since {result.previous.path.name}: {result.changes.describe()}")
    return 0


def _template(args: argparse.Namespace) -> int:
    from .template.build import build_template

    path = build_template(_new_file(args.output, ".xlsm", "template", args.force))
    print(f"built {path}")
    return 0


def _new_file(path: str, suffix: str, what: str, force: bool) -> Path:
    """The output path, checked; an existing file is replaced only with --force."""
    target = output_path(path, suffix, what)
    if target.exists() and not force:
        raise ReportError(f"{str(target)!r} exists — choose another name or add --force")
    return target


def _login(args: argparse.Namespace) -> int:
    from . import credentials
    from .client import GreenApiClient

    interactive = sys.stdin.isatty()
    api_url = args.api_url or (_ask(f"apiUrl [{DEFAULT_API_URL}]: ") if interactive else "")
    id_instance = args.id_instance or (_ask("idInstance: ") if interactive else "")
    if interactive:
        token = getpass.getpass("apiTokenInstance (hidden): ")
    elif not id_instance:
        raise ConfigError("with the token piped in, give the instance too: --id-instance N")
    else:
        token = sys.stdin.readline()
    settings = load_settings(
        api_url or DEFAULT_API_URL, id_instance, token, env={}, use_stored=False
    )
    store = credentials.require_store()  # before any request: nothing to store it in
    with GreenApiClient(settings, retries=1, budget=20) as client:
        state = client.get_state()  # a wrong token or instance stops here: nothing stored
    path = credentials.save(settings.api_url, settings.id_instance, settings.api_token)
    print(
        f"saved: instance {settings.id_instance} at {settings.host}, token "
        f"{settings.token_hint} in {store}; settings in {path}"
    )
    if state != "authorized":
        _status(
            f"note: the instance is {state!r}, not 'authorized' — authorise it in the "
            "GREEN-API console (scan the QR code)"
        )
    overriding = [n for n in (ENV_ID_INSTANCE, ENV_API_TOKEN) if os.environ.get(n)]
    if overriding:
        _status(
            f"note: {', '.join(overriding)} set in the environment still win over "
            "the stored settings"
        )
    return 0


def _ask(prompt: str) -> str:
    return input(prompt).strip()


def _logout(args: argparse.Namespace) -> int:
    from . import credentials

    removed = credentials.forget()
    print("removed " + "; ".join(removed) if removed else "nothing was stored")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import FAIL, run_checks

    checks = run_checks(Path(args.workbook) if args.workbook else None)
    width = max(len(c.name) for c in checks)
    for check in checks:
        # A detail may repeat what a server said (a state, a content type).
        print(f"{check.status:<5} {check.name:<{width}}  {for_terminal(check.detail)}")
    broken = [c for c in checks if c.status == FAIL]
    if broken:
        _status(f"{len(broken)} problem(s) found")
        return 1
    return 0


def _personal_copy(args: argparse.Namespace) -> int:
    from .template.build import DEFAULT_CONF, build_template

    target = _new_file(args.output, ".xlsm", "workbook", args.force)
    key = "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"
    path = build_template(target, conf=(*DEFAULT_CONF, (key, sys.executable)))
    print(f"built {path} (Python: {sys.executable})")
    return 0


def _status(message: str) -> None:
    print(for_terminal(message), file=sys.stderr)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        end = "\n" if done == total else ""
        print(f"\rwriting contacts: {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)


def _fail(message: str) -> None:
    # One line, whatever a server or a file name put into the message.
    print(f"{PROG}: error: {for_terminal(message)}", file=sys.stderr)
