"""What the workbook says to a person, in every language: the ribbon's labels
and tips, the macOS note of a ``=GETCONTACTS`` cell and the Start sheet.

The messages are marked here and translated in the gettext catalogs like every
other. The Start sheet is written in one language when the workbook is built
(``start_rows``). The ribbon and the macOS note are decided by Excel when the
workbook opens, so the VBA module ``ContactsTexts`` (``texts_module``) carries
them in every language and ``ContactsRibbon.bas`` picks one: the workbook's
``Contacts Language`` row, then XL_CONTACTS_LANG, then Excel's UI language
(``Application.LanguageSettings.LanguageID(msoLanguageIDUI)``; 1049 is Russian)
-- the order the Python side follows (``usecases/excel_language``).

VBA source must be ASCII (the project's codepage would garble anything else):
a text with other characters is written as its UTF-16 code units in hex and
decoded by ``XlContactsUnicode``.
"""

from __future__ import annotations

from ...api.client import INTERACTIVE_BUDGET
from ...base import i18n
from ...base.i18n import N_, _
from ...base.names import CONTACTS_SHEET, SUMMARY_SHEET
from ..getcontacts import ERROR_PREFIX

TEXTS_MODULE = "ContactsTexts"

# (key, message): the ribbon's texts, keyed "<control id>.<attribute>" as the
# callbacks of customUI14.xml ask for them, and the macOS note.
RIBBON: tuple[tuple[str, str], ...] = (
    ("xlContactsTab.label", N_("Contacts")),
    ("xlContactsRefresh.label", N_("Refresh contacts")),
    ("xlContactsRefresh.screentip", N_("Refresh contacts")),
    (
        "xlContactsRefresh.supertip",
        N_(
            "Fetch the contact list from GREEN-API and replace the table on the {contacts} "
            "sheet. A failed fetch changes nothing."
        ),
    ),
    ("xlContactsSaveReport.label", N_("Save report")),
    ("xlContactsSaveReport.screentip", N_("Save report")),
    (
        "xlContactsSaveReport.supertip",
        N_(
            "Fetch the contact list and save a report workbook ({contacts} and {summary} "
            "sheets) next to this workbook."
        ),
    ),
)
# What a GETCONTACTS cell says on macOS, where xlwings has no UDF server (the
# call would show "File not found: xlwings32-<version>.dll").
MAC_NOTE_KEY = "macNote"
MAC_NOTE = N_(
    "needs Excel for Windows - on a Mac, use Contacts > Refresh contacts, "
    "or xlwings Lite (README: Excel for Mac and on the web)"
)

# The Start sheet: (style, paragraph); a paragraph's lines are rows of the sheet.
START: tuple[tuple[str, str], ...] = (
    ("title", N_("xl-contacts: your GREEN-API contacts in Excel")),
    ("", ""),
    ("bold", N_("1. Credentials — never stored in this workbook")),
    (
        "",
        N_(
            "Run  xl-contacts login  once (the token goes to the system's credential store),\n"
            "or set GREENAPI_API_URL, GREENAPI_ID_INSTANCE and GREENAPI_API_TOKEN_INSTANCE,\n"
            "then restart Excel."
        ),
    ),
    ("", ""),
    ("bold", N_("2. The live formula (Excel for Windows)")),
    (
        "",
        N_(
            "=GETCONTACTS(50) spills up to 50 contacts below and to the right;\n"
            "=GETCONTACTS() all of them; =GETCONTACTS(50, FALSE) without the header row.\n"
            "Russian-language Excel separates arguments with ; and says ЛОЖЬ for FALSE:\n"
            "=GETCONTACTS(50; ЛОЖЬ)\n"
            "Combine it: =SORT(GETCONTACTS(, FALSE), 2) or =TAKE(GETCONTACTS(), 11)."
        ),
    ),
    ("", N_('One kind: =GETCONTACTS(, , "groups") — or "personal", "saved", "chatted".')),
    (
        "",
        N_(
            'Another instance: =GETCONTACTS(, , , "sales") after  '
            "xl-contacts login --profile sales"
        ),
    ),
    (
        "",
        N_(
            "Excel waits for the first answer ({seconds} s at most); results are "
            "then kept for a minute.\n"
            "A problem shows as one cell starting with #GETCONTACTS: that says what to fix.\n"
            "On a Mac the example below shows a note: use the ribbon there, or =GETCONTACTS\n"
            "in xlwings Lite (Mac and Excel on the web: README, Excel for Mac and on the web)."
        ),
    ),
    ("", ""),
    ("bold", N_("3. Ribbon: Contacts ▸ Refresh contacts")),
    (
        "",
        N_(
            "Fills the sheet Contacts (created on first use) with the Excel table Contacts.\n"
            "A failed refresh changes nothing."
        ),
    ),
    ("", ""),
    ("bold", N_("4. Ribbon: Contacts ▸ Save report")),
    (
        "",
        N_(
            "Saves a report workbook (sheets Contacts and Summary) next to this file.\n"
            "On the sheet xlwings.conf you may add 'Contacts Count' (how many to fetch),\n"
            "'Contacts Report Folder' (where reports go), 'Contacts Only' (a kind, as above)\n"
            "and 'Contacts Profile' (which instance; several: sales, support) — for both buttons;\n"
            "'Contacts Language' (en or ru) for the language of the workbook's messages."
        ),
    ),
    ("", ""),
    ("bold", N_("Example")),
)


def start_rows(language: str) -> list[tuple[str, str]]:
    """The Start sheet's rows in ``language``: (style, text), "" for an empty row."""
    rows = []
    with i18n.speaking(language):
        for style, paragraph in START:
            text = _(paragraph).format(seconds=f"{INTERACTIVE_BUDGET:.0f}") if paragraph else ""
            rows += [(style, line) for line in text.split("\n")]
    return rows


def ribbon_text(key: str) -> str:
    """The text for ``key`` (RIBBON's or MAC_NOTE_KEY) in the current language."""
    if key == MAC_NOTE_KEY:
        return ERROR_PREFIX + _(MAC_NOTE)
    message = dict(RIBBON)[key]
    return _(message).format(contacts=CONTACTS_SHEET, summary=SUMMARY_SHEET)


def texts_module() -> str:
    """The VBA module ``ContactsTexts``: ``XlContactsText(key, language)`` for
    every key and language."""
    lines = [
        f'Attribute VB_Name = "{TEXTS_MODULE}"',
        "' Generated by `xl-contacts template` from xl_contacts/usecases/template/texts.py",
        "' and the translation catalogs: changes here are lost with the next build.",
        "Option Explicit",
        "",
        "Public Function XlContactsText(key As String, language As String) As String",
        "    Dim t As String",
        '    Select Case language & "|" & key',
    ]
    keys = [key for key, _message in RIBBON] + [MAC_NOTE_KEY]
    for language in i18n.LANGUAGES:
        with i18n.speaking(language):
            for key in keys:
                lines.append(f'        Case "{language}|{key}"')
                lines += [f"            t = t & {chunk}" for chunk in vba_chunks(ribbon_text(key))]
    lines += [
        "    End Select",
        "    XlContactsText = t",
        "End Function",
        "",
        "' Text from its UTF-16 code units, four hex digits each.",
        "Public Function XlContactsUnicode(units As String) As String",
        "    Dim i As Long",
        "    For i = 1 To Len(units) Step 4",
        '        XlContactsUnicode = XlContactsUnicode & ChrW(CLng("&H" & Mid(units, i, 4)))',
        "    Next i",
        "End Function",
        "",
    ]
    return "\n".join(lines)


# Characters per VBA statement: far below VBA's 1,023 per line.
_CHUNK = 60


def vba_chunks(text: str) -> list[str]:
    """VBA expressions whose concatenation is ``text``: quoted ASCII, or
    ``XlContactsUnicode("041A...")`` for text with other characters."""
    pieces = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    out = []
    for piece in pieces:
        if piece.isascii():
            out.append('"' + piece.replace('"', '""') + '"')
        else:
            units = piece.encode("utf-16-be").hex().upper()
            out.append(f'XlContactsUnicode("{units}")')
    return out
