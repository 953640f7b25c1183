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
from typing import TYPE_CHECKING, Any, TextIO

from ._version import __version__
from .base import i18n
from .base.cells import for_terminal
from .base.errors import ConfigError, ReportError, XlContactsError, user_message
from .base.names import (
    DEFAULT_API_URL,
    DEFAULT_PROFILE,
    ENV_API_TOKEN,
    ENV_FLAVOUR,
    ENV_PROFILE,
    FLAVOURS,
    PROG,
)
from .base.redaction import one_line_tracebacks
from .config.settings import (
    NO_PROFILES,
    Settings,
    chosen_profile,
    load_settings,
    validate_flavour,
)
from .domain.contacts import EMPTY_HINT, ContactTable, parse_count, plural
from .domain.kinds import KIND_HELP, KINDS

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .usecases.fetch import Target


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 with argparse's message
    verbose = args.verbose + args.verbose_here  # -v before or after the command
    if verbose:
        # -v: this program's story (settings, requests, what was written); -vv adds
        # every HTTP library line. One line per event, tracebacks included.
        one_line_tracebacks()
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
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
        "build the Excel template. WhatsApp, Telegram and MAX instances, one or several.",
        epilog="Credentials come from `xl-contacts login` (one profile per instance) or from "
        "GREENAPI_API_URL, GREENAPI_ID_INSTANCE and GREENAPI_API_TOKEN_INSTANCE. "
        "Try `contacts --demo` and `export --demo` first: no credentials, no network.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help=VERBOSE_HELP)
    # Every command also takes -v after its name (`xl-contacts contacts -v`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", dest="verbose_here", action="count", default=0, help=VERBOSE_HELP
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=description, parents=[common])

    contacts = command(
        "contacts",
        "print the contact list",
        "Print the contacts of one instance, or of several with an instance column, as an "
        "aligned table, CSV (with the UTF-8 signature Excel needs) or JSON.",
    )
    _fetch_options(contacts, several=True)
    contacts.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table)",
    )
    contacts.set_defaults(run=_contacts)

    export = command(
        "export",
        "save a report workbook (.xlsx)",
        "Save the contacts as a report workbook: a Contacts table and a Summary sheet "
        "(counts by type, kind and instance). Several profiles make one report whose first "
        "column says which instance each contact belongs to.",
    )
    _fetch_options(export, several=True)
    _output_option(export, ".xlsx")
    export.add_argument(
        "--force", action="store_true", help="replace FILE even if it is not a report of ours"
    )
    export.add_argument(
        "--since",
        metavar="PREVIOUS",
        help="a previous report of the same instance(s): adds a Changes sheet (added, "
        "removed, changed contacts)",
    )
    export.set_defaults(run=_export)

    template = command(
        "template",
        "build the macro-enabled Excel template (.xlsm)",
        "Build workbook_template.xlsm: the Contacts ribbon tab, =GETCONTACTS() "
        "and the xlwings settings. The build is byte-for-byte reproducible.",
    )
    _output_option(template, ".xlsm")
    template.add_argument("--force", action="store_true", help="overwrite an existing file")
    template.set_defaults(run=_template)

    lite = command(
        "lite",
        "write main.py and requirements.txt for xlwings Lite (Excel for Mac and on the web)",
        "Write the two files xlwings Lite needs for =GETCONTACTS in Excel on the web, for "
        "Mac and for Windows: paste main.py and the requirements.txt line into Lite's tabs "
        "(README: Excel for Mac and on the web). Existing files are replaced.",
    )
    lite.add_argument("-o", "--output", required=True, metavar="FOLDER", help="the folder")
    lite.set_defaults(run=_lite)

    login = command(
        "login",
        "check and store the credentials (token in the OS credential store)",
        "Ask for apiUrl, idInstance and the token (hidden input; piped input works too), "
        "check them against GREEN-API, then store the token in the operating system's "
        "credential store and the rest as a profile in a per-user settings file. One "
        "profile per instance: --profile NAME (default: 'default').",
    )
    login.add_argument("--api-url", help="apiUrl (asked for when left out)")
    login.add_argument("--id-instance", help="idInstance (asked for when left out)")
    login.add_argument("--profile", metavar="NAME", help="store as this profile (default: default)")
    _flavour_option(login)
    login.set_defaults(run=_login)

    logout = command(
        "logout",
        "remove stored credentials",
        "Remove one stored profile (default: the current one) and its token from the "
        "credential store, or every profile and token with --all.",
    )
    which = logout.add_mutually_exclusive_group()
    which.add_argument("--profile", metavar="NAME", help="the profile to remove")
    which.add_argument("--all", action="store_true", help="remove every profile and token")
    logout.set_defaults(run=_logout)

    profiles = command(
        "profiles",
        "list the stored profiles",
        "List the profiles stored by `xl-contacts login`: name, flavour, idInstance, apiUrl "
        "and the last four characters of the token (never more).",
    )
    profiles.set_defaults(run=_profiles)

    doctor = command(
        "doctor",
        "check every link from credentials to Excel",
        "Check the credentials, GREEN-API, xlwings, a workbook's VBA and Excel, and say how "
        "to fix what is broken. Checks one profile, an instance, or every profile.",
    )
    doctor.add_argument("--workbook", metavar="FILE", help="also check this workbook's VBA")
    target = doctor.add_mutually_exclusive_group()
    target.add_argument("--profile", metavar="NAME", help="check this stored profile")
    target.add_argument("--all-profiles", action="store_true", help="check every profile")
    doctor.add_argument("--api-url", help="apiUrl (default: $GREENAPI_API_URL)")
    doctor.add_argument("--id-instance", help="idInstance (default: $GREENAPI_ID_INSTANCE)")
    doctor.set_defaults(run=_doctor)

    workbook = command(
        "workbook",
        "a personal copy of the template for this machine",
        "Write the template with xlwings.conf pointing at this Python "
        "interpreter, so that the first open just works.",
    )
    _output_option(workbook, ".xlsm")
    workbook.add_argument("--force", action="store_true", help="overwrite an existing file")
    workbook.set_defaults(run=_personal_copy)
    return parser


VERBOSE_HELP = "log what happens on stderr (-vv: every HTTP request; the token is always hidden)"


def _output_option(parser: argparse.ArgumentParser, suffix: str) -> None:
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help=f"the {suffix} file to write"
    )


def _flavour_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flavour",
        choices=(*FLAVOURS, "auto"),
        help=f"the instance's messenger (default: ${ENV_FLAVOUR}, the stored one, or found "
        "out from the answers)",
    )


def _fetch_options(parser: argparse.ArgumentParser, *, several: bool) -> None:
    parser.add_argument(
        "--count",
        type=_count_argument,
        metavar="N",
        help="at most N contacts of the kind (default: all)",
    )
    parser.add_argument(
        "--only",
        choices=KINDS,
        default="all",
        metavar="KIND",
        help="which contacts: " + "; ".join(f"{k}: {h}" for k, h in KIND_HELP.items()),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use built-in sample contacts: no credentials, no network (profiles: "
        "demo-telegram, demo-whatsapp)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        action="append",
        help=f"a profile stored by `login --profile NAME` (default: ${ENV_PROFILE}); "
        "repeat it for several instances in one list",
    )
    parser.add_argument(
        "--all-profiles", action="store_true", help="every stored profile, in one list"
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="with several profiles: keep the instances that answered when one fails",
    )
    _flavour_option(parser)
    parser.add_argument("--api-url", help="apiUrl (default: $GREENAPI_API_URL)")
    parser.add_argument("--id-instance", help="idInstance (default: $GREENAPI_ID_INSTANCE)")
    # Deliberately no --token: command lines end up in shell history and `ps`.


def _count_argument(value: str) -> int | None:
    """--count's value (argparse names the option in its message: ours does not)."""
    if not value.strip():  # `--count ""`, `--count=$UNSET`: surely a mistake, not "all"
        raise argparse.ArgumentTypeError(
            "the count is empty — give a whole number of 1 or more, or leave the option "
            "out for all contacts"
        )
    try:
        return parse_count(value, "the count")
    except XlContactsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _several(args: argparse.Namespace) -> bool:
    """Whether the command covers several instances (one list with an instance column);
    options that only make sense with one, or with several, are refused or noted here."""
    several = args.all_profiles or len(args.profile or []) > 1
    if several and (args.api_url or args.id_instance):
        raise ConfigError(
            "--api-url and --id-instance name one instance: use them without --profile"
        )
    if args.keep_going and not several:  # a script's flag, kept; but no silent no-op
        _status(
            "note: --keep-going applies to several profiles; "
            "with one instance an error ends the command"
        )
    return several


def _targets(args: argparse.Namespace) -> list[Target]:
    from .usecases.multi_export import targets

    return targets(
        args.profile or (),
        all_profiles=args.all_profiles,
        demo=args.demo,
        flavour=validate_flavour(args.flavour, "--flavour"),
    )


def _settings(args: argparse.Namespace) -> Settings | None:
    """The credentials to fetch with; None for --demo (which needs none)."""
    if args.demo:
        log.info("settings: none, the built-in sample contacts (--demo): no network")
        return None
    settings = load_settings(
        api_url=args.api_url,
        id_instance=args.id_instance,
        profile=(args.profile or [None])[0],
        flavour=validate_flavour(args.flavour, "--flavour"),
    )
    log.info("settings: %s", settings.describe())
    return settings


def _log_targets(chosen: Sequence[Target]) -> None:
    for target in chosen:
        s = target.settings
        log.info("settings of %s: %s", target.label, s.describe() if s else "built-in demo")


def _one_target(args: argparse.Namespace) -> Target:
    """The one instance of the command: its credentials, or (--demo) a demo one."""
    from .usecases.fetch import one_target  # requests: not needed for --help or a usage error

    return one_target(_settings(args), (args.profile or [None])[0])


def _fetch(args: argparse.Namespace) -> ContactTable:
    from .usecases.fetch import describe_fetch, fetch_target

    target = _one_target(args)
    if not target.demo:
        _fetching(describe_fetch(args.count, args.only, [target]))
    table = fetch_target(target, args.count, args.only)
    _report(table.notes(), len(table), table.kind)
    return table


def _fetch_several(args: argparse.Namespace) -> tuple[ContactTable, int]:
    """The combined table of several profiles and how many of them failed."""
    from .usecases.fetch import describe_fetch
    from .usecases.multi_export import fetch_many

    chosen = _targets(args)  # every profile resolved before any request
    _fetching(describe_fetch(args.count, args.only, chosen, several=True))
    _log_targets(chosen)
    many = fetch_many(chosen, args.count, args.only, keep_going=args.keep_going)
    table = many.table
    _report(table.notes(), len(table), table.kind, many.failures)
    return table, len(many.failures)


def _fetching(what: str) -> None:
    """The line saying what is being fetched (``describe_fetch``: the one wording)."""
    _status(f"fetching {what}…")


def _report(
    notes: Sequence[str], contacts: int, kind: str, failures: Sequence[Exception] = ()
) -> None:
    """What a person should know about a fetched list: the instances left out
    after an error, its notes, and why it is empty."""
    log.info("fetched %s (kind: %s)", plural(contacts, "contact"), kind)
    for failed in failures:
        _status(f"left out after an error: {failed}")
    for note in notes:
        _status(f"note: {note}")
    if not contacts:
        _status(EMPTY_HINT if kind == "all" else f"no {kind} contacts found")


def _contacts(args: argparse.Namespace) -> int:
    from .sinks.text_output import WRITERS, prepare_stream

    failed = 0
    if _several(args):
        table, failed = _fetch_several(args)
    else:
        table = _fetch(args)
    prepare_stream(sys.stdout, args.format)
    WRITERS[args.format](table, sys.stdout)
    log.info("wrote %s as %s to standard output", plural(len(table), "row"), args.format)
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    from .usecases.export import ExportRequest, export  # not needed to print contacts

    several = _several(args)
    chosen = _targets(args) if several else [_one_target(args)]
    if several:
        _log_targets(chosen)
    result = export(
        ExportRequest(
            args.output,
            chosen,
            several=several,
            kind=args.only,
            count=args.count,
            since=args.since,
            force=args.force,
            keep_going=args.keep_going,
            fetching=_fetching,
            progress=_progress,
        )
    )
    _report(result.notes, result.contacts, result.kind, result.failures)
    log.info("wrote %s (%s bytes)", result.path.resolve(), f"{result.path.stat().st_size:,}")
    _say(f"saved {result.what()} to {result.path}")
    if compared := result.compared():
        _say(compared)
    return 1 if result.failures else 0


def _template(args: argparse.Namespace) -> int:
    from .usecases.template.build import build_template

    path = build_template(_new_file(args.output, ".xlsm", "template", args.force))
    _say(f"built {path}")
    return 0


def _lite(args: argparse.Namespace) -> int:
    from .usecases.lite_files import write_lite_files

    for path in write_lite_files(args.output):
        _say(f"wrote {path}")
    return 0


def _new_file(path: str, suffix: str, what: str, force: bool) -> Path:
    """The output path, checked; an existing file is replaced only with --force."""
    from .sinks.atomic import output_path  # not needed to print contacts

    target = output_path(path, suffix, what)
    if target.exists() and not force:
        raise ReportError(f"{str(target)!r} exists — choose another name or add --force")
    return target


def _login(args: argparse.Namespace) -> int:
    from .config import credentials
    from .usecases.profiles import login

    store = credentials.require_store()  # before asking anything: nowhere to keep a token
    name = chosen_profile(args.profile) or DEFAULT_PROFILE
    flavour = validate_flavour(args.flavour, "--flavour")
    try:
        api_url, id_instance, token = _ask_credentials(args)
    except (EOFError, KeyboardInterrupt):  # Ctrl-D / Ctrl-C at a prompt: the user said no
        print(file=sys.stderr)
        _status("login cancelled — nothing was stored")
        return 130
    done = login(api_url, id_instance, token, profile=name, flavour=flavour, store=store)
    _say(done.summary)
    for note in done.notes:
        _status(note)
    return 0


def _ask_credentials(args: argparse.Namespace) -> tuple[str, str, str]:
    """apiUrl, idInstance and token from the options, the prompts or a pipe.

    Messages here never say "run xl-contacts login": the user is running it."""
    interactive = sys.stdin.isatty()
    api_url = args.api_url or (_ask(f"apiUrl [{DEFAULT_API_URL}]: ") if interactive else "")
    id_instance = args.id_instance or (_ask("idInstance: ") if interactive else "")
    if not interactive and not id_instance:
        raise ConfigError("with the token piped in, give the instance too: --id-instance N")
    if not id_instance.strip():
        raise ConfigError("no idInstance given — copy it from the GREEN-API console")
    if interactive:
        token = getpass.getpass("apiTokenInstance (hidden): ")
    else:
        token = sys.stdin.readline()
    if not token.strip():
        raise ConfigError(
            "no apiTokenInstance given — copy it from the GREEN-API console "
            f"(for scripts: pipe it in, or set {ENV_API_TOKEN})"
        )
    return api_url, id_instance, token


def _ask(prompt: str) -> str:
    return input(prompt).strip()


def _logout(args: argparse.Namespace) -> int:
    from .config import credentials

    stored = credentials.read_profiles()
    if args.all or not stored:
        removed = credentials.forget()
    else:
        name = chosen_profile(args.profile) or DEFAULT_PROFILE
        if name not in stored:
            raise ConfigError(
                f"no profile {name!r} is stored (stored: {', '.join(sorted(stored))}) — "
                "`xl-contacts logout --all` removes every one"
            )
        removed = credentials.forget(name)
    _say("removed " + "; ".join(removed) if removed else "nothing was stored")
    remaining = sorted(credentials.read_profiles())
    if remaining:
        _status(f"still stored: {', '.join(remaining)} (`xl-contacts logout --all` removes them)")
    return 0


def _profiles(args: argparse.Namespace) -> int:
    from .usecases.profiles import LISTING_HEADERS, listing

    rows = listing()
    if not rows:
        print(NO_PROFILES)
        return 0
    cells = [[for_terminal(v) for v in row] for row in [list(LISTING_HEADERS), *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    _status(f"* = used when no profile is named (${ENV_PROFILE}, else {DEFAULT_PROFILE})")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .config import credentials
    from .usecases.doctor import FAIL, run_checks

    if args.profile and (args.api_url or args.id_instance):
        raise ConfigError("--profile names an instance: leave out --api-url and --id-instance")
    names: list[str | None] = [args.profile]
    if args.all_profiles:
        names = list(sorted(credentials.read_profiles()))  # none: doctor says so
    checks = run_checks(
        Path(args.workbook) if args.workbook else None,
        profiles=names,
        api_url=args.api_url,
        id_instance=args.id_instance,
    )
    width = max(len(c.name) for c in checks)
    for check in checks:
        # A detail may repeat what a server said (a state, a content type).
        print(f"{check.status:<5} {check.name:<{width}}  {for_terminal(check.detail)}")
    broken = [c for c in checks if c.status == FAIL]
    if broken:
        _status(f"{plural(len(broken), 'problem')} found")
        return 1
    return 0


def _personal_copy(args: argparse.Namespace) -> int:
    from .usecases.template.build import build_template, personal_conf

    target = _new_file(args.output, ".xlsm", "workbook", args.force)
    # The copy speaks the language this command speaks (--lang, XL_CONTACTS_LANG, the OS's).
    language = i18n.current()
    conf, key = personal_conf(sys.platform, sys.executable, language)
    path = build_template(target, conf=conf, language=language)
    if key is None:
        _say(f"built {path} (no interpreter: no desktop Excel runs on this OS)")
        _status(
            "note: for Excel on Windows or macOS, run `xl-contacts workbook -o FILE` on that "
            "computer (it writes that Python's path), or add Interpreter_Win there by hand"
        )
    else:
        _say(f"built {path} ({key}: {sys.executable})")
    return 0


def _say(message: str) -> None:
    """A line of the command's result on standard output: file and store names
    can hold anything (a name with an escape sequence retitles the terminal)."""
    print(for_terminal(message))


def _status(message: str) -> None:
    print(for_terminal(message), file=sys.stderr)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        end = "\n" if done == total else ""
        print(f"\rwriting contacts: {done:,}/{total:,}", end=end, file=sys.stderr, flush=True)


def _fail(message: str) -> None:
    # One line, whatever a server or a file name put into the message.
    print(f"{PROG}: error: {for_terminal(message)}", file=sys.stderr)
