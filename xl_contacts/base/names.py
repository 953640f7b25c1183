"""Names shared by several layers: the program, its environment variables, the
sheets, tables and ``xlwings.conf`` keys it writes and reads back, and the
labels of the report's Summary sheet (which ``previous_report`` reads again).

One spelling each: a sheet renamed here is renamed for the writer and the reader.
"""

from __future__ import annotations

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
SUMMARY_SHEET = "Summary"
CHANGES_SHEET = "Changes"
CHANGES_TABLE = "Changes"

# The workbook's own settings sheet (xlwings reads it too) and this project's keys on it.
CONF_SHEET = "xlwings.conf"
KEY_COUNT = "Contacts Count"
KEY_REPORT_FOLDER = "Contacts Report Folder"
KEY_ONLY = "Contacts Only"
KEY_PROFILE = "Contacts Profile"
KEY_LANGUAGE = "Contacts Language"  # en or ru: the workbook's language, before Excel's

# Labels of the Summary sheet, also read back by "changes since".
SUMMARY_TITLE = "xl-contacts report"
LABEL_INSTANCE = "Instance id"
LABEL_FETCHED = "Fetched at (UTC)"
LABEL_SOURCE = "Source"
LABEL_TOTAL = "Contacts"
LABEL_HIDDEN = "Hidden phone numbers (personal contacts)"
LABEL_PROGRAM = "Program"
LABEL_KIND = "Kind"
LABEL_SKIPPED = "Skipped records (no chat id)"
LABEL_LID = "WhatsApp @lid ids (no phone number)"
LABEL_INSTANCES = "Instances"
LABEL_INSTANCE_OF = "{}: instance id"  # one line per profile in a report of several
# The first column of a report of several instances: the profile each row came from.
INSTANCE_COLUMN = "instance"
# Added after the table's columns (the contract's, then the API's extras) in a
# report: every column keeps the position =GETCONTACTS and Refresh give it.
PHONE_COLUMNS = ("phone (international)", "country")
LABEL_LEFT_OUT = "Fields left out"
LABEL_CUT = "Values cut to the cell limit (32,767)"
