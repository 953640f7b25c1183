"""A workbook's xlwings settings, looked up the way its VBA (xlwings.bas 0.37.8)
looks them up, so that doctor sees what Excel will see.

``GetConfig`` (xlwings.bas 649-712) takes the first of: the workbook's
``xlwings.conf`` sheet, an ``xlwings.conf`` file beside the workbook, the
user's ``xlwings.conf`` file (Windows ``%USERPROFILE%\\.xlwings\\xlwings.conf``,
606; macOS the sandbox home's, 604), the default -- and expands environment
variables in the result. The sheet is read from A1 down to the first empty
cell (``End(xlDown)``, 639) into a dictionary with upper-cased keys (643): a
key below a blank row is never seen, a repeated key stops every macro and
function with error 457. Files hold ``"KEY","value"`` lines (766-792).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...base.i18n import N_, _
from ...base.names import CONF_SHEET

# The xlwings.conf sheet as a person names it: a check's name, where a setting came from.
SHEET = N_("{sheet} sheet")
_PERCENT_VAR = re.compile(r"%([^%]+)%")


@dataclass(frozen=True)
class Setting:
    value: str
    source: str  # where GetConfig found it, for the user


@dataclass
class XlwingsConf:
    has_sheet: bool = False
    sheet: dict[str, str] = field(default_factory=dict)  # upper-cased key -> text
    duplicates: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)  # keys below a blank row
    files: list[tuple[Path, dict[str, str]]] = field(default_factory=list)

    def get(self, key: str) -> Setting | None:
        """``GetConfig(key)`` without the default: sheet, directory file, user file."""
        key = key.upper()
        if key in self.sheet:
            return Setting(self.sheet[key], _(SHEET).format(sheet=CONF_SHEET))
        for path, values in self.files:
            if key in values:
                return Setting(values[key], str(path))
        return None

    def text(self, key: str) -> str:
        found = self.get(key)
        return found.value if found else ""


def read_conf(workbook: Path, user_file: Path | None, encoding: str = "utf-8") -> XlwingsConf:
    """The settings of ``workbook`` as its VBA finds them (``user_file``: the
    user's xlwings.conf on the OS Excel runs on; ``encoding``: the code page
    VBA reads files with)."""
    conf = XlwingsConf()
    _read_sheet(workbook, conf)
    for path in (workbook.parent / "xlwings.conf", user_file):
        if path is not None and path.is_file():
            conf.files.append((path, _read_file(path, encoding)))
    return conf


def _read_sheet(workbook: Path, conf: XlwingsConf) -> None:
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    try:
        if CONF_SHEET not in book.sheetnames:
            return
        conf.has_sheet = True
        rows = [(row[0], row[1] if len(row) > 1 else None) for row in _rows(book[CONF_SHEET])]
    finally:
        book.close()
    seen_blank = False
    for key, value in rows:
        if key in (None, ""):
            seen_blank = True
            continue
        name = str(key).upper()
        if seen_blank:
            conf.unseen.append(str(key))
        elif name in conf.sheet:
            conf.duplicates.append(str(key))
        else:
            conf.sheet[name] = _text(value)


def _rows(sheet: object) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(max_col=2, values_only=True)]  # type: ignore[attr-defined]


def _text(value: object) -> str:
    """A cell value as VBA's String conversion shows it (True, 1, text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_file(path: Path, encoding: str) -> dict[str, str]:
    text = path.read_bytes().decode(encoding, errors="replace")
    values: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[0].strip():
            values.setdefault(row[0].strip().upper(), row[1])
    return values


def expand_windows(text: str, env: Mapping[str, str]) -> str:
    """``%NAME%`` replaced as Windows' ExpandEnvironmentStrings does (names
    case-insensitive; an unknown one stays as it is)."""
    upper = {k.upper(): v for k, v in env.items()}
    return _PERCENT_VAR.sub(lambda m: upper.get(m.group(1).upper(), m.group(0)), text)
