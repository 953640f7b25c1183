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
  its start. Every format pattern of the metadata only counts digits (checked;
  a code with another kind of rule is left to phonenumbers), so which formats
  fit, and the groups each cuts, depend on the length alone: per calling code and
  length, the fitting formats' leading-digits patterns become one pattern (its
  alternatives in order: the group that matches names the format) and each
  format a %-template;
* the country is the calling code's only region, or -- for codes shared by
  several countries (+1, +7, +44…) -- the first region whose leading digits match,
  or for which the number is valid: that slow check is made once for numbers
  with the same first six digits (area code and exchange decide it);
* all of that together -- which template, which slices, which country -- depends
  on the length and on no more digits than those patterns can read (at most six
  or so): ``describe_all`` works it out once per such prefix and then only fills
  the template, a few times faster than matching per number.

tests/test_phones.py checks the results against ``phonenumbers`` itself.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import getitem, is_, itemgetter
from typing import Any

import phonenumbers  # its core: ~15 ms to import (its geocoder, not used, takes 0.3 s)

from ..base.countries import COUNTRY_NAMES

try:  # to bound how many digits a pattern can read (private; sre_parse before 3.11)
    from re import _parser as _re_parser
except ImportError:  # pragma: no cover - a Python whose re has no _parser
    _re_parser = None  # type: ignore[assignment]

NON_GEOGRAPHIC = "001"  # phonenumbers' region of +800, +882… (no country)
INTERNATIONAL_SERVICES = "International"
_REGION_PREFIX = 6
_MIN_NATIONAL, _MAX_NATIONAL = 2, 17  # phonenumbers' bounds of a national number
# Format patterns that only count digits, e.g. (\d{3})(\d{2,3})(\d{4}), and rules
# that only put separators between the groups, e.g. \1 \2-\3.
_COUNTING = re.compile(r"(?:\(\\d(?:\{\d+(?:,\d+)?\})?\))+")
_SEPARATING = re.compile(r"\\1(?:[^\\\d]+\\\d)*")
_GROUPS = re.compile(r"(\d+)(\D*)")
_INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL
# Patterns of digits, classes, groups, alternatives and bounded repeats only: what
# such a pattern decides at the start of a number depends on its first
# getwidth()[1] digits alone (no look-ahead, no anchors, nothing unbounded).
_BOUNDED = re.compile(r"(?:[0-9\[\]()?:|{},-]|\\d)*")
# Prefixes remembered, in all (~7 MB); past that all are forgotten and learnt
# again: a list of random numbers from everywhere cannot grow memory without end.
_KNOWN_MAX = 1 << 16


@dataclass(frozen=True)
class _Shape:
    """What numbers with the same first three digits and length share."""

    code: int  # the calling code; 0 when none fits or the length cannot be a number's
    skip: int = 0  # its digits
    # Matches the national number with group i when format i is the one to use:
    # the leading-digits patterns in format_number's order, as alternatives.
    pick: re.Pattern[str] | None = None
    layouts: tuple[tuple[str, Any], ...] = ()  # (%-template, the digits' slices) by format
    country: str | None = None  # None: a calling code shared by several countries
    library: bool = False  # a rule that is not plain: phonenumbers formats the number


_NO_NUMBER = _Shape(0)
# What numbers with the same prefix (see PhoneFormatter._prefix) share: the
# international format as a %-template and what fills it, and the country.
_Known = tuple[str, Callable[[str], Any], str]
_NOTHING: _Known = ("", lambda digits: (), "")
# Where the characters of a layout's international format come from: the same
# for every number of its length -- one record of it (constants in place, a
# newline after) and (place in the record, index of the digit) of each digit.
_Plan = tuple[bytes, int, list[tuple[int, int]]]
_ALIKE = 16  # numbers of one layout in a batch worth formatting together
_Prefix = tuple[slice, dict[str, _Known], bool]
_SHAPE = slice(3)  # what _Shape is known by, with the length
# A shared calling code's regions: (pattern picking among the first ones, their
# names, the rest as (region, leading digits or None, name)).
_Regions = tuple[re.Pattern[str] | None, tuple[str, ...], list[tuple[str, Any, str]]]
_EMPTY = ("", "")


class PhoneFormatter:
    """``describe(digits) -> (international, country)``; '' for what is unknown."""

    def __init__(self) -> None:
        self._codes: dict[int, tuple[str, ...]] = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        self._shapes: dict[tuple[str, int], _Shape] = {}
        self._regions: dict[int, _Regions] = {}
        self._valid: dict[tuple[str, str], bool] = {}
        self._plans: dict[Any, _Plan] = {}  # by the layout's fill (an itemgetter)
        # By the first three digits and the length: the first digits that decide
        # all of describe()'s answer but the digits it fills in, the answers by
        # those digits, and whether answers are kept (not when no bound is known).
        self._prefixes: dict[tuple[str, int], _Prefix] = {
            ("", 0): (slice(0), {"": _NOTHING}, False)  # no number: nothing to describe
        }
        self._remembered = 0  # answers kept in all the prefixes' dicts

    def describe_all(self, numbers: Sequence[str]) -> tuple[list[str], list[str]]:
        """``describe`` of each of ``numbers`` ('' for ''), as two lists: what
        numbers with the same prefix share is looked up, the rest filled in --
        each step for all numbers at once, in C (map), and only what is not
        known yet in Python."""
        everything = "".join(numbers)  # digits only, as phone_text makes them?
        if not (everything.isascii() and everything.isdigit()) and everything:
            described = [self.describe(digits) if digits else _EMPTY for digits in numbers]
            return [f for f, _ in described], [c for _, c in described]
        if not numbers:
            return [], []
        rows = range(len(numbers))
        shapes = list(zip(map(getitem, numbers, repeat(_SHAPE)), map(len, numbers), strict=True))
        prefixes = list(map(self._prefixes.get, shapes))
        for i in compress(rows, map(is_, prefixes, repeat(None))):
            prefixes[i] = self._prefixes.get(shapes[i]) or self._prefix(numbers[i])
        keys = map(getitem, numbers, map(itemgetter(0), prefixes))
        found = list(map(dict.get, map(itemgetter(1), prefixes), keys))
        for i in compress(rows, map(is_, found, repeat(None))):  # learnt earlier in the batch?
            cut, known, keep = prefixes[i]
            found[i] = known.get(numbers[i][cut]) or self._learn(numbers[i], cut, known, keep)
        templates, fills, countries = zip(*found, strict=True)
        return self._fill_all(numbers, templates, fills), list(countries)

    def _fill_all(
        self, numbers: Sequence[str], templates: Sequence[str], fills: Sequence[Any]
    ) -> list[str]:
        """``template % fill(digits)`` of each number: for many numbers of one
        layout at once (all of one length), as ``_fill_alike`` does it."""
        formatted = [""] * len(numbers)
        for fill, count in Counter(fills).items():
            if fill is _NOTHING[1]:
                continue  # no number: ''
            rows = compress(range(len(numbers)), map(is_, fills, repeat(fill)))
            plan = self._plans.get(fill)
            if plan is not None and count >= _ALIKE:
                at = list(rows)
                for i, text in zip(at, _fill_alike(plan, itemgetter(*at)(numbers)), strict=True):
                    formatted[i] = text
            else:
                for i in rows:
                    formatted[i] = templates[i] % fill(numbers[i])
        return formatted

    def _learn(self, digits: str, cut: slice, known: dict[str, _Known], keep: bool) -> _Known:
        """describe()'s answer for ``digits`` as a template, what fills it and the
        country; remembered for its prefix ``digits[cut]`` when ``keep``."""
        international, country = self.describe(digits)
        found: _Known = (international.replace("%", "%%"), _no_digits, country)
        shape = self._shapes[(digits[:3], len(digits))]
        if not shape.code:
            found = _NOTHING
        elif not shape.library:
            match = shape.pick.match(digits, shape.skip) if shape.pick else None
            if match:
                found = (*shape.layouts[match.lastindex - 1], country)  # type: ignore[operator]
            else:
                found = (f"+{shape.code} %s", itemgetter(slice(shape.skip, None)), country)
        if keep:
            if self._remembered >= _KNOWN_MAX:
                for _, answers, kept in self._prefixes.values():
                    if kept:
                        answers.clear()
                self._remembered = 0
            known[digits[cut]] = found
            self._remembered += 1
        return found

    def _prefix(self, digits: str) -> _Prefix:
        """How many first digits decide describe()'s answer for numbers of this
        calling code and length, as far as patterns can be bounded (not when
        the library formats them, or a pattern reads on and on)."""
        shape = self._shapes.get((digits[:3], len(digits))) or self._shape(digits)
        length: int | None = 0
        if shape.library:
            length = None
        elif shape.code:
            patterns = [shape.pick] if shape.pick else []
            if shape.country is None:
                pick, _, rest = self._regions.get(shape.code) or self._regions_of(shape.code)
                patterns += [pick] if pick else []
                patterns += [leading for _, leading, _ in rest if leading is not None]
                validity = any(leading is None for _, leading, _ in rest)
                length = _REGION_PREFIX if validity else 0
            for pattern in patterns:
                width = _width(pattern)
                length = None if width is None or length is None else max(length, width)
            if length is not None:
                length += shape.skip
        found = (slice(length or 0), {}, length is not None)
        self._prefixes[(digits[:3], len(digits))] = found
        return found

    def describe(self, digits: str) -> tuple[str, str]:
        """E.g. '79876543210' -> ('+7 987 654-32-10', 'Russia')."""
        if not (digits.isascii() and digits.isdigit()):
            return _EMPTY
        shape = self._shapes.get((digits[:3], len(digits))) or self._shape(digits)
        if not shape.code:
            return _EMPTY
        match = shape.pick.match(digits, shape.skip) if shape.pick else None
        if match:
            template, groups = shape.layouts[match.lastindex - 1]  # type: ignore[operator]
            international = template % groups(digits)
        elif shape.library:
            number = _number(shape.code, digits[shape.skip :])
            international = phonenumbers.format_number(number, _INTERNATIONAL)
        else:  # no format fits: as format_number does
            international = f"+{shape.code} {digits[shape.skip :]}"
        country = shape.country
        if country is None:
            country = self._country(shape.code, digits[shape.skip :])
        return international, country

    def international(self, digits: str) -> str:
        return self.describe(digits)[0]

    def country(self, digits: str) -> str:
        return self.describe(digits)[1]

    def _country(self, code: int, national: str) -> str:
        """As region_code_for_number decides between the countries of a shared
        code: the first whose leading digits match, or for which the number is
        valid -- that slow check made once for numbers with the same first six
        digits."""
        pick, names, rest = self._regions.get(code) or self._regions_of(code)
        match = pick.match(national) if pick else None
        if match:
            return names[match.lastindex - 1]  # type: ignore[operator]
        for region, leading, name in rest:
            if leading is not None:
                if leading.match(national):
                    return name
                continue
            key = (region, national[:_REGION_PREFIX])
            valid = self._valid.get(key)
            if valid is None:
                number = _number(code, national)
                valid = self._valid[key] = phonenumbers.is_valid_number_for_region(number, region)
            if valid:
                return name
        return ""

    def _shape(self, digits: str) -> _Shape:
        shape = _NO_NUMBER
        if digits[0] != "0":  # no calling code starts with 0
            for skip in (1, 2, 3):
                code = int(digits[:skip])
                if code in self._codes:
                    if _MIN_NATIONAL <= len(digits) - skip <= _MAX_NATIONAL:
                        shape = self._compile(code, skip, len(digits))
                    break
        self._shapes[(digits[:3], len(digits))] = shape
        return shape

    def _compile(self, code: int, skip: int, length: int) -> _Shape:
        """The code's INTERNATIONAL formats (those format_number picks from) that
        fit numbers of ``length`` digits, as one pattern to pick with and a
        %-template per format with the slices of the digits that fill it."""
        region = phonenumbers.region_code_for_country_code(code)
        metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
        regions = self._codes[code]
        country = _name(regions[0]) if len(regions) == 1 else None
        example = "0" * (length - skip)
        alternatives, layouts = [], []
        for f in (metadata.intl_number_format or metadata.number_format) if metadata else ():
            leading = f.leading_digits_pattern[-1] if f.leading_digits_pattern else ""
            if not (
                _COUNTING.fullmatch(f.pattern)
                and _SEPARATING.fullmatch(f.format)
                and re.compile(leading).groups == 0
            ):  # not seen in phonenumbers 9: leave such a code to the library
                return _Shape(code, skip, country=country, library=True)
            pattern = re.compile(f.pattern)
            if not pattern.fullmatch(example):
                continue
            slices, start, template = [], skip, f"+{code} "
            places: list[str | int] = [*template]  # each character's: a digit's index
            for group, separator in _GROUPS.findall(pattern.sub(f.format, example)):
                slices.append(slice(start, start + len(group)))
                places += [*range(start, start + len(group)), *separator]
                start += len(group)
                template += "%s" + separator.replace("%", "%%")
            alternatives.append(f"({leading})")
            fill = itemgetter(*slices)
            layouts.append((template, fill))
            if all(isinstance(p, int) or p.isascii() for p in places):
                self._plans[fill] = _plan(places, length)
        pick = re.compile("|".join(alternatives)) if alternatives else None
        return _Shape(code, skip, pick, tuple(layouts), country)

    def _regions_of(self, code: int) -> _Regions:
        """The code's regions in order: those told by their leading digits up to
        the first that is not, as one pattern (group i: region i), then the rest."""
        metadata_for = phonenumbers.PhoneMetadata.metadata_for_region
        regions = []
        for region in self._codes[code]:
            metadata = metadata_for(region)
            leading = metadata.leading_digits if metadata else None
            regions.append((region, leading, _name(region)))
        first = next(
            (i for i, (_, ld, _) in enumerate(regions) if not ld or re.compile(ld).groups),
            len(regions),
        )
        pick = "|".join(f"({leading})" for _, leading, _ in regions[:first])
        rest = [
            (r, re.compile(leading) if leading else None, n) for r, leading, n in regions[first:]
        ]
        found = self._regions[code] = (
            re.compile(pick) if pick else None,
            tuple(name for _, _, name in regions[:first]),
            rest,
        )
        return found


def _no_digits(digits: str) -> tuple[()]:
    """The fill of a template with no %s in it (a number the library formatted)."""
    return ()


def _plan(places: list[str | int], length: int) -> _Plan:
    record = bytes(48 if isinstance(p, int) else ord(p) for p in places) + b"\n"
    return record, length, [(i, p) for i, p in enumerate(places) if isinstance(p, int)]


def _fill_alike(plan: _Plan, numbers: tuple[str, ...]) -> list[str]:
    """The international format of ``numbers`` (of one layout, so one length):
    their digits as one string, every record of the output put together in a
    bytearray at once by strided copies (each digit of every record in one
    go), then split. A few times faster than formatting number by number."""
    record, length, places = plan
    digits = "".join(numbers).encode("ascii")
    out = bytearray(record * len(numbers))
    width = len(record)
    for place, index in places:
        out[place::width] = digits[index::length]
    out.pop()  # the last newline
    return out.decode("ascii").split("\n")


def _width(pattern: re.Pattern[str]) -> int | None:
    """How many characters ``pattern`` reads at most, if that is bounded. From
    the re module's own parser (private: where it is missing or changed, None --
    numbers are then formatted one by one, only slower)."""
    if _re_parser is None or not _BOUNDED.fullmatch(pattern.pattern):
        return None
    try:
        most = _re_parser.parse(pattern.pattern).getwidth()[1]
        return most if most < _re_parser.MAXREPEAT else None
    except (AttributeError, TypeError, IndexError, re.error):
        return None


def _number(code: int, national: str) -> phonenumbers.PhoneNumber:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    zeros = len(national) - len(national.lstrip("0"))
    if zeros:  # Italy's leading zero is part of the number
        number.italian_leading_zero = True
        number.number_of_leading_zeros = zeros
    return number


def _name(region: str) -> str:
    return INTERNATIONAL_SERVICES if region == NON_GEOGRAPHIC else COUNTRY_NAMES.get(region, "")
