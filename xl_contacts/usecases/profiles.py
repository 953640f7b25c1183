"""Stored profiles as use cases: ``login`` (check the credentials against
GREEN-API, learn the flavour, store them) and ``listing`` (what is stored,
the token shown only as a hint). The command line asks and prints; this
module decides and stores.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..api.client import GreenApiClient
from ..base.errors import GreenApiError
from ..base.i18n import N_, _
from ..base.names import DEFAULT_API_URL, DEFAULT_PROFILE, ENV_API_TOKEN, ENV_ID_INSTANCE, MAX
from ..base.redaction import hint
from ..config import credentials
from ..config.settings import Settings, chosen_profile, load_settings
from .fetch import probe_flavour

# The listing's column headings (``profiles``): translated where shown.
LISTING_HEADERS = ("", N_("profile"), N_("flavour"), "idInstance", "apiUrl", N_("token"))


@dataclass
class LoggedIn:
    """What ``login`` stored, and what a person should know about it."""

    profile: str
    settings: Settings
    flavour: str | None
    store: str
    path: Path
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        s = self.settings
        return _(
            "saved profile {profile}: instance {id_instance} at {host} ({flavour}), "
            "token {token} in {store}; settings in {path}"
        ).format(
            profile=self.profile,
            id_instance=s.id_instance,
            host=s.host,
            flavour=self.flavour or _("flavour found out from the answers"),
            token=s.token_hint,
            store=self.store,
            path=self.path,
        )


def login(
    api_url: str | None,
    id_instance: str,
    token: str,
    *,
    profile: str,
    flavour: str | None = None,
    store: str,
    env: Mapping[str, str] | None = None,
) -> LoggedIn:
    """Check the credentials (getStateInstance: a wrong token or instance stops
    here, nothing stored), learn the flavour when not given, and store them
    under ``profile`` in ``store`` (``credentials.require_store()``)."""
    settings = load_settings(
        api_url or DEFAULT_API_URL, id_instance, token, env={}, use_stored=False, flavour=flavour
    )
    state, learned = _check(settings)
    flavour = settings.flavour or learned
    path = credentials.save(
        settings.api_url, settings.id_instance, settings.api_token, profile=profile, flavour=flavour
    )
    notes = []
    if state != "authorized":
        notes.append(
            _(
                "note: the instance is {state!r}, not 'authorized' — authorise it in the "
                "GREEN-API console (scan the QR code)"
            ).format(state=state)
        )
    env = os.environ if env is None else env
    overriding = [n for n in (ENV_ID_INSTANCE, ENV_API_TOKEN) if env.get(n)]
    if overriding and profile == DEFAULT_PROFILE:
        notes.append(
            _("note: {names} set in the environment still win over the stored settings").format(
                names=", ".join(overriding)
            )
        )
    return LoggedIn(profile, settings, flavour, store, path, notes)


def _check(settings: Settings) -> tuple[str, str | None]:
    """The instance's state, and its flavour when the answers show it: an
    instance that knows nothing of the plain path but answers under /v3 is a
    MAX one (learned once here, and stored with the profile, so that no later
    request needs a second try); one whose contacts have ``id`` fields is a
    WhatsApp one."""
    try:
        with GreenApiClient.interactive(settings) as client:
            deadline = client.query_deadline()  # check and probe: one wait for the person
            state = client.get_state(deadline=deadline)
            probed = None
            if settings.flavour is None and state == "authorized":
                probed = probe_flavour(client, deadline=deadline)
            return state, probed
    except GreenApiError as error:
        if error.status != 404 or settings.flavour is not None:
            raise
    # Not MAX either: this answer's error says what is left to check (the apiUrl).
    with GreenApiClient.interactive(replace(settings, flavour=MAX)) as client:
        return client.get_state(), MAX


def listing() -> list[list[str]]:
    """One row per stored profile, by name: ``*`` for the one used when none is
    named, profile, flavour, idInstance, apiUrl, and the token's hint (or
    ``missing``). Empty when nothing is stored."""
    stored = credentials.read_profiles()
    current = chosen_profile() or DEFAULT_PROFILE
    rows = []
    for name in sorted(stored):
        profile = stored[name]
        token = credentials.stored_token(profile.id_instance) if profile.id_instance else None
        rows.append(
            [
                "*" if name == current else "",
                name,
                profile.flavour or "auto",
                profile.id_instance or "?",
                profile.api_url or DEFAULT_API_URL,
                hint(token) if token else "missing",
            ]
        )
    return rows
