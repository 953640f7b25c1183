"""Settings stored by ``xl-contacts login``: the token in the operating system's
credential store (Windows Credential Manager, macOS Keychain, Secret Service,
through ``keyring``), apiUrl and idInstance in a small per-user JSON file
(``platformdirs``). Never the token in a file: where no credential store
exists, ``save`` refuses and points to the environment variables.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE, PROG

log = logging.getLogger(__name__)

KEYRING_SERVICE = "xl-contacts GREEN-API"
CONFIG_FILE = "settings.json"


@dataclass(frozen=True)
class StoredSettings:
    """What the per-user settings file holds (never the token)."""

    api_url: str | None = None
    id_instance: str | None = None


def config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(PROG, appauthor=False)) / CONFIG_FILE


def read_stored() -> StoredSettings:
    """What the config file holds (empty when there is none or it is unreadable)."""
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StoredSettings()
    except (OSError, ValueError) as error:
        log.warning("ignoring unreadable %s: %s", path, error)
        return StoredSettings()
    if not isinstance(data, dict):
        return StoredSettings()
    return StoredSettings(
        api_url=_str_or_none(data.get("api_url")), id_instance=_str_or_none(data.get("id_instance"))
    )


def stored_value(name: str, id_instance: str | None) -> str | None:
    """A setting from the stored sources; the token is looked up for ``id_instance``."""
    stored = read_stored()
    if name == ENV_ID_INSTANCE:
        return stored.id_instance
    if id_instance is None or id_instance != stored.id_instance:
        return None  # apiUrl and token are stored for one instance only
    if name == ENV_API_URL:
        return stored.api_url
    if name == ENV_API_TOKEN:
        return _get_token(id_instance)
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
            "no credential store is available on this machine (keyring found no backend), "
            f"and the token is never written to a plain file: set {ENV_ID_INSTANCE}, "
            f"{ENV_API_TOKEN} (and {ENV_API_URL}) in the environment instead"
        )
    return backend


def save(api_url: str, id_instance: str, api_token: str) -> Path:
    """Store the token in the credential store and the rest in the config file.

    Takes the validated values, not ``Settings``: settings are resolved from
    what is stored here, so this module must not depend on them."""
    require_store()
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, id_instance, api_token)
    except KeyringError as error:
        raise ConfigError(
            f"the credential store refused the token ({type(error).__name__}) — unlock it "
            "and try again, or use the environment variables"
        ) from None
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"api_url": api_url, "id_instance": id_instance}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


def forget() -> list[str]:
    """Remove the stored token and config file; return what was removed."""
    removed: list[str] = []
    stored = read_stored()
    if stored.id_instance and keyring_backend() is not None:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(KEYRING_SERVICE, stored.id_instance)
            removed.append(f"the token of instance {stored.id_instance} from the credential store")
        except PasswordDeleteError:
            pass
    path = config_path()
    if path.exists():
        path.unlink()
        removed.append(str(path))
    return removed


def _get_token(id_instance: str) -> str | None:
    if keyring_backend() is None:
        return None
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, id_instance)
    except KeyringError as error:
        log.warning("credential store unavailable: %s", type(error).__name__)
        return None


def _str_or_none(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
