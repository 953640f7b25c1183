"""What GREEN-API's answer means when it is not a 200: HTTP status → error,
a redirect's target (repeated as ``errors.echo`` repeats a stranger's text), the
wait asked for (Retry-After).

Pure: no HTTP library, no threads (a front end without sockets reuses it).
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from ..base.errors import (
    GreenApiError,
    InstanceNotReady,
    InstanceRejected,
    QuotaExceeded,
    RateLimited,
    ServerError,
    TokenRejected,
    echo,
)
from ..base.i18n import _
from ..base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE

# The statuses that may pass if asked again (retry.retry_pause).
RETRY_STATUSES = frozenset({429, 499, 500, 502, 503, 504})


def error_for_status(status: int) -> GreenApiError:
    """The error of an answer with ``status`` (neither 200 nor a redirect)."""
    if status == 400:
        return InstanceNotReady(
            _(
                "instance not ready or not authorised (HTTP 400) — authorise it in the "
                "GREEN-API console (scan the QR code) and try again"
            ),
            status,
        )
    if status == 401:
        return TokenRejected(
            _("token rejected by GREEN-API (HTTP 401) — check {env}").format(env=ENV_API_TOKEN),
            status,
        )
    if status == 403:
        return InstanceRejected(
            _("instance rejected by GREEN-API (HTTP 403) — check {id_env} and {url_env}").format(
                id_env=ENV_ID_INSTANCE, url_env=ENV_API_URL
            ),
            status,
        )
    if status == 466:
        return QuotaExceeded(
            _(
                "monthly quota used up (HTTP 466) — change the tariff in the GREEN-API console "
                "or wait for the next period"
            ),
            status,
        )
    if status == 429:
        return RateLimited(
            _(
                "too many requests (HTTP 429) — getContacts allows one request per second; "
                "wait a moment and try again"
            ),
            status,
        )
    if status == 404:
        return ServerError(
            _("GREEN-API does not know this address (HTTP 404) — check {env}").format(
                env=ENV_API_URL
            ),
            status,
        )
    if status in RETRY_STATUSES or status >= 500:
        return ServerError(
            _("GREEN-API is having trouble (HTTP {status}) — try again in a few minutes").format(
                status=status
            ),
            status,
        )
    return ServerError(
        _("unexpected answer from GREEN-API (HTTP {status})").format(status=status), status
    )


def redirect_error(status: int | None, location: str, host: str) -> ServerError:
    """A 3xx: never followed (the token is in the path), reported with the host
    ``location`` pointed to -- never its path, which may repeat the token.
    ``status`` None: a redirect whose status and target were hidden (a browser's)."""
    try:
        parts = urlsplit(location)
        target = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    except ValueError:
        target = _("an invalid address")
    if status is None:
        where = _("another address")
    else:
        where = echo(target) if target else _("another address on the same host")
        where += f" (HTTP {status})"
    return ServerError(
        _(
            "GREEN-API at {host} redirected to {where}; GREEN-API does not "
            "redirect, so it was not followed — check {env}"
        ).format(host=host, where=where, env=ENV_API_URL),
        status,
    )


def retry_after(value: str, now: float) -> float:
    """Seconds the server asked us to wait (a Retry-After ``value``: whole seconds
    or an HTTP date, ``now`` being the wall-clock time), else 0; anything else
    ("soon", "-5", "1e999") is ignored."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value), 10**6))
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
