"""Settings stored by ``xl-contacts login``: the token in the operating system's
credential store (Windows Credential Manager, macOS Keychain, Secret Service,
through ``keyring``), apiUrl, idInstance and flavour of each profile in a small
per-user JSON file (``platformdirs``). Never the token in a file: where no
credential store exists, ``save`` refuses and points to the environment variables.

The file (version 2)::

    {"version": 2, "profiles": {"default": {"api_url": …, "id_instance": …},
                                "sales": {…, "flavour": "whatsapp"}}}

Tokens are stored under the idInstance -- the key versions before profiles
used -- so a token is shared by profiles of the same instance and deleted only
when no profile uses it any more.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import ConfigError
from ..base.i18n import _
from ..base.names import (
    DEFAULT_PROFILE,
    ENV_API_TOKEN,
    ENV_API_URL,
    ENV_FLAVOUR,
    ENV_ID_INSTANCE,
    PROG,
)

log = logging.getLogger(__name__)

KEYRING_SERVICE = "xl-contacts GREEN-API"
CONFIG_FILE = "settings.json"
MAX_FILE_BYTES = 1 << 20  # a few profiles take a few hundred bytes


# A profile name goes into messages, a settings file and an Excel cell: a word.
_PROFILE_RE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
FILE_VERSION = 2


@dataclass(frozen=True)
class StoredProfile:
    """One instance stored by ``xl-contacts login --profile NAME`` (never the token:
    that lives in the credential store under the idInstance)."""

    name: str
    api_url: str | None = None
    id_instance: str | None = None
    flavour: str | None = None


def config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(PROG, appauthor=False)) / CONFIG_FILE


def validate_profile_name(value: str | None) -> str:
    """A profile name: letters, digits, ``_ . -``, at most 40 characters."""
    name = (value or "").strip()
    if not _PROFILE_RE.fullmatch(name):
        raise ConfigError(
            _("a profile name is 1 to 40 letters, digits, '_', '.' or '-' (e.g. sales, support-tg)")
        )
    return name


def read_profiles() -> dict[str, StoredProfile]:
    """Every stored profile by name (none when there is no file or it is unreadable).

    The single-instance file of earlier versions, ``{"api_url", "id_instance"}``,
    is the profile ``default``: an old login keeps working without a new one.
    """
    data = _read_file()
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        legacy = _profile(DEFAULT_PROFILE, data)
        return {DEFAULT_PROFILE: legacy} if legacy.id_instance else {}
    found = {}
    for name, values in profiles.items():
        if isinstance(name, str) and _PROFILE_RE.fullmatch(name) and isinstance(values, dict):
            found[name] = _profile(name, values)
    return found


def stored_token(id_instance: str) -> str | None:
    """The token stored for ``id_instance``, or None (no store, none stored, locked)."""
    if keyring_backend() is None:
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, id_instance)
    except KeyringError as error:
        log.warning("credential store unavailable: %s", type(error).__name__)
        return None


def keyring_backend() -> str | None:
    """The name of a usable credential store, or None when keyring has none."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception:  # keyring's own import/setup problems mean: no store
        return None
    chained = getattr(backend, "backends", None)
    candidates = chained if chained is not None else [backend]
    usable = [b for b in candidates if not isinstance(b, fail.Keyring | null.Keyring)]
    return type(usable[0]).__module__ + "." + type(usable[0]).__name__ if usable else None


def require_store() -> str:
    """The usable credential store's name, or the ConfigError that explains its absence."""
    backend = keyring_backend()
    if backend is None:
        raise ConfigError(
            _(
                "no credential store is available on this machine (keyring found no backend), "
                "and the token is never written to a plain file: set {id_env}, "
                "{token_env} (and {url_env}, {flavour_env}) in the environment instead"
            ).format(
                id_env=ENV_ID_INSTANCE,
                token_env=ENV_API_TOKEN,
                url_env=ENV_API_URL,
                flavour_env=ENV_FLAVOUR,
            )
        )
    return backend


def save(
    api_url: str,
    id_instance: str,
    api_token: str,
    *,
    profile: str = DEFAULT_PROFILE,
    flavour: str | None = None,
) -> Path:
    """Store the token in the credential store and the rest as ``profile`` in the
    settings file (other profiles stay as they are).

    Takes the validated values, not ``Settings``: settings are resolved from
    what is stored here, so this module must not depend on them."""
    name = validate_profile_name(profile)
    require_store()
    import keyring
    from keyring.errors import KeyringError

    profiles = read_profiles()
    replaced = profiles.get(name)
    try:
        keyring.set_password(KEYRING_SERVICE, id_instance, api_token)
    except KeyringError as error:
        raise ConfigError(
            _(
                "the credential store refused the token ({error}) — unlock it "
                "and try again, or use the environment variables"
            ).format(error=type(error).__name__)
        ) from None
    profiles[name] = StoredProfile(name, api_url, id_instance, flavour)
    path = _write_file(profiles)
    if replaced and replaced.id_instance and replaced.id_instance != id_instance:
        # The profile now names another instance: its old token is nobody's.
        _delete_unused_token(replaced.id_instance, profiles)
    return path


def forget(profile: str | None = None) -> list[str]:
    """Remove ``profile`` (every profile when None) and the tokens no remaining
    profile uses; return what was removed, for the person who asked."""
    profiles = read_profiles()
    names = list(profiles) if profile is None else [validate_profile_name(profile)]
    removed: list[str] = []
    for name in names:
        gone = profiles.pop(name, None)
        if gone is None:
            continue
        removed.append(_("profile {name}").format(name=name))
        if gone.id_instance and _delete_unused_token(gone.id_instance, profiles):
            removed.append(
                _("the token of instance {id_instance} from the credential store").format(
                    id_instance=gone.id_instance
                )
            )
    path = config_path()
    if profiles:
        if removed:
            _write_file(profiles)
    elif path.exists():
        path.unlink()
        removed.append(str(path))
    return removed


def _delete_unused_token(id_instance: str, remaining: dict[str, StoredProfile]) -> bool:
    """Delete the token of ``id_instance`` unless a remaining profile still uses it."""
    if any(p.id_instance == id_instance for p in remaining.values()):
        return False
    if keyring_backend() is None:
        return False
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, id_instance)
    except PasswordDeleteError:
        return False
    except KeyringError as error:
        raise ConfigError(
            _(
                "the credential store refused to delete the token of instance {id_instance} "
                "({error}) — unlock it and run logout again"
            ).format(id_instance=id_instance, error=type(error).__name__)
        ) from None
    return True


def _read_file() -> dict[str, Any]:
    """The file's settings; none (and one warning) when it is unreadable or
    corrupt -- the environment variables still work then."""
    path = config_path()
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError(
                _("over {kib} KiB, no settings file is that big").format(kib=MAX_FILE_BYTES >> 10)
            )
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return {}
    except RecursionError:  # brackets nested deeper than the decoder goes
        log.warning(
            _("ignoring corrupt {path}: nested too deeply — fix it or delete it").format(path=path)
        )
        return {}
    except (OSError, ValueError) as error:
        log.warning(
            _("ignoring unreadable {path}: {error} — fix it or delete it").format(
                path=path, error=error
            )
        )
        return {}
    return data if isinstance(data, dict) else {}


def _write_file(profiles: dict[str, StoredProfile]) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": FILE_VERSION,
        "profiles": {
            p.name: {
                k: v
                for k, v in (
                    ("api_url", p.api_url),
                    ("id_instance", p.id_instance),
                    ("flavour", p.flavour),
                )
                if v
            }
            for p in profiles.values()
        },
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def _profile(name: str, values: dict[str, Any]) -> StoredProfile:
    return StoredProfile(
        name,
        _str_or_none(values.get("api_url")),
        _str_or_none(values.get("id_instance")),
        _str_or_none(values.get("flavour")),
    )


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
