"""The three values GREEN-API needs, checked as typed, before any request:
apiUrl, idInstance and apiTokenInstance. A wrong one is a ConfigError that
names its variable (``settings.name_sources`` then names where it came from)
and never repeats a value that may be secret."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ..base.errors import ConfigError
from ..base.i18n import _
from ..base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE

# The token is pasted into the URL path. Only RFC 3986 "unreserved" characters
# are accepted, so a token can never add a path segment, a query or a fragment,
# and percent-escapes (which a server might decode into "/") are refused.
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~-]+")
_ID_RE = re.compile(r"[0-9]+")
# Host names as DNS allows them (letters, digits, hyphens, dots), or an IPv6
# literal in brackets: nothing that could smuggle a path, a user or a control
# character into the request line.
_HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_EXAMPLE_URL = "https://7105.api.greenapi.com"


def validate_api_url(value: str) -> str:
    """The apiUrl without a trailing slash, or a ConfigError that never repeats it
    (it might hold a password).

    Only a bare ``scheme://host[:port]`` is accepted: no user name or password,
    no path, query, fragment or their markers (a trailing ``?`` or ``#``), a port
    from 1 to 65535. Plain ``http://`` is refused unless the host is the loopback
    (a local stand-in or tunnel): anywhere else it would send the token in clear.
    """
    if not value.isprintable() or any(ch.isspace() for ch in value):
        raise ConfigError(_("{env} contains spaces or control characters").format(env=ENV_API_URL))
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ConfigError(
            _("{env} is not a valid address (check the host and the port), e.g. {example}").format(
                env=ENV_API_URL, example=_EXAMPLE_URL
            )
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            _("{env} must be an http(s) address such as {example}").format(
                env=ENV_API_URL, example=_EXAMPLE_URL
            )
        )
    if "@" in parts.netloc:
        raise ConfigError(
            _(
                "{env} must not contain a user name or password — use the bare apiUrl "
                "from the GREEN-API console, e.g. {example}"
            ).format(env=ENV_API_URL, example=_EXAMPLE_URL)
        )
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if parts.path.strip("/") or "?" in value or "#" in value or not _HOST_RE.fullmatch(host):
        # A pasted request URL would carry the instance and the token in its path.
        raise ConfigError(
            _(
                "{env} must be the bare apiUrl from the GREEN-API console "
                "(no path, query or fragment), e.g. {example}"
            ).format(env=ENV_API_URL, example=_EXAMPLE_URL)
        )
    if port == 0 or (parts.netloc.endswith(":") and port is None):
        raise ConfigError(_("{env} has no valid port (1 to 65535)").format(env=ENV_API_URL))
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            _(
                "{env} must use https:// — plain http:// would send the token in clear "
                "(http:// is accepted for this computer only: localhost, 127.0.0.1, [::1])"
            ).format(env=ENV_API_URL)
        )
    return value.rstrip("/")


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def validate_id_instance(value: str | None) -> str:
    if not value:
        raise ConfigError(
            _(
                "no instance id: set {env} (or run `xl-contacts login`) "
                "to the idInstance from the GREEN-API console"
            ).format(env=ENV_ID_INSTANCE)
        )
    if not _ID_RE.fullmatch(value):
        raise ConfigError(
            _("{env} must be digits only, as shown in the GREEN-API console").format(
                env=ENV_ID_INSTANCE
            )
        )
    return value


def validate_token(value: str | None) -> str:
    if not value:
        raise ConfigError(
            _(
                "no API token: set {env} (or run `xl-contacts login`) "
                "to the apiTokenInstance from the GREEN-API console"
            ).format(env=ENV_API_TOKEN)
        )
    if not _TOKEN_RE.fullmatch(value) or ".." in value:
        # The value itself is never echoed: it is (almost) a secret.
        raise ConfigError(
            _(
                "{env} contains characters an apiTokenInstance cannot have "
                "(only letters, digits and . _ ~ - are allowed); copy it again from the console"
            ).format(env=ENV_API_TOKEN)
        )
    return value
