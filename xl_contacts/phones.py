"""Phone numbers people can read: ``phoneNumber`` digits in international format,
and the country they belong to, from Google's numbering-plan metadata (the
``phonenumbers`` library).

``phoneNumber`` holds E.164 digits: the country calling code, then the national
number -- there is nothing to parse. phonenumbers' ``parse`` + ``format_number``
take about 25 µs a number: for 100,000 contacts longer than writing the whole
report. So this module applies the same metadata the way ``format_number`` does,
with what can be worked out once worked out once:

* a number's format is the first of its calling code's INTERNATIONAL formats
  whose pattern fits the whole number and whose leading-digits pattern matches
  its start. Every format pattern of the metadata only counts digits (checked),
  so which formats fit, and the groups each cuts, depend on the length alone:
  they are compiled once per calling code and length into %-templates;
* the country is the calling code's only region, or -- for codes shared by
  several countries (+1, +7, +44…) -- the first region whose leading digits match,
  or for which the number is valid: that slow check is made once for numbers
  with the same first six digits (area code and exchange decide it).

tests/test_phones.py checks the results against ``phonenumbers`` itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import phonenumbers  # its core: ~15 ms to import (its geocoder, not used, takes 0.3 s)

from .countries import COUNTRY_NAMES

NON_GEOGRAPHIC = "001"  # phonenumbers' region of +800, +882… (no country)
INTERNATIONAL_SERVICES = "International"
_REGION_PREFIX = 6
_MIN_NATIONAL, _MAX_NATIONAL = 2, 17  # phonenumbers' bounds of a national number
# Format patterns that only count digits, e.g. (\d{3})(\d{2,3})(\d{4}), and rules
# that only put separators between the groups, e.g. \1 \2-\3.
_COUNTING = re.compile(r"(?:\(\\d(?:\{\d+(?:,\d+)?\})?\))+")
_SEPARATING = re.compile(r"\\1(?:[^\\\d]+\\\d)*")
_GROUPS = re.compile(r"(\d+)(\D*)")


@dataclass(frozen=True)
class _Shape:
    """What numbers starting with the same three digits and as long share."""

    code: int  # 0: no calling code fits, or the national number's length cannot be
    skip: int  # digits of the calling code
    formats: tuple[tuple[Any, str, Any], ...] = ()  # (leading digits, template, groups)


_NO_NUMBER = _Shape(0, 0)


class PhoneFormatter:
    """``international(digits)`` and ``country(digits)``, '' when unknown."""

    def __init__(self) -> None:
        self._codes: dict[int, tuple[str, ...]] = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        self._shapes: dict[tuple[str, int], _Shape] = {}
        self._regions: dict[int, list[tuple[str, Any, str]]] = {}
        self._valid: dict[tuple[str, str], bool] = {}

    def international(self, digits: str) -> str:
        """E.g. '79876543210' -> '+7 987 654-32-10'."""
        shape = self._shapes.get((digits[:3], len(digits))) or self._shape(digits)
        if not shape.code:
            return ""
        national = digits[shape.skip :]
        for leading, template, groups in shape.formats:
            if leading is None or leading.match(national):
                return template % groups(digits)
        return f"+{shape.code} {national}"  # no format fits: as format_number does

    def country(self, digits: str) -> str:
        """E.g. '79876543210' -> 'Russia'."""
        shape = self._shapes.get((digits[:3], len(digits))) or self._shape(digits)
        if not shape.code:
            return ""
        regions = self._regions.get(shape.code) or self._regions_of(shape.code)
        if len(regions) == 1:
            return regions[0][2]
        national = digits[shape.skip :]
        for region, leading, name in regions:  # as region_code_for_number does
            if leading is not None:
                if leading.match(national):
                    return name
                continue
            key = (region, national[:_REGION_PREFIX])
            valid = self._valid.get(key)
            if valid is None:
                valid = self._valid[key] = self._is_valid(shape.code, national, region)
            if valid:
                return name
        return ""

    def _shape(self, digits: str) -> _Shape:
        shape = _NO_NUMBER
        if digits[:1] not in ("", "0"):  # phonenumbers: no calling code starts with 0
            for skip in (1, 2, 3):
                code = int(digits[:skip])
                if code in self._codes:
                    if _MIN_NATIONAL <= len(digits) - skip <= _MAX_NATIONAL:
                        shape = _Shape(code, skip, self._formats(code, skip, len(digits)))
                    break
        self._shapes[(digits[:3], len(digits))] = shape
        return shape

    def _formats(self, code: int, skip: int, length: int) -> tuple[tuple[Any, str, Any], ...]:
        """The code's INTERNATIONAL formats (the ones format_number picks from)
        that fit numbers of ``length`` digits: leading-digits pattern, %-template
        and the slices of the digits that fill it."""
        region = phonenumbers.region_code_for_country_code(code)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
        example = "0" * (length - skip)
        formats = []
        for f in (metadata.intl_number_format or metadata.number_format) if metadata else ():
            if not (_COUNTING.fullmatch(f.pattern) and _SEPARATING.fullmatch(f.format)):
                # A new kind of rule in a newer phonenumbers: say so, loudly, in tests.
                raise AssertionError(f"phonenumbers format {f.pattern} -> {f.format} is new")
            pattern = re.compile(f.pattern)
            if not pattern.fullmatch(example):
                continue
            slices, start, template = [], skip, f"+{code} "
            for group, separator in _GROUPS.findall(pattern.sub(f.format, example)):
                slices.append(slice(start, start + len(group)))
                start += len(group)
                template += "%s" + separator.replace("%", "%%")
            leading = f.leading_digits_pattern[-1] if f.leading_digits_pattern else None
            formats.append(
                (re.compile(leading) if leading else None, template, itemgetter(*slices))
            )
        return tuple(formats)

    def _regions_of(self, code: int) -> list[tuple[str, Any, str]]:
        metadata_for = phonenumbers.PhoneMetadata.metadata_for_region
        regions = []
        for region in self._codes[code]:
            metadata = metadata_for(region)
            leading = metadata.leading_digits if metadata else None
            regions.append((region, re.compile(leading) if leading else None, _name(region)))
        self._regions[code] = regions
        return regions

    def _is_valid(self, code: int, national: str, region: str) -> bool:
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        zeros = len(national) - len(national.lstrip("0"))
        if zeros:  # Italy's leading zero is part of the number
            number.italian_leading_zero = True
            number.number_of_leading_zeros = zeros
        return bool(phonenumbers.is_valid_number_for_region(number, region))


def _name(region: str) -> str:
    return INTERNATIONAL_SERVICES if region == NON_GEOGRAPHIC else COUNTRY_NAMES.get(region, "")
