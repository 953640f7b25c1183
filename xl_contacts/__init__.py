"""xl-contacts: the contact list of a GREEN-API instance in Excel.

The library surface is small::

    from xl_contacts import fetch_contacts, write_report
    table = fetch_contacts(count=50)          # credentials from the environment
    write_report(table, "contacts.xlsx")
"""

__version__ = "0.1.0"

from .contacts import COLUMNS, ContactTable
from .errors import ConfigError, GreenApiError, XlContactsError
from .fetch import fetch_contacts, parse_count
from .report import write_report
from .settings import Settings, load_settings

__all__ = [
    "COLUMNS",
    "ConfigError",
    "ContactTable",
    "GreenApiError",
    "Settings",
    "XlContactsError",
    "__version__",
    "fetch_contacts",
    "load_settings",
    "parse_count",
    "write_report",
]
