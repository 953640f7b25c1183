"""Keeping the token out of everything the process prints or logs.

Every token that settings load is registered with ``protect``; ``redact``
replaces each registered token in a text with ``***``.

Redaction happens where a log record is *made*, not where it is printed: the
first ``protect`` wraps the process's log record factory, so every record of
every logger -- urllib3's child loggers, a host program's own, loggers created
later, whatever handlers and levels the host program set up (e.g.
``logging.basicConfig(level=logging.DEBUG)``) -- carries a redacted message,
redacted arguments and a redacted traceback before any handler sees it.
(A filter on a logger would not do: records of child loggers such as
``urllib3.connectionpool`` never pass through the filters of ``urllib3``.)
Warnings are redacted where they are formatted and shown.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
import warnings
from typing import Any

REDACTED = "***"

_protected: set[str] = set()
_lock = threading.Lock()
_installed = False
# Set by one_line_tracebacks(): a record's traceback becomes one line.
_one_line = False


def hint(token: str) -> str:
    """The token as a person may see it: its last four characters only (and
    not even those of a token too short to keep them secret)."""
    return f"{REDACTED}{token[-4:]}" if len(token) > 12 else REDACTED


def redact(text: str) -> str:
    """``text`` with every token this process has loaded replaced by ``***``."""
    for token in tuple(_protected):
        if token in text:
            text = text.replace(token, REDACTED)
    return text


def protect(token: str) -> None:
    """Register ``token``: from now on no log record or warning of this process
    shows it."""
    with _lock:
        _protected.add(token)
        _ensure_installed()


def one_line_tracebacks() -> None:
    """From now on every log record of every logger is one line: a traceback
    (urllib3 logs one for a malformed header) becomes the exception's name and
    first line after the message. For a command's verbose output, where each
    event is one line; a host program that wants tracebacks does not call it."""
    global _one_line
    with _lock:
        _one_line = True
        _ensure_installed()


def _ensure_installed() -> None:
    global _installed
    if not _installed:
        _install()
        _installed = True


def _install() -> None:
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    show, format_ = warnings.showwarning, warnings.formatwarning

    def showwarning(message: Any, *args: Any, **kwargs: Any) -> None:
        show(_redacted_warning(message), *args, **kwargs)

    def formatwarning(message: Any, *args: Any, **kwargs: Any) -> str:
        return redact(format_(_redacted_warning(message), *args, **kwargs))

    warnings.showwarning, warnings.formatwarning = showwarning, formatwarning


def _redact_record(record: logging.LogRecord) -> None:
    """Rewrite ``record`` in place so that nothing a handler may print holds a token."""
    if _one_line:
        _fold(record)
    if not _protected:
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken log call: logging reports it later with msg and args
        message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
    else:
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        redacted = redact(text)
        if redacted != text:
            # Formatter uses exc_text as it is; without exc_info no handler can
            # format the original (token-bearing) exception again.
            record.exc_text, record.exc_info = redacted, None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _fold(record: logging.LogRecord) -> None:
    """The record as one line: its traceback as the exception's name and first
    line after the message, no stack, line breaks of the message as `` | ``."""
    error = record.exc_info[1] if record.exc_info else None
    try:
        message = record.getMessage()
    except Exception:  # a broken log call: logging reports it later with msg and args
        return
    if error is None and not record.stack_info and not _BREAKS.search(message):
        return
    if error is not None:
        # Redacted before it is cut: a cut token is no longer found by redact().
        detail = (redact(str(error)).strip().splitlines() or [""])[0]
        detail = detail if len(detail) <= _DETAIL_LIMIT else detail[: _DETAIL_LIMIT - 1] + "…"
        said = not detail or detail in message  # urllib3 repeats it in its message
        message += f" [{type(error).__name__}{'' if said else ': ' + detail}]"
    record.msg, record.args = " | ".join(_BREAKS.split(message.strip())), None
    record.exc_info, record.exc_text, record.stack_info = None, None, None


_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# How much of an exception's text a folded record keeps.
_DETAIL_LIMIT = 160


def _redacted_warning(message: Any) -> Any:
    text = str(message)
    redacted = redact(text)
    return message if redacted == text else redacted
