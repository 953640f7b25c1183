"""One field's value as table text: the rules every contact's values go
through (``normalise``), for one value and for a whole column at once -- the
column functions run the same rule, with one search of the joined column where
the rule is a search (``cells.matching``).

Every value is text: chat ids such as ``-100200300`` and phone numbers such as
``79876543210`` are identifiers, not quantities (Excel would round them to 15
digits).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any

from ..base.cells import matching

# E.164: a phone number has at most 15 digits; longer is not a phone number.
MAX_PHONE_DIGITS = 15
# The whole numbers that are phone numbers: positive, at most 15 digits (0 is
# a hidden one). A range: ``in`` is one comparison, also mapped over a column.
_WHOLE_PHONES = range(1, 10**MAX_PHONE_DIGITS)
# What a phone number written as text may contain besides digits.
_PHONE_TEXT = re.compile(r"[0-9 +()./-]+")
# A lone UTF-16 surrogate ("\ud83d" in the JSON) cannot be encoded anywhere.
_SURROGATE = re.compile("[\ud800-\udfff]")


def cell_text(value: Any) -> str:
    """Any JSON value as cell text: None -> '', numbers as written, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool | dict | list):
        try:
            return _text(json.dumps(value, ensure_ascii=False))
        except (RecursionError, ValueError):  # nested past what json can write
            return "…"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def cell_texts(values: Sequence[Any]) -> list[str]:
    """``[cell_text(v) for v in values]``: a column of text (or None) by one
    search of it for lone surrogates, any other value by value."""
    try:
        joined = "".join(values)  # the usual column, all text (None or a number raises)
        texts = list(values)
    except TypeError:
        if not set(map(type, values)) <= {str, type(None)}:
            return list(map(cell_text, values))
        texts = [v or "" for v in values]
        joined = "".join(texts)
    for at in matching(_SURROGATE, texts, unprintable=True, joined=joined):
        texts[at] = _text(texts[at])
    return texts


def rows_text(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    """``[cell_text(v) for v in row]`` of every row, column by column."""
    rows = [list(row) for row in rows]
    width = max(map(len, rows), default=0)
    if not width or set(map(len, rows)) != {width}:
        return [cell_texts(row) for row in rows]
    return [list(row) for row in zip(*map(cell_texts, zip(*rows, strict=True)), strict=True)]


def _text(value: str) -> str:
    """``value`` with each lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def phone_text(value: Any) -> str:
    """phoneNumber as a string of digits; hidden (0), missing or junk -> ''.

    Junk is anything that is not a positive whole number of at most 15 digits,
    or text made of such digits and the usual separators (``+7 (900) 123-45-67``):
    objects, lists, booleans, words, formulas."""
    return _PHONE_RULES.get(type(value), _no_phone)(value)


def phone_texts(values: Sequence[Any]) -> list[str]:
    """``[phone_text(v) for v in values]``."""
    if set(map(type, values)) != {int}:
        return list(map(phone_text, values))
    # The usual column, whole numbers: _whole_phone's rule, column-wise.
    texts = list(map(str, values))
    if min(values) >= 0 and max(values) < _WHOLE_PHONES.stop:
        outside = map(operator.not_, values)  # in the range but 0: the hidden ones
    else:
        outside = map(operator.not_, map(_WHOLE_PHONES.__contains__, values))
    for at in compress(range(len(texts)), outside):
        texts[at] = ""
    return texts


def _whole_phone(value: int) -> str:
    return str(value) if value in _WHOLE_PHONES else ""


def _float_phone(value: float) -> str:
    return _whole_phone(int(value)) if value.is_integer() else ""


def _text_phone(value: str) -> str:
    if value.isascii() and value.isdigit():
        digits = value  # the usual text: digits only (WhatsApp ids)
    elif _PHONE_TEXT.fullmatch(value):
        digits = "".join(filter(str.isdigit, value))
    else:
        digits = ""
    return digits if digits.strip("0") and len(digits) <= MAX_PHONE_DIGITS else ""


def _no_phone(value: Any) -> str:
    return ""


# phone_text by the JSON type of the value (bool, None, objects: no phone)
_PHONE_RULES = {int: _whole_phone, float: _float_phone, str: _text_phone}
