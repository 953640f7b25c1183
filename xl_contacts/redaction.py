"""Keeping the token out of everything the process prints or logs.

Every token that settings load is registered here; ``redact`` replaces each
registered token in a text with ``***``. urllib3 logs request lines
("GET /waInstance1/getContacts/<token>") at DEBUG level, so log records that
mention a token are rewritten too.
"""

from __future__ import annotations

import logging
import threading

REDACTED = "***"

_protected: set[str] = set()
_lock = threading.Lock()


class _RedactingFilter(logging.Filter):
    """Rewrites log records that mention a protected token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_filter = _RedactingFilter()
_LOGGERS_THAT_SEE_URLS = ("urllib3.connectionpool", "urllib3", "requests", "xl_contacts")


def redact(text: str) -> str:
    """``text`` with every token this process has loaded replaced by ``***``."""
    for token in tuple(_protected):
        text = text.replace(token, REDACTED)
    return text


def protect(token: str) -> None:
    """Register ``token`` so that messages and log records mentioning it are redacted."""
    with _lock:
        if token in _protected:
            return
        _protected.add(token)
        for name in _LOGGERS_THAT_SEE_URLS:
            logger = logging.getLogger(name)
            if _filter not in logger.filters:
                logger.addFilter(_filter)
