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

# Labels of the Summary sheet, also read back by "changes since".
SUMMARY_TITLE = "xl-contacts report"
LABEL_INSTANCE = "Instance id"
LABEL_FETCHED = "Fetched at (UTC)"
LABEL_SOURCE = "Source"
LABEL_TOTAL = "Contacts"
LABEL_HIDDEN = "Hidden phone numbers"
LABEL_PROGRAM = "Program"
LABEL_LEFT_OUT = "Fields left out"
