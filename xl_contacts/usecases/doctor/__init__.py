"""``xl-contacts doctor``: check each link from credentials to Excel, and say
how to fix the one that is broken. With ``--workbook FILE`` also whether Excel
will find Python, the xlwings DLL and the packages for that workbook
(``excel_setup``)."""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from ...api.client import GreenApiClient
from ...base.errors import XlContactsError, user_message
from ...base.i18n import N_, _
from ...base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from ...config.settings import NO_PROFILES, Settings, chosen_profile, load_settings
from .check import FAIL, OK, SKIP, WARN, Check, problems_found, report_lines
from .excel_setup import setup_checks
from .machine import Machine
from .workbook_python import UDF_MODULE

__all__ = [
    "FAIL",
    "OK",
    "SKIP",
    "WARN",
    "Check",
    "Machine",
    "problems_found",
    "report_lines",
    "run_checks",
]

# Check names a person reads (GREEN-API, getContacts, xlwings, Excel are names
# of things, the same in every language).
SETTINGS, WORKBOOK = N_("settings"), N_("workbook")
XLWINGS_SETTINGS, ADDIN = N_("xlwings settings"), N_("xlwings add-in")
UDFS = N_("UDF module")


def run_checks(
    workbook: Path | None = None,
    machine: Machine | None = None,
    *,
    profiles: Sequence[str | None] = (None,),
    api_url: str | None = None,
    id_instance: str | None = None,
) -> list[Check]:
    """Every check; the credential and API checks once per profile in ``profiles``
    (None: the settings xl-contacts would use without a profile named; none at
    all: every profile was asked for, and none is stored)."""
    checks: list[Check] = []
    for profile in profiles:
        checks.extend(_instance_checks(profile, api_url, id_instance, len(profiles) > 1))
    if not profiles:  # every profile asked for, and none is stored
        checks.append(Check(_(SETTINGS), FAIL, _(NO_PROFILES)))
    checks.append(_xlwings_check())
    vba = _vba_check(workbook)
    checks.append(vba)
    if workbook is not None and workbook.is_file() and _has_macros(workbook):
        if vba.detail != _unreadable(workbook):  # said once is enough
            checks.extend(_setup_checks(workbook, machine or Machine.this()))
    checks.append(_addin_check())
    checks.append(_udf_check())
    checks.append(_excel_check())
    return checks


def _instance_checks(
    profile: str | None, api_url: str | None, id_instance: str | None, named: bool
) -> list[Check]:
    settings: Settings | None = None
    try:
        settings = load_settings(api_url, id_instance, profile=profile)
        detail = settings.describe()
        ignored = [n for n in (ENV_API_URL, ENV_ID_INSTANCE, ENV_API_TOKEN) if os.environ.get(n)]
        if ignored and chosen_profile(profile) is not None:
            detail = _(
                "{settings}; {variables} in the environment not used for a named profile"
            ).format(settings=detail, variables=", ".join(ignored))
        first = Check(_(SETTINGS), OK, detail)
    except XlContactsError as error:
        first = Check(_(SETTINGS), FAIL, user_message(error))
    checks = [first, *_api_checks(settings)]
    if not named:
        return checks
    # Several profiles: every check line says which one it is about.
    return [
        Check(_("{check} {profile}").format(check=c.name, profile=profile), c.status, c.detail)
        for c in checks
    ]


def _api_checks(settings: Settings | None) -> list[Check]:
    if settings is None:
        reason = _("needs the settings above")
        return [Check("GREEN-API", SKIP, reason), Check("getContacts", SKIP, reason)]
    with GreenApiClient.interactive(settings) as client:
        try:
            state = client.get_state()
        except XlContactsError as error:
            return [
                Check("GREEN-API", FAIL, user_message(error)),
                Check("getContacts", SKIP, _("needs GREEN-API above")),
            ]
        if state != "authorized":
            api = Check(
                "GREEN-API",
                FAIL,
                _(
                    "reachable, but the instance is {state}, not 'authorized' — authorise it "
                    "in the GREEN-API console (scan the QR code)"
                ).format(state=repr(state)),
            )
        else:
            api = Check(
                "GREEN-API",
                OK,
                _("reachable at {host}, instance authorized").format(host=settings.host),
            )
        try:
            contacts = client.get_contacts(1)
        except XlContactsError as error:
            return [api, Check("getContacts", FAIL, user_message(error))]
    if not contacts:
        return [
            api,
            Check(
                "getContacts",
                OK,
                _(
                    "answers, but with no contacts yet (they can "
                    "take 5 minutes to appear after authorisation)"
                ),
            ),
        ]
    return [api, Check("getContacts", OK, _("answers"))]


def required_xlwings() -> str | None:
    """The exact xlwings version this package pins (its VBA is version-locked)."""
    try:
        requirements = metadata.requires("xl-contacts") or []
    except metadata.PackageNotFoundError:
        return None
    for requirement in requirements:
        match = re.fullmatch(r"xlwings\s*==\s*([\w.]+)", requirement.split(";")[0].strip())
        if match:
            return match.group(1)
    return None


def _xlwings_check() -> Check:
    import xlwings

    pinned = required_xlwings()
    if pinned and pinned != xlwings.__version__:
        return Check(
            "xlwings",
            FAIL,
            _("{installed} is installed but xl-contacts needs {pinned} — {command}").format(
                installed=xlwings.__version__,
                pinned=pinned,
                command=f"pip install xlwings=={pinned}",
            ),
        )
    return Check("xlwings", OK, f"{xlwings.__version__}")


def vba_xlwings_version(path: Path) -> str | None:
    """The xlwings version written in a workbook's or add-in's ``xlwings`` VBA module."""
    from pyopenvba import ExcelFile

    with ExcelFile(path) as book:
        if "xlwings" not in book.module_names():
            return None
        match = re.search(r"'Version:\s*(\S+)", book.get_module("xlwings"))
    return match.group(1) if match else None


def _compare_vba(name: str, path: Path) -> Check:
    import xlwings

    if not _has_macros(path):
        return Check(
            name,
            FAIL,
            (
                _(
                    "{path} is a {suffix} file, which holds no macros — check the "
                    ".xlsm workbook made by `xl-contacts workbook -o FILE`"
                )
                if path.suffix
                else _(
                    "{path} has no file extension and holds no macros — check the "
                    ".xlsm workbook made by `xl-contacts workbook -o FILE`"
                )
            ).format(path=path, suffix=path.suffix),
        )
    try:
        version = vba_xlwings_version(path)
    except Exception:  # a file pyOpenVBA cannot read is reported, not raised
        return Check(name, FAIL, _unreadable(path))
    if version is None:
        return Check(
            name,
            FAIL,
            _(
                "{path} has no xlwings VBA module — rebuild it with `xl-contacts workbook -o FILE`"
            ).format(path=path),
        )
    if version != xlwings.__version__:
        return Check(
            name,
            FAIL,
            _(
                "{path} carries xlwings VBA {version}, Python has {python} — "
                "make a new copy with `xl-contacts workbook -o FILE`"
            ).format(path=path, version=version, python=xlwings.__version__),
        )
    return Check(name, OK, f"{path}: xlwings VBA {version}")


# What Excel opens with macros (the rest, .xlsx among them, cannot hold any).
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xltm", ".xlam", ".xls", ".xla", ".xlt")


def _unreadable(path: Path) -> str:
    return _(
        "{path} cannot be read as an Excel workbook (damaged, or not a workbook at all) — "
        "make a new copy with `xl-contacts workbook -o FILE`"
    ).format(path=path)


def _has_macros(path: Path) -> bool:
    return path.suffix.lower() in MACRO_SUFFIXES


def _vba_check(workbook: Path | None) -> Check:
    if workbook is None:
        return Check(_(WORKBOOK), SKIP, _("pass --workbook FILE to check a workbook's VBA"))
    if not workbook.is_file():
        return Check(_(WORKBOOK), FAIL, _("{path} does not exist").format(path=workbook))
    return _compare_vba(_(WORKBOOK), workbook)


def _setup_checks(workbook: Path, machine: Machine) -> list[Check]:
    try:
        version = vba_xlwings_version(workbook)
    except Exception:  # reported by the workbook check above
        version = None
    try:
        return setup_checks(workbook, version, machine)
    except Exception:  # not a workbook openpyxl can read: one line, no traceback
        return [Check(_(XLWINGS_SETTINGS), FAIL, _unreadable(workbook))]


def addin_path() -> Path | None:
    """Where `xlwings addin install` puts the add-in on this OS, if anywhere."""
    if sys.platform.startswith("win") and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
    if sys.platform == "darwin":
        return (
            Path.home()
            / "Library"
            / "Containers"
            / "com.microsoft.Excel"
            / "Data"
            / "Library"
            / "Application Support"
            / "Microsoft"
            / "Office"
            / "Excel"
            / "XLSTART"
            / "xlwings.xlam"
        )
    return None


def _addin_check() -> Check:
    path = addin_path()
    if path is None or not path.is_file():
        return Check(_(ADDIN), SKIP, _("not installed (the template does not need it)"))
    return _compare_vba(_(ADDIN), path)


def _udf_check() -> Check:
    try:
        udfs = importlib.import_module(UDF_MODULE)
    except Exception as error:
        detail = _("{module} does not import ({error})").format(module=UDF_MODULE, error=error)
        return Check(_(UDFS), FAIL, detail)
    if not callable(getattr(udfs, "GETCONTACTS", None)):
        return Check(_(UDFS), FAIL, _("{module} has no GETCONTACTS").format(module=UDF_MODULE))
    detail = _("{module} imports and defines GETCONTACTS").format(module=UDF_MODULE)
    return Check(_(UDFS), OK, detail)


def _excel_check() -> Check:
    if sys.platform.startswith("win"):
        try:
            importlib.import_module("win32com.client")
        except ImportError:
            detail = _("pywin32 is missing — {command}").format(command="pip install pywin32")
            return Check("Excel", FAIL, detail)
        return Check("Excel", OK, _("Windows: =GETCONTACTS() and the ribbon can run"))
    if sys.platform == "darwin":
        detail = _("macOS: the ribbon runs; =GETCONTACTS() needs Windows Excel")
        return Check("Excel", OK, detail)
    return Check("Excel", SKIP, _("no desktop Excel on this OS: use `xl-contacts export`"))
