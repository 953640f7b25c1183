"""Where the GREEN-API credentials come from and how they are checked.

Order of precedence, first wins: explicit arguments, environment variables,
then what ``xl-contacts login`` stored (config file + the OS credential store).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import credentials
from .errors import ConfigError
from .names import DEFAULT_API_URL, ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from .redaction import REDACTED, protect

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


@dataclass(frozen=True)
class Settings:
    """Validated credentials for one GREEN-API instance.

    ``repr()`` never shows the token; ``origins`` says where each value came
    from (for ``xl-contacts doctor``).
    """

    api_url: str
    id_instance: str
    api_token: str = field(repr=False)
    origins: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def host(self) -> str:
        """The apiUrl without any path: safe to show in messages."""
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def token_hint(self) -> str:
        """The token as a person may see it: its last four characters only."""
        return f"{REDACTED}{self.api_token[-4:]}" if len(self.api_token) > 12 else REDACTED


ORIGIN_STORED = "stored by xl-contacts login"


def load_settings(
    api_url: str | None = None,
    id_instance: str | int | None = None,
    api_token: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    use_stored: bool = True,
) -> Settings:
    """Collect, validate and return the settings, or raise ``ConfigError``.

    Explicit arguments win over the environment (``env`` defaults to
    ``os.environ``), which wins over what ``xl-contacts login`` stored. A stored
    apiUrl or token is used only for the stored instance. Nothing here touches
    the network.
    """
    environment = os.environ if env is None else env
    values: dict[str, str] = {}
    origins: dict[str, str] = {}

    def resolve(name: str, given: object) -> None:
        candidates = [(given, "argument"), (environment.get(name), "environment")]
        for value, origin in candidates:
            if value is not None and str(value).strip():
                values[name], origins[name] = str(value).strip(), origin
                return
        if use_stored:
            found = credentials.stored_value(name, values.get(ENV_ID_INSTANCE))
            if found and found.strip():
                values[name], origins[name] = found.strip(), ORIGIN_STORED

    # The instance first: the stored apiUrl and token belong to one instance.
    resolve(ENV_ID_INSTANCE, id_instance)
    resolve(ENV_API_URL, api_url)
    resolve(ENV_API_TOKEN, api_token)
    if ENV_API_URL not in values:
        values[ENV_API_URL], origins[ENV_API_URL] = DEFAULT_API_URL, "default"

    settings = Settings(
        api_url=validate_api_url(values[ENV_API_URL]),
        id_instance=validate_id_instance(values.get(ENV_ID_INSTANCE)),
        api_token=validate_token(values.get(ENV_API_TOKEN)),
        origins=origins,
    )
    protect(settings.api_token)
    return settings


def validate_api_url(value: str) -> str:
    """The apiUrl without a trailing slash, or a ConfigError that never repeats it
    (it might hold a password).

    Only a bare ``scheme://host[:port]`` is accepted: no user name or password,
    no path, query, fragment or their markers (a trailing ``?`` or ``#``), a port
    from 1 to 65535. Plain ``http://`` is refused unless the host is the loopback
    (a local stand-in or tunnel): anywhere else it would send the token in clear.
    """
    if not value.isprintable() or any(ch.isspace() for ch in value):
        raise ConfigError(f"{ENV_API_URL} contains spaces or control characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ConfigError(
            f"{ENV_API_URL} is not a valid address (check the host and the port), "
            f"e.g. {_EXAMPLE_URL}"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{ENV_API_URL} must be an http(s) address such as {_EXAMPLE_URL}")
    if "@" in parts.netloc:
        raise ConfigError(
            f"{ENV_API_URL} must not contain a user name or password — use the bare apiUrl "
            f"from the GREEN-API console, e.g. {_EXAMPLE_URL}"
        )
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if parts.path.strip("/") or "?" in value or "#" in value or not _HOST_RE.fullmatch(host):
        # A pasted request URL would carry the instance and the token in its path.
        raise ConfigError(
            f"{ENV_API_URL} must be the bare apiUrl from the GREEN-API console "
            f"(no path, query or fragment), e.g. {_EXAMPLE_URL}"
        )
    if port == 0 or (parts.netloc.endswith(":") and port is None):
        raise ConfigError(f"{ENV_API_URL} has no valid port (1 to 65535)")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"{ENV_API_URL} must use https:// — plain http:// would send the token in clear "
            "(http:// is accepted for this computer only: localhost, 127.0.0.1, [::1])"
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
            f"no instance id: set {ENV_ID_INSTANCE} (or run `xl-contacts login`) "
            "to the idInstance from the GREEN-API console"
        )
    if not _ID_RE.fullmatch(value):
        raise ConfigError(
            f"{ENV_ID_INSTANCE} must be digits only, as shown in the GREEN-API console"
        )
    return value


def validate_token(value: str | None) -> str:
    if not value:
        raise ConfigError(
            f"no API token: set {ENV_API_TOKEN} (or run `xl-contacts login`) "
            "to the apiTokenInstance from the GREEN-API console"
        )
    if not _TOKEN_RE.fullmatch(value) or ".." in value:
        # The value itself is never echoed: it is (almost) a secret.
        raise ConfigError(
            f"{ENV_API_TOKEN} contains characters an apiTokenInstance cannot have "
            "(only letters, digits and . _ ~ - are allowed); copy it again from the console"
        )
    return value
