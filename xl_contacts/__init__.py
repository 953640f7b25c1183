"""xl-contacts: the contact list of a GREEN-API instance in Excel.

The library surface is small::

    from xl_contacts import fetch_contacts, write_report
    table = fetch_contacts(count=50)          # credentials from the environment
    write_report(table, "contacts.xlsx")
"""

from ._version import __version__
from .base.errors import ConfigError, GreenApiError, ReportError, XlContactsError
from .config.settings import Settings, load_settings
from .domain.contacts import parse_count
from .domain.table import COLUMNS, ContactTable


def __getattr__(name: str) -> object:
    # write_report pulls in openpyxl, which Excel's UDF server never needs, and
    # fetch_contacts requests, which `xl-contacts --help` never needs: each is
    # imported on first use, so that importing the package stays cheap.
    if name == "fetch_contacts":
        from .usecases.fetch import fetch_contacts

        return fetch_contacts
    if name == "write_report":
        from .sinks.xlsx_report import write_report

        return write_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "COLUMNS",
    "ConfigError",
    "ContactTable",
    "GreenApiError",
    "ReportError",
    "Settings",
    "XlContactsError",
    "__version__",
    "fetch_contacts",
    "load_settings",
    "parse_count",
    "write_report",
]
