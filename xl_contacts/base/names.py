"""Names shared by several layers: the program, its environment variables, the
sheets, tables and ``xlwings.conf`` keys it writes and reads back, and the
labels of the report's Summary sheet (which ``previous_report`` reads again).

One spelling each: a sheet renamed here is renamed for the writer and the reader.
"""

from __future__ import annotations

from .i18n import N_

PROG = "xl-contacts"

# Credentials (the public contract).
ENV_API_URL = "GREENAPI_API_URL"
ENV_ID_INSTANCE = "GREENAPI_ID_INSTANCE"
ENV_API_TOKEN = "GREENAPI_API_TOKEN_INSTANCE"
DEFAULT_API_URL = "https://api.green-api.com"
# Which stored profile (xl-contacts login --profile NAME) to use, and which
# flavour of GREEN-API an instance speaks when the user says so.
ENV_PROFILE = "XL_CONTACTS_PROFILE"
ENV_FLAVOUR = "GREENAPI_FLAVOUR"
DEFAULT_PROFILE = "default"
WHATSAPP, TELEGRAM, MAX = "whatsapp", "telegram", "max"
FLAVOURS: tuple[str, ...] = (WHATSAPP, TELEGRAM, MAX)
# How long =GETCONTACTS keeps a result.
ENV_CACHE_SECONDS = "XL_CONTACTS_CACHE_SECONDS"

# The Contacts table: in the report and on the live workbook's Contacts sheet.
CONTACTS_SHEET = "Contacts"
CONTACTS_TABLE = "Contacts"
TABLE_STYLE = "TableStyleMedium2"
# The report's other sheets are named in the language of the run («Сводка»,
# «Изменения»): a person reads the tabs, and nothing finds these sheets by a
# fixed name -- the reader of a previous report knows the Summary by either
# name (i18n.in_every_language), formulas and programs read the Contacts sheet
# and table, which keep their name. The Changes *table* keeps its name too: a
# structured reference (=ROWS(Changes)) works on a report of either language.
SUMMARY_SHEET = N_("Summary")
CHANGES_SHEET = N_("Changes")
CHANGES_TABLE = "Changes"

# The workbook's own settings sheet (xlwings reads it too) and this project's keys on it.
CONF_SHEET = "xlwings.conf"
KEY_COUNT = "Contacts Count"
KEY_REPORT_FOLDER = "Contacts Report Folder"
KEY_ONLY = "Contacts Only"
KEY_PROFILE = "Contacts Profile"
KEY_LANGUAGE = "Contacts Language"  # en or ru: the workbook's language, before Excel's

# Labels of the Summary sheet, also read back by "changes since": written in the
# language of the run with _(LABEL), read back in the report's own language.
SUMMARY_TITLE = N_("xl-contacts report")
LABEL_INSTANCE = N_("Instance id")
LABEL_FETCHED = N_("Fetched at (UTC)")
LABEL_SOURCE = N_("Source")
LABEL_TOTAL = N_("Contacts")
LABEL_HIDDEN = N_("Hidden phone numbers (personal contacts)")
LABEL_PROGRAM = N_("Program")
LABEL_KIND = N_("Kind")
LABEL_SKIPPED = N_("Skipped records (no chat id)")
LABEL_LID = N_("WhatsApp @lid ids (no phone number)")
LABEL_INSTANCES = N_("Instances")
LABEL_INSTANCE_OF = N_("{profile}: instance id")  # one line per profile in a report of several
# The first column of a report of several instances: the profile each row came from.
INSTANCE_COLUMN = "instance"
# Added after the table's columns (the contract's, then the API's extras) in a
# report: every column keeps the position =GETCONTACTS and Refresh give it.
PHONE_COLUMNS = ("phone (international)", "country")
LABEL_LEFT_OUT = N_("Fields left out")
LABEL_CUT = N_("Values cut to the cell limit (32,767)")
