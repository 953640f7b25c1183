"""Where the GREEN-API credentials come from and how they are checked.

Order of precedence, first wins: explicit arguments, environment variables,
then what ``xl-contacts login`` stored as the profile ``default`` (settings
file + the OS credential store). A profile chosen by name (argument, or
``XL_CONTACTS_PROFILE``) is used whole: its instance, apiUrl, token and flavour
all come from the store, so a stray ``GREENAPI_*`` variable cannot mix two
instances.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..base.errors import ConfigError, GreenApiError
from ..base.i18n import N_, _
from ..base.names import (
    DEFAULT_API_URL,
    DEFAULT_PROFILE,
    ENV_API_TOKEN,
    ENV_API_URL,
    ENV_FLAVOUR,
    ENV_ID_INSTANCE,
    ENV_PROFILE,
    FLAVOURS,
    MAX,
)
from ..base.redaction import hint, protect
from . import credentials
from .validation import validate_api_url, validate_id_instance, validate_token


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
    # whatsapp, telegram, max, or None: not known (the answers tell; see kinds).
    flavour: str | None = None
    # The stored profile these settings came from, if any (a label, not an identity).
    profile: str | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """How to name this instance to a person: its profile, else its idInstance."""
        return self.profile or self.id_instance

    @property
    def host(self) -> str:
        """The apiUrl without any path: safe to show in messages."""
        parts = urlsplit(self.api_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def token_hint(self) -> str:
        """The token as a person may see it: its last four characters only."""
        return hint(self.api_token)

    def describe(self) -> str:
        """Each setting and where it came from (the token as its hint): for
        ``doctor`` and ``-v``."""
        origins = self.origins
        described = _(
            "instance {id_instance} ({id_origin}) at {host} ({host_origin}), "
            "token {token} ({token_origin})"
        ).format(
            id_instance=self.id_instance,
            id_origin=shown_origin(origins.get(ENV_ID_INSTANCE)),
            host=self.host,
            host_origin=shown_origin(origins.get(ENV_API_URL)),
            token=self.token_hint,
            token_origin=shown_origin(origins.get(ENV_API_TOKEN)),
        )
        if not self.flavour:
            return _("{settings}, flavour not set (found out from the answers)").format(
                settings=described
            )
        origin = origins.get(ENV_FLAVOUR)
        return "{settings}, {flavour} ({origin})".format(
            settings=described,
            flavour=self.flavour,
            origin=shown_origin(origin) if origin else _("from the apiUrl"),
        )

    def explain(self, error: GreenApiError) -> GreenApiError:
        """``error`` with its hint naming the settings as this person gave them
        (an option, a variable, a stored profile) and, for a 404 from an
        instance of no known flavour, the MAX instance it may be."""
        message = str(error)
        if error.status == 404 and self.flavour is None:
            what, _dash, advice = message.partition(" — ")
            message = _("{what} — {hint}; else {advice}").format(
                what=what, hint=_max_hint(self.profile, self.origins), advice=advice
            )
        message = name_sources(message, self.origins, self.profile)
        return error if message == str(error) else type(error)(message, error.status)


# Where a setting came from, as code compares it (English, whatever the language);
# shown_origin() says it in the current language.
ORIGIN_ARGUMENT = N_("argument")
ORIGIN_ENVIRONMENT = N_("environment")
ORIGIN_DEFAULT = N_("default")
ORIGIN_STORED = N_("stored by xl-contacts login")
ORIGIN_PROFILE = "profile {}"
_STORED_ORIGINS = (ORIGIN_STORED, ORIGIN_PROFILE.format(""))
# Every command that asks for all profiles says so when there is none.
NO_PROFILES = N_("no profiles are stored — add one with `xl-contacts login --profile NAME`")
# What a person calls each setting: the GREEN-API console's words, and the option.
_CALLED = {ENV_API_URL: "apiUrl", ENV_ID_INSTANCE: "idInstance", ENV_API_TOKEN: N_("token")}
_OPTION = {ENV_API_URL: "--api-url", ENV_ID_INSTANCE: "--id-instance"}
# A MAX apiUrl is often given with the /v3 of its API version (GREEN-API's own
# MAX examples do): that suffix means "MAX", not a path to refuse.
_V3_SUFFIX = re.compile(r"/v3/?$")


def shown_origin(origin: str | None) -> str:
    """Where a setting came from (an ``ORIGIN_*`` value), in the current language."""
    if origin is None:
        return "?"
    if origin.startswith(ORIGIN_PROFILE.format("")):
        return _("profile {name}").format(name=origin[len(ORIGIN_PROFILE.format("")) :])
    return _(origin)


def chosen_profile(profile: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """The profile asked for by name: ``profile``, else ``XL_CONTACTS_PROFILE``."""
    environment = os.environ if env is None else env
    for value in (profile, environment.get(ENV_PROFILE)):
        if value is not None and str(value).strip():
            return credentials.validate_profile_name(str(value))
    return None


def validate_flavour(value: str | None, name: str = ENV_FLAVOUR) -> str | None:
    """whatsapp, telegram or max (any case); empty or ``auto``: not known."""
    text = (value or "").strip().lower()
    if text in ("", "auto"):
        return None
    if text not in FLAVOURS:
        raise ConfigError(
            _("{name} must be one of {choices} (or auto)").format(
                name=name, choices=", ".join(FLAVOURS)
            )
        )
    return text


def profile_settings(name: str, *, flavour: str | None = None) -> Settings:
    """The settings stored as profile ``name`` (``flavour`` overrides the stored one)."""
    profiles = credentials.read_profiles()
    stored = profiles.get(name)
    if stored is None or not stored.id_instance:
        known = ", ".join(sorted(profiles)) or _("none yet")
        raise ConfigError(
            _(
                "no profile {name!r} is stored (stored: {known}) — add it with "
                "`xl-contacts login --profile {name}`"
            ).format(name=name, known=known)
        )
    origin = ORIGIN_PROFILE.format(name)
    token = credentials.stored_token(stored.id_instance)
    if not token:
        raise ConfigError(
            _(
                "the token of profile {name} is not in this machine's credential store — "
                "store it again with `xl-contacts login --profile {name}`"
            ).format(name=name)
        )
    api_url, implied = _api_url_and_flavour(stored.api_url or DEFAULT_API_URL)
    origins = dict.fromkeys((ENV_ID_INSTANCE, ENV_API_URL, ENV_API_TOKEN), origin)
    if flavour:
        origins[ENV_FLAVOUR] = ORIGIN_ARGUMENT
    elif stored.flavour:
        origins[ENV_FLAVOUR] = origin
    settings = _validated(
        origins,
        name,
        api_url=api_url,
        id_instance=stored.id_instance,
        api_token=token,
        flavour=validate_flavour(flavour, "--flavour")
        or validate_flavour(stored.flavour, _("the flavour of profile {name}").format(name=name))
        or implied,
    )
    protect(settings.api_token)
    return settings


def _validated(
    origins: dict[str, str],
    profile: str | None,
    *,
    api_url: str,
    id_instance: str | None,
    api_token: str | None,
    flavour: str | None,
) -> Settings:
    """Settings from these values, or a ConfigError naming each wrong value
    where it came from (``name_sources``)."""
    try:
        return Settings(
            api_url=validate_api_url(api_url),
            id_instance=validate_id_instance(id_instance),
            api_token=validate_token(api_token),
            origins=origins,
            flavour=flavour,
            profile=profile,
        )
    except ConfigError as error:
        raise ConfigError(name_sources(str(error), origins, profile)) from None


def _api_url_and_flavour(value: str) -> tuple[str, str | None]:
    """``value`` without a trailing ``/v3`` and the flavour that suffix implies."""
    bare = _V3_SUFFIX.sub("", value.strip())
    return (bare, MAX) if bare != value.strip() else (value, None)


def name_sources(text: str, origins: Mapping[str, str], profile: str | None) -> str:
    """``text`` (a message naming settings by their variables) with each setting
    named where it really came from: the option, the variable, or the stored
    profile -- then with the command that replaces a stored value."""
    stored = 0
    for key, called in _CALLED.items():
        origin = origins.get(key, ORIGIN_ENVIRONMENT)
        if key not in text or origin == ORIGIN_ENVIRONMENT:
            continue
        if origin == ORIGIN_ARGUMENT:
            option = _OPTION.get(key)
            if option:
                name = _("the {called} given ({option})").format(called=_(called), option=option)
            else:
                name = _("the {called} given").format(called=_(called))
        elif origin == ORIGIN_DEFAULT:
            name = _("{key} (not set, so {url} was used)").format(key=key, url=DEFAULT_API_URL)
        elif origin.startswith(_STORED_ORIGINS):
            name = _("the {called} of profile {profile}").format(
                called=_(called), profile=profile or DEFAULT_PROFILE
            )
            stored += 1
        else:
            continue
        text = text.replace(key, name)
    if not stored:
        return text
    replaces = (
        _("{text}; {command} replaces it") if stored == 1 else _("{text}; {command} replaces them")
    )
    return replaces.format(text=text, command=_login_command(profile))


def _login_command(profile: str | None) -> str:
    named = f" --profile {profile}" if profile and profile != DEFAULT_PROFILE else ""
    return f"`xl-contacts login{named}`"


def _max_hint(profile: str | None, origins: Mapping[str, str]) -> str:
    """How to say that an instance is a MAX one, for these settings' origins."""
    if str(origins.get(ENV_ID_INSTANCE, "")).startswith(_STORED_ORIGINS):
        how = _("--flavour max, or store it: {command} finds it out").format(
            command=_login_command(profile)
        )
    else:
        how = _("--flavour max, {env}=max or an apiUrl ending in /v3").format(env=ENV_FLAVOUR)
    return _("if this is a MAX instance, say so ({how})").format(how=how)


def load_settings(
    api_url: str | None = None,
    id_instance: str | int | None = None,
    api_token: str | None = None,
    *,
    profile: str | None = None,
    flavour: str | None = None,
    env: Mapping[str, str] | None = None,
    use_stored: bool = True,
) -> Settings:
    """Collect, validate and return the settings, or raise ``ConfigError``.

    A profile chosen by name (``profile``, else ``XL_CONTACTS_PROFILE``) is used
    whole and cannot be combined with an explicit instance. Otherwise explicit
    arguments win over the environment (``env`` defaults to ``os.environ``),
    which wins over the stored profile ``default``; a stored apiUrl, token or
    flavour is used only for its own instance (an instance given by id finds the
    profile that stores it). Nothing here touches the network.
    """
    environment = os.environ if env is None else env
    name = chosen_profile(profile, environment) if use_stored else None
    if name is not None:
        if any(v is not None and str(v).strip() for v in (api_url, id_instance, api_token)):
            raise ConfigError(
                _(
                    "profile {name} already names an instance: leave out the apiUrl, "
                    "idInstance and token, or the profile"
                ).format(name=name)
            )
        return profile_settings(name, flavour=flavour)
    values: dict[str, str] = {}
    origins: dict[str, str] = {}
    profiles = credentials.read_profiles() if use_stored else {}
    stored = profiles.get(DEFAULT_PROFILE)

    def resolve(key: str, given: object, from_store: Callable[[], str | None]) -> None:
        candidates = [(given, ORIGIN_ARGUMENT), (environment.get(key), ORIGIN_ENVIRONMENT)]
        for value, origin in candidates:
            if value is not None and str(value).strip():
                values[key], origins[key] = str(value).strip(), origin
                return
        found = from_store()  # only now: reading the credential store may prompt
        if found and found.strip():
            values[key], origins[key] = found.strip(), ORIGIN_STORED

    # The instance first: the stored apiUrl and token belong to one instance.
    resolve(ENV_ID_INSTANCE, id_instance, lambda: stored.id_instance if stored else None)
    # The stored profile of that instance (default first), if any: its apiUrl and token.
    mine = next(
        (
            p
            for p in sorted(profiles.values(), key=lambda p: p.name != DEFAULT_PROFILE)
            if p.id_instance == values.get(ENV_ID_INSTANCE)
        ),
        None,
    )
    resolve(ENV_API_URL, api_url, lambda: mine.api_url if mine else None)
    resolve(
        ENV_API_TOKEN,
        api_token,
        lambda: credentials.stored_token(mine.id_instance) if mine and mine.id_instance else None,
    )
    if ENV_API_URL not in values:
        values[ENV_API_URL], origins[ENV_API_URL] = DEFAULT_API_URL, ORIGIN_DEFAULT
    bare_url, implied = _api_url_and_flavour(values[ENV_API_URL])
    name = mine.name if mine else None
    chosen_flavour = None
    for value, origin, called in (
        (flavour, ORIGIN_ARGUMENT, "--flavour"),
        (environment.get(ENV_FLAVOUR), ORIGIN_ENVIRONMENT, ENV_FLAVOUR),
        (
            mine.flavour if mine else None,
            ORIGIN_STORED,
            _("the flavour of profile {name}").format(name=name),
        ),
    ):
        chosen_flavour = validate_flavour(value, called)
        if chosen_flavour:
            origins[ENV_FLAVOUR] = origin
            break
    settings = _validated(
        origins,
        name,
        api_url=bare_url,
        id_instance=values.get(ENV_ID_INSTANCE),
        api_token=values.get(ENV_API_TOKEN),
        flavour=chosen_flavour or implied,
    )
    protect(settings.api_token)
    return settings
