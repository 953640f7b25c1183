"""One exception hierarchy for everything xl-contacts reports to a person.

Every exception's ``str()`` is a short sentence that says what went wrong and
what to do; it never contains the API token. The CLI prints it as one line and
exits with ``exit_code``; the Excel function shows it in a cell after ``#``.

The tree::

    XlContactsError
    ├── ConfigError            exit 2: a setting, argument or file name is wrong
    ├── ReportError            exit 2: a report cannot be written or read
    └── GreenApiError          exit 1: GREEN-API answered an error or was unreachable
        ├── InstanceNotReady   400
        ├── TokenRejected      401
        ├── InstanceRejected   403
        ├── QuotaExceeded      466
        ├── RateLimited        429 after every retry
        ├── ServerError        5xx / 499 / anything else unexpected
        ├── NetworkError       connection, TLS, time-out
        └── BadResponse        not JSON, not a list of contacts, too big
"""

from __future__ import annotations

from .cells import for_terminal
from .i18n import _
from .redaction import redact

# How much of a stranger's text (a server's, a workbook's) a message repeats.
_ECHO_LIMIT = 60


class XlContactsError(Exception):
    """Root of every error this package raises on purpose."""

    exit_code = 1


class ConfigError(XlContactsError):
    """A setting, argument or file name is missing or wrong: the user fixes it."""

    exit_code = 2


class ReportError(XlContactsError):
    """A report cannot be written or read (bad path, not a report of this tool)."""

    exit_code = 2


class GreenApiError(XlContactsError):
    """GREEN-API answered with an error, or could not be reached."""

    exit_code = 1

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class InstanceNotReady(GreenApiError):
    """HTTP 400: the instance is not authorised yet or the request was refused."""


class TokenRejected(GreenApiError):
    """HTTP 401: wrong apiTokenInstance."""


class InstanceRejected(GreenApiError):
    """HTTP 403: wrong idInstance (or it belongs to another apiUrl)."""


class QuotaExceeded(GreenApiError):
    """HTTP 466: the monthly quota of the tariff is used up."""


class RateLimited(GreenApiError):
    """HTTP 429 after every retry: too many requests."""


class ServerError(GreenApiError):
    """HTTP 5xx / 499 after every retry, or another unexpected status."""


class NetworkError(GreenApiError):
    """Connection refused, DNS failure, TLS failure or time-out."""


class BadResponse(GreenApiError):
    """The answer was not JSON, or not a list of contacts."""


def user_message(error: BaseException) -> str:
    """The one line a person sees for ``error`` -- in the terminal, an Excel cell
    or an alert: the error's own sentence for ours, a short "please report it"
    for a bug. Always without the token."""
    if isinstance(error, XlContactsError):
        message = str(error)
    else:
        detail = f": {error}" if str(error) else ""
        message = _("internal error ({error}) — please report it").format(
            error=type(error).__name__ + detail
        )
    return redact(message)


def echo(text: str) -> str:
    """A stranger's text -- a server's content type or host, a workbook's setting,
    sheet name or folder -- as a message may repeat it: one printable line,
    without the token, short."""
    # Redacted after the controls go (a token split by one is whole again, and
    # found) and before it is cut (a cut token is no longer found).
    text = redact(for_terminal(text)).strip()
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"
