"""How a GREEN-API method's address is built.

Pure: no HTTP library, no threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..base.names import MAX

if TYPE_CHECKING:
    from ..config.settings import Settings


def api_prefix(flavour: str | None) -> str:
    """MAX documents its methods under /v3 (the plain path works too, but /v3 is
    what its reference pages show); WhatsApp and Telegram have no prefix."""
    return "/v3" if flavour == MAX else ""


def method_url(settings: Settings, method: str) -> str:
    """The address of ``method`` for the instance of ``settings``: it holds the
    token, so it is never logged nor shown."""
    s = settings
    return f"{s.api_url}{api_prefix(s.flavour)}/waInstance{s.id_instance}/{method}/{s.api_token}"


def contacts_params(count: int | None, group: bool | None) -> dict[str, str] | None:
    """getContacts' URL parameters, in the order GREEN-API's examples write them."""
    params = {}
    if group is not None:
        params["group"] = "true" if group else "false"
    if count is not None:
        params["count"] = str(count)
    return params or None
