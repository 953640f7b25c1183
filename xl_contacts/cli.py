"""The ``xl-contacts`` command: a thin shell over the library.

Exit codes: 0 ok, 1 GREEN-API or network failure, 2 usage or configuration
error. Errors are one line on stderr, never a traceback, never the token.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import cli_parser
from .base import i18n
from .base.cells import for_terminal
from .base.errors import ConfigError, ReportError, XlContactsError, user_message
from .base.i18n import _
from .base.names import (
    DEFAULT_API_URL,
    DEFAULT_PROFILE,
    ENV_API_TOKEN,
    ENV_PROFILE,
)
from .base.redaction import one_line_tracebacks
from .cli_output import WatchedOutput, fail, progress, say, silence_stdout, status
from .config.settings import (
    NO_PROFILES,
    Settings,
    chosen_profile,
    load_settings,
    validate_flavour,
)
from .domain.contacts import EMPTY_HINT
from .domain.table import ContactTable

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .usecases.fetch import Target


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        cli_parser.choose_language(argv)  # before the parser: its help is in it
    except ValueError as error:
        fail(str(error))
        return 2
    args = build_parser().parse_args(argv)  # usage errors exit 2 with argparse's message
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
        fail(_("standard output is closed — redirect it to a file or to /dev/null instead"))
        return 1
    out = sys.stdout = WatchedOutput(sys.stdout)
    try:
        return _run(args, out)
    finally:
        sys.stdout = out.stream


def _run(args: argparse.Namespace, out: WatchedOutput) -> int:
    try:
        code: int = args.run(args)
        out.flush()  # a full disk shows here, not as a traceback at exit
        return code
    except KeyboardInterrupt:
        fail(_("interrupted"))
        return 130
    except BrokenPipeError:  # `xl-contacts contacts | head`: the reader had enough
        silence_stdout()
        return 0
    except Exception as error:  # ours or a bug: one line, never a traceback, never the token
        if out.failed and isinstance(error, OSError):  # `>/dev/full`, a vanished disk
            silence_stdout()
            fail(_("cannot write the output: {reason}").format(reason=error.strerror or error))
            return 1
        fail(user_message(error))
        return error.exit_code if isinstance(error, XlContactsError) else 1


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, in the current language (cli_parser.py)."""
    return cli_parser.build_parser(HANDLERS)


def _several(args: argparse.Namespace) -> bool:
    """Whether the command covers several instances (one list with an instance column);
    options that only make sense with one, or with several, are refused or noted here."""
    several = args.all_profiles or len(args.profile or []) > 1
    if several and (args.api_url or args.id_instance):
        raise ConfigError(
            _("--api-url and --id-instance name one instance: use them without --profile")
        )
    if args.keep_going and not several:  # a script's flag, kept; but no silent no-op
        status(
            _(
                "note: --keep-going applies to several profiles; "
                "with one instance an error ends the command"
            )
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
    status(_("fetching {what}…").format(what=what))


def _report(
    notes: Sequence[str], contacts: int, kind: str, failures: Sequence[Exception] = ()
) -> None:
    """What a person should know about a fetched list: the instances left out
    after an error, its notes, and why it is empty."""
    log.info("fetched %s contacts (kind: %s)", contacts, kind)
    for failed in failures:
        status(_("left out after an error: {error}").format(error=user_message(failed)))
    for note in notes:
        status(_("note: {note}").format(note=note))
    if not contacts:
        status(_(EMPTY_HINT) if kind == "all" else _("no {kind} contacts found").format(kind=kind))


def _contacts(args: argparse.Namespace) -> int:
    from .sinks.text_output import WRITERS, prepare_stream

    failed = 0
    if _several(args):
        table, failed = _fetch_several(args)
    else:
        table = _fetch(args)
    prepare_stream(sys.stdout, args.format)
    WRITERS[args.format](table, sys.stdout)
    log.info("wrote %s rows as %s to standard output", len(table), args.format)
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
            progress=progress,
        )
    )
    _report(result.notes, result.contacts, result.kind, result.failures)
    log.info("wrote %s (%s bytes)", result.path.resolve(), f"{result.path.stat().st_size:,}")
    say(_("saved {what} to {path}").format(what=result.what(), path=result.path))
    if compared := result.compared():
        say(compared)
    return 1 if result.failures else 0


def _template(args: argparse.Namespace) -> int:
    from .usecases.template.build import build_template

    path = build_template(_new_file(args.output, ".xlsm", "template", args.force))
    say(_("built {path}").format(path=path))
    return 0


def _lite(args: argparse.Namespace) -> int:
    from .usecases.lite_files import write_lite_files

    for path in write_lite_files(args.output):
        say(_("wrote {path}").format(path=path))
    return 0


def _new_file(path: str, suffix: str, what: str, force: bool) -> Path:
    """The output path, checked; an existing file is replaced only with --force."""
    from .sinks.atomic import output_path  # not needed to print contacts

    target = output_path(path, suffix, what)
    if target.exists() and not force:
        raise ReportError(
            _("{path!r} exists — choose another name or add --force").format(path=str(target))
        )
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
        status(_("login cancelled — nothing was stored"))
        return 130
    done = login(api_url, id_instance, token, profile=name, flavour=flavour, store=store)
    say(done.summary)
    for note in done.notes:
        status(note)
    return 0


def _ask_credentials(args: argparse.Namespace) -> tuple[str, str, str]:
    """apiUrl, idInstance and token from the options, the prompts or a pipe.

    Messages here never say "run xl-contacts login": the user is running it."""
    interactive = sys.stdin.isatty()
    api_url = args.api_url or (_ask(f"apiUrl [{DEFAULT_API_URL}]: ") if interactive else "")
    id_instance = args.id_instance or (_ask("idInstance: ") if interactive else "")
    if not interactive and not id_instance:
        raise ConfigError(_("with the token piped in, give the instance too: --id-instance N"))
    if not id_instance.strip():
        raise ConfigError(_("no idInstance given — copy it from the GREEN-API console"))
    if interactive:
        token = getpass.getpass(_("apiTokenInstance (hidden): "))
    else:
        token = sys.stdin.readline()
    if not token.strip():
        raise ConfigError(
            _(
                "no apiTokenInstance given — copy it from the GREEN-API console "
                "(for scripts: pipe it in, or set {env})"
            ).format(env=ENV_API_TOKEN)
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
                _(
                    "no profile {name!r} is stored (stored: {stored}) — "
                    "`xl-contacts logout --all` removes every one"
                ).format(name=name, stored=", ".join(sorted(stored)))
            )
        removed = credentials.forget(name)
    if removed:
        say(_("removed {what}").format(what="; ".join(removed)))
    else:
        say(_("nothing was stored"))
    remaining = sorted(credentials.read_profiles())
    if remaining:
        status(
            _("still stored: {names} (`xl-contacts logout --all` removes them)").format(
                names=", ".join(remaining)
            )
        )
    return 0


def _profiles(args: argparse.Namespace) -> int:
    from .usecases.profiles import LISTING_HEADERS, listing

    rows = listing()
    if not rows:
        print(_(NO_PROFILES))
        return 0
    headers = [_(h) if h else h for h in LISTING_HEADERS]
    cells = [[for_terminal(v) for v in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    status(
        _("* = used when no profile is named (${env}, else {default})").format(
            env=ENV_PROFILE, default=DEFAULT_PROFILE
        )
    )
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .config import credentials
    from .usecases.doctor import problems_found, report_lines, run_checks

    if args.profile and (args.api_url or args.id_instance):
        raise ConfigError(_("--profile names an instance: leave out --api-url and --id-instance"))
    names: list[str | None] = [args.profile]
    if args.all_profiles:
        names = list(sorted(credentials.read_profiles()))  # none: doctor says so
    checks = run_checks(
        Path(args.workbook) if args.workbook else None,
        profiles=names,
        api_url=args.api_url,
        id_instance=args.id_instance,
    )
    for line in report_lines(checks):
        print(line)
    if summary := problems_found(checks):
        status(summary)
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
        say(_("built {path} (no interpreter: no desktop Excel runs on this OS)").format(path=path))
        status(
            _(
                "note: for Excel on Windows or macOS, run `xl-contacts workbook -o FILE` on that "
                "computer (it writes that Python's path), or add Interpreter_Win there by hand"
            )
        )
    else:
        say(
            _("built {path} ({key}: {interpreter})").format(
                path=path, key=key, interpreter=sys.executable
            )
        )
    return 0


# What each command runs (the parser and its help: cli_parser.py).
HANDLERS = {
    "contacts": _contacts,
    "export": _export,
    "template": _template,
    "lite": _lite,
    "workbook": _personal_copy,
    "login": _login,
    "logout": _logout,
    "profiles": _profiles,
    "doctor": _doctor,
}
