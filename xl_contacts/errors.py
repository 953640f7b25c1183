"""One exception hierarchy for everything xl-contacts reports to a person.

Every exception's ``str()`` is a short sentence that says what went wrong and
what to do; it never contains the API token. The CLI prints it as one line and
exits with ``exit_code``; the Excel function shows it in a cell after ``#``.
"""

from __future__ import annotations


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
        #: seconds to wait before trying again, or None when trying again is pointless
        self.retry_after: float | None = None


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
