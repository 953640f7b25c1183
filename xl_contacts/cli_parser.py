"""The ``xl-contacts`` command line: its language, its options and their help.

The language is chosen before the parser is built, since every help text is
translated when it is added: ``--lang`` (before or after the command name, so
it is read from the raw arguments), then XL_CONTACTS_LANG, then the operating
system's language, then English (``i18n.choose``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence

from ._version import __version__
from .base import i18n
from .base.errors import XlContactsError
from .base.i18n import N_, _
from .base.names import ENV_FLAVOUR, ENV_PROFILE, FLAVOURS, PROG
from .domain.contacts import parse_count
from .domain.kinds import KIND_HELP, KINDS

LANG_OPTION = "--lang"

# argparse's own words (usage, section titles, its errors) come from its gettext
# domain, which has no Russian catalog of ours: they are in our catalog instead,
# spelt exactly as argparse spells them, and argparse is given our lookup.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ignored explicit argument %r"),
)


def requested_language(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang X`` / ``--lang=X`` among the arguments
    (before ``--``), or None. Read before argparse: its help is built in it."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == LANG_OPTION:
            found = argv[i + 1] if i + 1 < len(argv) else None
        elif arg.startswith(LANG_OPTION + "="):
            found = arg.partition("=")[2]
    return found


def choose_language(argv: Sequence[str]) -> str:
    """The language of this run, made the process's; a ``--lang`` other than
    en or ru is a usage error (ValueError, with the one line to print)."""
    asked = requested_language(argv)
    unknown = asked is not None and asked.strip().lower() not in i18n.LANGUAGES
    # A --lang we do not speak is refused in the language the rest would choose.
    language = i18n.choose(None if unknown else asked)
    i18n.set_default(language)
    # argparse looks these two names up in its module when it speaks.
    argparse._ = i18n.translate  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
    if unknown:
        raise ValueError(
            _("unknown language {value!r} for --lang — choose one of: {choices}").format(
                value=asked, choices=", ".join(i18n.LANGUAGES)
            )
        )
    return language


def build_parser(
    handlers: Mapping[str, Callable[[argparse.Namespace], int]],
) -> argparse.ArgumentParser:
    """The parser, in the current language; each command runs ``handlers[name]``
    (``args.run``)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_(
            "GREEN-API contact lists for Excel: look at them, save report workbooks, "
            "build the Excel template. WhatsApp, Telegram and MAX instances, one or several."
        ),
        epilog=_(
            "Credentials come from `xl-contacts login` (one profile per instance) or from "
            "GREENAPI_API_URL, GREENAPI_ID_INSTANCE and GREENAPI_API_TOKEN_INSTANCE. "
            "Try `contacts --demo` and `export --demo` first: no credentials, no network."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"{PROG} {__version__}",
        # Python 3.11's argparse does not translate this default help.
        help=_("show program's version number and exit"),
    )
    _common_options(parser, "")
    # Every command also takes -v and --lang after its name (`xl-contacts contacts -v`).
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, "_here")
    commands = parser.add_subparsers(title=_("commands"), required=True, metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=description, parents=[common])
        sub.set_defaults(run=handlers[name])
        return sub

    contacts = command(
        "contacts",
        _("print the contact list"),
        _(
            "Print the contacts of one instance, or of several with an instance column, as an "
            "aligned table, CSV (with the UTF-8 signature Excel needs) or JSON."
        ),
    )
    _fetch_options(contacts)
    contacts.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help=_("output format (default: table)"),
    )
    _export_commands(command)
    _credential_commands(command)
    return parser


def _common_options(parser: argparse.ArgumentParser, suffix: str) -> None:
    parser.add_argument(
        "-v",
        "--verbose",
        dest="verbose" + suffix,
        action="count",
        default=0,
        help=_("log what happens on stderr (-vv: every HTTP request; the token is always hidden)"),
    )
    parser.add_argument(
        LANG_OPTION,
        dest="lang" + suffix,
        metavar="{" + ",".join(i18n.LANGUAGES) + "}",
        help=_(
            "the language of messages and help (default: ${env}, else the system's language)"
        ).format(env=i18n.ENV_LANG),
    )


def _export_commands(command: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = command(
        "export",
        _("save a report workbook (.xlsx)"),
        _(
            "Save the contacts as a report workbook: a Contacts table and a Summary sheet "
            "(counts by type, kind and instance). Several profiles make one report whose first "
            "column says which instance each contact belongs to."
        ),
    )
    _fetch_options(export)
    _output_option(export, ".xlsx")
    export.add_argument(
        "--force", action="store_true", help=_("replace FILE even if it is not a report of ours")
    )
    export.add_argument(
        "--since",
        metavar="PREVIOUS",
        help=_(
            "a previous report of the same instance(s): adds a Changes sheet (added, "
            "removed, changed contacts)"
        ),
    )

    template = command(
        "template",
        _("build the macro-enabled Excel template (.xlsm)"),
        _(
            "Build workbook_template.xlsm: the Contacts ribbon tab, =GETCONTACTS() "
            "and the xlwings settings. The build is byte-for-byte reproducible."
        ),
    )
    _output_option(template, ".xlsm")
    template.add_argument("--force", action="store_true", help=_("overwrite an existing file"))

    lite = command(
        "lite",
        _("write main.py and requirements.txt for xlwings Lite (Excel for Mac and on the web)"),
        _(
            "Write the two files xlwings Lite needs for =GETCONTACTS in Excel on the web, for "
            "Mac and for Windows: paste main.py and the requirements.txt line into Lite's tabs "
            "(README: Excel for Mac and on the web). Existing files are replaced."
        ),
    )
    lite.add_argument("-o", "--output", required=True, metavar="FOLDER", help=_("the folder"))

    workbook = command(
        "workbook",
        _("a personal copy of the template for this machine"),
        _(
            "Write the template with xlwings.conf pointing at this Python "
            "interpreter, so that the first open just works."
        ),
    )
    _output_option(workbook, ".xlsm")
    workbook.add_argument("--force", action="store_true", help=_("overwrite an existing file"))


def _credential_commands(command: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    login = command(
        "login",
        _("check and store the credentials (token in the OS credential store)"),
        _(
            "Ask for apiUrl, idInstance and the token (hidden input; piped input works too), "
            "check them against GREEN-API, then store the token in the operating system's "
            "credential store and the rest as a profile in a per-user settings file. One "
            "profile per instance: --profile NAME (default: 'default')."
        ),
    )
    login.add_argument("--api-url", help=_("apiUrl (asked for when left out)"))
    login.add_argument("--id-instance", help=_("idInstance (asked for when left out)"))
    login.add_argument(
        "--profile", metavar="NAME", help=_("store as this profile (default: default)")
    )
    _flavour_option(login)

    logout = command(
        "logout",
        _("remove stored credentials"),
        _(
            "Remove one stored profile (default: the current one) and its token from the "
            "credential store, or every profile and token with --all."
        ),
    )
    which = logout.add_mutually_exclusive_group()
    which.add_argument("--profile", metavar="NAME", help=_("the profile to remove"))
    which.add_argument("--all", action="store_true", help=_("remove every profile and token"))

    command(
        "profiles",
        _("list the stored profiles"),
        _(
            "List the profiles stored by `xl-contacts login`: name, flavour, idInstance, apiUrl "
            "and the last four characters of the token (never more)."
        ),
    )

    doctor = command(
        "doctor",
        _("check every link from credentials to Excel"),
        _(
            "Check the credentials, GREEN-API, xlwings, a workbook's VBA and Excel, and say how "
            "to fix what is broken. Checks one profile, an instance, or every profile."
        ),
    )
    doctor.add_argument("--workbook", metavar="FILE", help=_("also check this workbook's VBA"))
    target = doctor.add_mutually_exclusive_group()
    target.add_argument("--profile", metavar="NAME", help=_("check this stored profile"))
    target.add_argument("--all-profiles", action="store_true", help=_("check every profile"))
    _instance_options(doctor)


def _output_option(parser: argparse.ArgumentParser, suffix: str) -> None:
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help=_("the {suffix} file to write").format(suffix=suffix),
    )


def _flavour_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flavour",
        choices=(*FLAVOURS, "auto"),
        help=_(
            "the instance's messenger (default: ${env}, the stored one, or found "
            "out from the answers)"
        ).format(env=ENV_FLAVOUR),
    )


def _instance_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-url", help=_("apiUrl (default: $GREENAPI_API_URL)"))
    parser.add_argument("--id-instance", help=_("idInstance (default: $GREENAPI_ID_INSTANCE)"))
    # Deliberately no --token: command lines end up in shell history and `ps`.


def _fetch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--count",
        type=_count_argument,
        metavar="N",
        help=_("at most N contacts of the kind (default: all)"),
    )
    kinds = "; ".join(f"{k}: {_(h)}" for k, h in KIND_HELP.items())
    parser.add_argument(
        "--only",
        choices=KINDS,
        default="all",
        metavar="KIND",
        help=_("which contacts: {kinds}").format(kinds=kinds),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=_(
            "use built-in sample contacts: no credentials, no network (profiles: "
            "demo-telegram, demo-whatsapp)"
        ),
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        action="append",
        help=_(
            "a profile stored by `login --profile NAME` (default: ${env}); "
            "repeat it for several instances in one list"
        ).format(env=ENV_PROFILE),
    )
    parser.add_argument(
        "--all-profiles", action="store_true", help=_("every stored profile, in one list")
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help=_("with several profiles: keep the instances that answered when one fails"),
    )
    _flavour_option(parser)
    _instance_options(parser)


def _count_argument(value: str) -> int | None:
    """--count's value (argparse names the option in its message: ours does not)."""
    if not value.strip():  # `--count ""`, `--count=$UNSET`: surely a mistake, not "all"
        raise argparse.ArgumentTypeError(
            _(
                "the count is empty — give a whole number of 1 or more, or leave the option "
                "out for all contacts"
            )
        )
    try:
        return parse_count(value, _("the count"))
    except XlContactsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
