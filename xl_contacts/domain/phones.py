"""Phone numbers people can read: ``phoneNumber`` digits in international format,
and the country they belong to -- phonenumbers' answers, in time linear in the
list.

``phoneNumber`` holds E.164 digits: the country calling code, then the national
number -- there is nothing to parse. The answers are those of phonenumbers'
``format_number(number, INTERNATIONAL)`` and ``region_code_for_number(number)``,
which take about 25 µs a number, longer than writing the whole report. So the
answer is worked out once per *decision* -- the country asked of the library,
the layout read off the format that ``format_number`` would choose from the
same metadata -- and every other number that shares the decision gets the same
layout filled with its own digits.

What the answer depends on, for numbers of one calling code and length (the
formats' patterns only count digits: which fit is a matter of length), is
whether the national number matches, at its start, the leading-digits patterns
of the formats that fit, and, for calling codes shared by several countries,
the regions' leading digits or, in full, their number patterns. Each such
membership is *decided* by the first k digits when every number of that length
starting with them gives the same answer -- checked with the pattern itself,
made to accept a wildcard where it accepts a digit:

* some completion matches: the pattern, each digit it accepts widened to a
  wildcard too, matches the prefix followed by wildcards;
* every completion matches: the prefix alone matches (a leading-digits pattern),
  or the pattern with only ``\\d`` widened matches the prefix followed by
  wildcards (a whole-number pattern).

A number's prefix is learnt digit by digit until every membership is decided;
the answers are kept by that prefix, and a number is then one dict look-up and
a %-template filled with its digits -- whatever mix of countries and layouts
the list holds, and odd numbers (too short, too long) alike.

tests/test_phones.py checks the results against ``phonenumbers`` itself.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import compress, repeat
from operator import attrgetter, call, getitem, is_, itemgetter
from typing import Any

import phonenumbers  # its core: ~15 ms to import (its geocoder, not used, takes 0.3 s)

from ..base.countries import COUNTRY_NAMES
from ..base.i18n import N_

NON_GEOGRAPHIC = "001"  # phonenumbers' region of +800, +882… (no country)
INTERNATIONAL_SERVICES = N_("International")  # +800 and the like: no country
_MIN_NATIONAL, _MAX_NATIONAL = 2, 17  # phonenumbers' bounds of a national number
_INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL
# Patterns of digits, classes, groups, alternatives and bounded repeats only (all
# of phonenumbers 9's): widening their atoms to a wildcard keeps their meaning.
_PLAIN = re.compile(r"(?:[0-9\[\]()?:|{},-]|\\d)*")
_ATOM = re.compile(r"\\d|\[[^\]]*\]|\{[^}]*\}|\d")  # a repeat count is no atom
_SOME, _EVERY = "x", "y"  # wildcards: some digit, every digit, fits here
# Formats that put the national number's digits in order with separators between
# them, e.g. (\d{3})(\d{2,3})(\d{4}) and \1 \2-\3: their output's digit runs are
# the layout of every number they format.
_COUNTING = re.compile(r"(?:\(\\d(?:\{\d+(?:,\d+)?\})?\))+")
_REFERENCE = re.compile(r"\\(\d)")
# Prefixes remembered, in all; past that all are forgotten and learnt again: a
# list of random numbers from everywhere cannot grow memory without end.
_KNOWN_MAX = 1 << 16

_ALIKE = 16  # numbers of one layout in a batch worth filling in together
# Kept here, not only in re's cache: phonenumbers' patterns of every region
# outnumber that cache, and recompiling is most of what a new region costs.
_compiled = cache(re.compile)


@dataclass(eq=False)  # one object per layout (see PhoneFormatter._layouts)
class _Layout:
    """A way of writing numbers: ``template % fill(digits)``."""

    template: str
    slices: tuple[slice, ...] = ()  # of the digits, one per %s

    def __post_init__(self) -> None:
        self.fill: Callable[[str], Any] = itemgetter(*self.slices) if self.slices else _no_digits
        # Where each digit goes in one output record (constants in place, a
        # newline after), when the template is ASCII: see fill_all.
        pieces = self.template.split("%s")
        record, self.places = pieces[0].replace("%%", "%"), []
        for cut, piece in zip(self.slices, pieces[1:], strict=True):
            self.places += [(len(record) + i, d) for i, d in enumerate(range(cut.start, cut.stop))]
            record += "0" * (cut.stop - cut.start) + piece.replace("%%", "%")
        plain = record.isascii() and self.slices and "%%" not in self.template
        self.record = (record + "\n").encode() if plain else None
        self.length = self.slices[-1].stop if self.slices else 0

    def fill_all(self, numbers: Sequence[str]) -> list[str]:
        """``template % fill(digits)`` of each of ``numbers``, for many at once
        when the template is ASCII (``record``): their digits as one string,
        every output record put together in a bytearray by strided copies
        (each digit of every record in one go)."""
        digits, width = "".join(numbers).encode("ascii"), len(self.record)
        out = bytearray(self.record * len(numbers))
        for place, index in self.places:
            out[place::width] = digits[index :: self.length]
        out.pop()  # the last newline
        return out.decode("ascii").split("\n")


def _no_digits(digits: str) -> tuple[()]:
    """The fill of a template with no %s in it."""
    return ()


# What numbers sharing a decision share: how they are written, and the country.
_Known = tuple[_Layout, str]
_NOTHING: _Known = (_Layout(""), "")
_FIRST = slice(3)  # with the length, what tells a number's calling code
_CUTS, _KNOWN = attrgetter("cuts"), attrgetter("known")
_TEMPLATE, _FILL = attrgetter("template"), attrgetter("fill")
_RANKS = 3 + _MAX_NATIONAL + 1  # prefix lengths a number can be known by, at most
_CHUNK = 2048  # numbers looked up together (in C) before those unknown are learnt


class _Membership:
    """Whether a national number matches ``pattern`` -- at its start, or in
    full -- and whether a prefix of it decides that for every completion."""

    def __init__(self, pattern: str, *, full: bool) -> None:
        self.text, self.full = pattern, full
        self.plain = bool(_PLAIN.fullmatch(pattern))

    @cached_property
    def some(self) -> re.Pattern[str]:
        return _compiled(_widened(self.text, _SOME))

    @cached_property
    def every(self) -> re.Pattern[str]:
        return _compiled(_widened(self.text, _EVERY))

    def decided(self, prefix: str, rest: int) -> bool:
        """True when every national number of ``prefix`` and ``rest`` more digits
        gets the same answer."""
        if not rest:
            return True
        if not self.plain:
            return False
        some = self.some
        if self.full:
            every = self.every.fullmatch(prefix + _EVERY * rest) is not None
            return every or some.fullmatch(prefix + _SOME * rest) is None
        # On digits alone the widened pattern is the pattern: a match of the
        # prefix is a match of every completion.
        return some.match(prefix) is not None or some.match(prefix + _SOME * rest) is None


def _widened(pattern: str, wildcard: str) -> str:
    """``pattern`` accepting ``wildcard`` wherever it accepts some digit (``x``)
    or every digit (``y``: only ``\\d``)."""

    def widen(atom: re.Match[str]) -> str:
        text = atom[0]
        if text[0] == "{" or (wildcard == _EVERY and text != r"\d"):
            return text
        return f"[{text[1:-1] if text[0] == '[' else text}{wildcard}]"

    return _ATOM.sub(widen, pattern)


@cache
def _membership(pattern: str, *, full: bool) -> _Membership:
    """One per pattern, whatever the length of the numbers it is asked about."""
    return _Membership(pattern, full=full)


@dataclass(eq=False)  # one object per class: hashed by identity
class _Class:
    """Numbers of one calling code and length: what decides their answers, and
    the answers learnt so far by the prefix that decides them."""

    code: int  # 0: not a phone number
    skip: int = 0  # the calling code's digits
    tests: tuple[_Membership, ...] = ()
    in_order: bool = False  # its formats' output is its digits in order
    # The formats that fit the length, in order, each with its last leading-digits
    # pattern (None: none): what format_number chooses from.
    formats: tuple[tuple[re.Pattern[str] | None, phonenumbers.NumberFormat], ...] = ()
    depths: list[int] = field(default_factory=list)  # prefix lengths answers are kept by
    # Slices of those lengths, shortest first, the last repeated up to _RANKS.
    cuts: tuple[slice, ...] = (slice(0),) * _RANKS
    known: dict[str, _Known] = field(default_factory=dict)
    undecided: dict[str, tuple[_Membership, ...]] = field(default_factory=dict)


class PhoneFormatter:
    """``describe(digits) -> (international, country)``; '' for what is unknown."""

    def __init__(self) -> None:
        self._codes: dict[int, tuple[str, ...]] = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
        self._classes: dict[tuple[str, int], _Class] = {}  # by first 3 digits and length
        self._by_code: dict[tuple[int, int], _Class] = {}  # by calling code and length
        self._layouts: dict[tuple[Any, ...], _Layout] = {}  # one object per layout
        self._remembered = 0

    def describe(self, digits: str) -> tuple[str, str]:
        """E.g. '79876543210' -> ('+7 987 654-32-10', 'Russia')."""
        formatted, countries = self.describe_all([digits])
        return formatted[0], countries[0]

    def describe_all(self, numbers: Sequence[str]) -> tuple[list[str], list[str]]:
        """``describe`` of each of ``numbers`` ('' for '' and for what is not
        digits), as two lists: a look-up by each number's deciding prefix and a
        template filled with its digits, each step for all numbers at once (map:
        in C), only what is not known yet in Python."""
        everything = "".join(numbers)
        if not (everything.isascii() and everything.isdigit()) and everything:
            numbers = [d if d.isascii() and d.isdigit() else "" for d in numbers]
        if not numbers:
            return [], []
        rows = range(len(numbers))
        keys = list(zip(map(getitem, numbers, repeat(_FIRST)), map(len, numbers), strict=True))
        kinds = list(map(self._classes.get, keys))
        for i in compress(rows, map(is_, kinds, repeat(None))):
            kinds[i] = self._classes.get(keys[i]) or self._class(numbers[i])
        found: list[_Known] = []
        for start in range(0, len(numbers), _CHUNK):  # what one chunk learns, the next finds
            part = slice(start, start + _CHUNK)
            found += self._look_up(numbers[part], kinds[part])
        layouts = list(map(itemgetter(0), found))
        return _fill_all(numbers, layouts), list(map(itemgetter(1), found))

    def _look_up(self, numbers: Sequence[str], kinds: list[_Class]) -> list[_Known]:
        """Each number's answer: looked up by its class's shortest prefix, then
        (for those not found) by the next one, and so on; learnt if unknown."""
        prefixes = map(getitem, numbers, map(itemgetter(0), map(_CUTS, kinds)))
        found: list[Any] = list(map(dict.get, map(_KNOWN, kinds), prefixes))
        pending = list(compress(range(len(numbers)), map(is_, found, repeat(None))))
        for rank in range(1, max(len(k.depths) for k in set(kinds))):
            if not pending:
                break
            some_kinds = [kinds[i] for i in pending]
            cuts = map(itemgetter(rank), map(_CUTS, some_kinds))
            prefixes = map(getitem, [numbers[i] for i in pending], cuts)
            got = list(map(dict.get, map(_KNOWN, some_kinds), prefixes))
            deque(map(found.__setitem__, pending, got), maxlen=0)
            pending = list(compress(pending, map(is_, got, repeat(None))))
        # Learnt (or learnt earlier in this chunk) code by code: phonenumbers'
        # patterns of one code are still in re's cache for the next number.
        for i in sorted(pending, key=lambda i: kinds[i].code):
            found[i] = self._recall(kinds[i], numbers[i])
        return found

    def _recall(self, kind: _Class, digits: str) -> _Known:
        for depth in kind.depths:
            found = kind.known.get(digits[:depth])
            if found is not None:
                return found
        return self._learn(kind, digits)

    def _learn(self, kind: _Class, digits: str) -> _Known:
        """The answer for ``digits``: its layout and country, kept by the prefix
        that decides them."""
        if not kind.code:
            return _NOTHING
        national = digits[kind.skip :]
        number = _number(kind.code, national)
        country = _name(phonenumbers.region_code_for_number(number))
        if not kind.in_order:  # not seen in phonenumbers 9: the library, number by number
            international = phonenumbers.format_number(number, _INTERNATIONAL)
            return _Layout(international.replace("%", "%%")), country
        found = (self._layout(kind, national), country)
        depth = self._depth(kind, digits)
        if depth not in kind.depths:
            kind.depths = sorted([*kind.depths, depth])
            cuts = [slice(d) for d in kind.depths]
            kind.cuts = (*cuts, *[cuts[-1]] * (_RANKS - len(cuts)))
        if self._remembered >= _KNOWN_MAX:
            self._forget()
        kind.known[digits[:depth]] = found
        self._remembered += 1
        return found

    def _layout(self, kind: _Class, national: str) -> _Layout:
        """How format_number writes ``national`` in INTERNATIONAL format: by the
        first format that fits it whose last leading-digits pattern matches its
        start, its groups in order with the format's separators; by none, as it
        is."""
        template, spans = f"+{kind.code} %s", [(0, len(national))]
        for leading, f in kind.formats:
            if leading is None or leading.match(national):
                groups = _compiled(f.pattern).fullmatch(national)
                spans = [groups.span(i) for i in range(1, groups.re.groups + 1)]  # type: ignore[union-attr]
                template = f"+{kind.code} " + _REFERENCE.sub("%s", f.format.replace("%", "%%"))
                break
        slices = tuple(slice(kind.skip + a, kind.skip + b) for a, b in spans)
        key = (template, *spans)
        return self._layouts.get(key) or self._layouts.setdefault(key, _Layout(template, slices))

    def _depth(self, kind: _Class, digits: str) -> int:
        """How many first digits decide every membership for ``digits``."""
        undecided = kind.tests
        for depth in range(kind.skip, len(digits) + 1):
            prefix = digits[:depth]
            known = kind.undecided.get(prefix)
            if known is None:
                national, rest = prefix[kind.skip :], len(digits) - depth
                known = tuple(t for t in undecided if not t.decided(national, rest))
                kind.undecided[prefix] = known
                self._remembered += 1
            if not known:
                return depth
            undecided = known
        return len(digits)  # pragma: no cover - every test is decided by then

    def _forget(self) -> None:
        for kind in self._by_code.values():
            kind.known.clear()
            kind.undecided.clear()
        self._remembered = 0

    def _class(self, digits: str) -> _Class:
        kind = _Class(0, depths=[0], known={"": _NOTHING})  # not a phone number
        if digits[:1] not in ("", "0"):  # no calling code starts with 0
            for skip in (1, 2, 3):
                code = int(digits[:skip])
                if code in self._codes:
                    if _MIN_NATIONAL <= len(digits) - skip <= _MAX_NATIONAL:
                        key = (code, len(digits))
                        kind = self._by_code.get(key) or self._compile(code, skip, len(digits))
                        self._by_code[key] = kind
                    break
        self._classes[(digits[:3], len(digits))] = kind
        return kind

    def _compile(self, code: int, skip: int, length: int) -> _Class:
        """The memberships phonenumbers' answer depends on for numbers of
        ``code`` and ``length``: the leading digits of the INTERNATIONAL formats
        that fit the length (format_number reads a format's last pattern, and
        only when the format fits), and for a shared code the regions' leading
        digits or number patterns. (Formats that are not in order: see _learn.)"""
        formats, in_order = _formats(code)
        example = "0" * (length - skip)  # the formats only count digits: any will do
        fitting = [f for f in formats if _compiled(f.pattern).fullmatch(example)]
        leading = [
            f.leading_digits_pattern[-1] if f.leading_digits_pattern else None for f in fitting
        ]
        tests = [_membership(p, full=False) for p in leading if p is not None]
        regions = self._codes[code]
        if len(regions) > 1:  # else its only region, whatever the number
            tests += _region_tests(regions, length - skip)
        # On digits alone a membership's widened pattern is the pattern: one compile.
        picks = [p and _membership(p, full=False).some for p in leading]
        choices = tuple(zip(picks, fitting, strict=True))
        return _Class(code, skip, tuple(tests), in_order, choices)


@cache
def _region_tests(regions: tuple[str, ...], national: int) -> tuple[_Membership, ...]:
    """What region_code_for_number reads of national numbers of this length."""
    tests = []
    for region in regions:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:  # then the library reads no more
            tests.append(_membership(metadata.leading_digits, full=False))
            continue
        for desc in vars(metadata).values():
            if isinstance(desc, phonenumbers.PhoneNumberDesc) and desc.national_number_pattern:
                lengths = desc.possible_length or ()
                if not lengths or national in lengths:  # else decided by the length
                    tests.append(_membership(desc.national_number_pattern, full=True))
    return tuple(tests)


@cache
def _formats(code: int) -> tuple[tuple[phonenumbers.NumberFormat, ...], bool]:
    """The formats format_number picks from for INTERNATIONAL, and whether each
    cuts the number into groups by counting digits and writes them in order,
    with no digit among the separators."""
    region = phonenumbers.region_code_for_country_code(code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    formats = tuple((metadata.intl_number_format or metadata.number_format) if metadata else ())
    in_order = all(
        _COUNTING.fullmatch(f.pattern)
        and _REFERENCE.findall(f.format) == [str(i) for i in range(1, f.pattern.count("(") + 1)]
        and not re.search(r"[\d\\$]", _REFERENCE.sub("", f.format))
        for f in formats
    )
    return formats, in_order


def _number(code: int, national: str) -> phonenumbers.PhoneNumber:
    """``national`` as parse reads it: leading zeros (Italy's) are kept as a
    count, all but the last digit at most -- that one is the number itself, 0
    for "000" -- so that national_significant_number gives ``national`` back."""
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    zeros = min(len(national) - len(national.lstrip("0")), len(national) - 1)
    if zeros:
        number.italian_leading_zero = True
        number.number_of_leading_zeros = zeros
    return number


def _name(region: str | None) -> str:
    if region == NON_GEOGRAPHIC:
        return INTERNATIONAL_SERVICES
    return COUNTRY_NAMES.get(region or "", "")


def _fill_all(numbers: Sequence[str], layouts: Sequence[_Layout]) -> list[str]:
    """Each number written in its layout (``template % fill(digits)``): the
    numbers of a layout that many of them share together (``fill_all``), the
    others one by one (in C); those of no phone number stay ''."""
    groups = {layout: [] for layout, n in Counter(layouts).items() if n >= _ALIKE and layout.record}
    groups[_NOTHING[0]] = []
    one_by_one: list[int] = []
    appends = map(list.append, map(groups.get, layouts, repeat(one_by_one)), range(len(layouts)))
    deque(appends, maxlen=0)  # each row's index in its group, in C
    del groups[_NOTHING[0]]
    formatted = [""] * len(numbers)
    some = list(map(layouts.__getitem__, one_by_one))
    fills = map(call, map(_FILL, some), map(numbers.__getitem__, one_by_one))
    texts = map(str.__mod__, map(_TEMPLATE, some), fills)
    deque(map(formatted.__setitem__, one_by_one, texts), maxlen=0)
    for layout, rows in groups.items():
        texts = layout.fill_all(list(map(numbers.__getitem__, rows)))
        deque(map(formatted.__setitem__, rows, texts), maxlen=0)
    return formatted
