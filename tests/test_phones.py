"""Phone numbers in international format and their country: the same answers
as the phonenumbers library gives, number by number."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from realistic import make_numbers

from xl_contacts.base.countries import COUNTRY_NAMES
from xl_contacts.domain.phones import INTERNATIONAL_SERVICES, PhoneFormatter


def _examples() -> list[str]:
    """An example number of every type of every region and non-geographic code."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            number = phonenumbers.example_number_for_type(region, kind)
            if number:
                found.append(number)
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number:
            found.append(number)
    return [phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)[1:] for n in found]


EXAMPLES = _examples()


def _library(digits: str) -> phonenumbers.PhoneNumber | None:
    """phonenumbers' reading of E.164 digits, when it reads them as they are
    (parse also strips what looks like a national prefix: not E.164)."""
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return None
    national = phonenumbers.national_significant_number(number)
    return number if str(number.country_code) + national == digits else None


def _country(number: phonenumbers.PhoneNumber) -> str:
    region = phonenumbers.region_code_for_number(number)
    return INTERNATIONAL_SERVICES if region == "001" else COUNTRY_NAMES.get(region or "", "")


def test_every_region_has_an_english_name() -> None:
    missing = [r for r in phonenumbers.SUPPORTED_REGIONS if not COUNTRY_NAMES.get(r)]
    assert missing == []
    assert COUNTRY_NAMES["RU"] == "Russia" and COUNTRY_NAMES["KN"] == "Saint Kitts and Nevis"


def test_every_example_number_as_phonenumbers_formats_it() -> None:
    formatter = PhoneFormatter()
    checked = 0
    for digits in EXAMPLES:
        number = _library(digits)
        if number is None:
            continue
        want = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        assert formatter.describe(digits)[0] == want, digits
        assert PhoneFormatter().describe(digits)[1] == _country(number), digits
        checked += 1
    assert checked > 1000


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(EXAMPLES),
    st.integers(0, 6),
    st.integers(-2, 2),
    st.text("0123456789", min_size=8, max_size=8),
)
# National numbers of zeros only: parse keeps all but the last as leading zeros
# ("000": two, and the number 0), and format_number writes them like any other.
@example("989601", 4, -2, "00000000")  # +98 00: one leading zero (left unset)
@example("24762889", 5, -2, "00000000")  # +247 000: a code with no formats
@example("247542011", 6, 2, "00000000")  # +247 00000000
@example("8530800501", 6, 0, "00000000")  # +853 0000 000: a format fits
@example("4702000", 4, 0, "00000000")  # +47 00000: a code of several regions
def test_numbers_near_the_examples_as_phonenumbers_formats_them(
    example: str, replaced: int, longer: int, digits_after: str
) -> None:
    """Same code and leading digits, other digits and lengths: valid or not."""
    keep = max(1, len(example) - replaced)
    digits = example[:keep] + digits_after[: max(0, replaced + longer)]
    number = _library(digits)
    formatter = PhoneFormatter()
    if number is None:
        return
    want = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    assert formatter.describe(digits)[0] == want
    if phonenumbers.is_valid_number(number):
        assert formatter.describe(digits)[1] == _country(number)


@pytest.mark.parametrize(
    ("digits", "international", "country"),
    [
        ("79876543210", "+7 987 654-32-10", "Russia"),
        ("77012345678", "+7 701 234 5678", "Kazakhstan"),
        ("14155550100", "+1 415-555-0100", "United States"),  # 555-01xx: fictional, US plan
        ("16135550123", "+1 613-555-0123", "Canada"),
        ("12684601234", "+1 268-460-1234", "Antigua and Barbuda"),
        ("447400123456", "+44 7400 123456", "United Kingdom"),
        ("447911123456", "+44 7911 123456", "Guernsey"),
        ("390669812345", "+39 06 6981 2345", "Vatican"),
        ("80012345678", "+800 1234 5678", INTERNATIONAL_SERVICES),
    ],
)
def test_shared_calling_codes_get_their_country(
    digits: str, international: str, country: str
) -> None:
    formatter = PhoneFormatter()
    assert formatter.describe(digits) == (international, country)


@pytest.mark.parametrize("digits", ["", "0", "00791234567", "71", "999123456", "7" * 21])
def test_what_is_not_a_phone_number_stays_empty(digits: str) -> None:
    formatter = PhoneFormatter()
    assert formatter.describe(digits) == ("", "")


@pytest.mark.parametrize("junk", [[], ["79001234567x", "７９００１２３４５６７"]])
def test_many_numbers_at_once_as_each_alone(junk: list[str]) -> None:
    """describe_all remembers what numbers with the same first digits and length
    share (the groups, the country): numbers near every example -- many with
    the same prefix, valid or not -- get what describe gives each alone. With
    junk in the batch it is number by number."""
    rnd = random.Random(16)
    numbers = ["", "0", "00791234567", "7" * 21, *junk]
    for sample in EXAMPLES:
        for _ in range(6):
            keep = rnd.randint(1, len(sample))
            more = len(sample) - keep + rnd.choice([-1, 0, 0, 0, 1])
            numbers.append(sample[:keep] + "".join(rnd.choices("0123456789", k=more)))
    numbers += [str(79_000_000_000 + i * 7919) for i in range(3000)]
    rnd.shuffle(numbers)
    alone = PhoneFormatter()
    want = [alone.describe(digits) for digits in numbers]
    formatted, countries = PhoneFormatter().describe_all(numbers)
    assert list(zip(formatted, countries, strict=True)) == want


def test_one_formatter_gives_each_number_its_own_groups() -> None:
    """What is worked out once per calling code and length is only the layout."""
    formatter = PhoneFormatter()
    got = [formatter.describe(str(79_000_000_000 + i))[0] for i in range(0, 10_000, 997)]
    want = [
        phonenumbers.format_number(
            phonenumbers.parse(f"+{79_000_000_000 + i}"),
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        )
        for i in range(0, 10_000, 997)
    ]
    assert got == want


def _as_phonenumbers_says(digits: str) -> tuple[str, str]:
    """phonenumbers' own answer for phoneNumber digits: the calling code (the
    first one to three digits that are one, as parse reads it), then the
    national number exactly as written (leading zeros kept)."""
    if not digits.isdigit() or digits[0] == "0":
        return "", ""
    codes = [int(digits[:n]) for n in (1, 2, 3)]
    code = next((c for c in codes if c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE), None)
    national = digits[len(str(code)) :]
    if code is None or not 2 <= len(national) <= 17:
        return "", ""
    # as parse counts them: the last digit is the number, even a 0
    zeros = min(len(national) - len(national.lstrip("0")), len(national) - 1)
    number = phonenumbers.PhoneNumber(
        country_code=code,
        national_number=int(national),
        italian_leading_zero=zeros > 0 or None,
        number_of_leading_zeros=zeros or None,
    )
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return international, _country(number)


@pytest.mark.parametrize("odd", [0.0, 0.1])
def test_a_realistic_book_as_phonenumbers_formats_it(odd: float) -> None:
    """20,000 numbers of every region (a few countries most of them), last digits
    varied, with odd ones -- cut short, too long, the trunk 0 kept --, some
    written with the international prefix: describe_all gives what phonenumbers
    gives each number, whatever their mix of layouts."""
    numbers = make_numbers(20_000, odd=odd, seed=7)
    numbers += ["00" + digits for digits in numbers[:200]]
    formatted, countries = PhoneFormatter().describe_all(numbers)
    got = list(zip(formatted, countries, strict=True))
    want = [_as_phonenumbers_says(digits) for digits in numbers]
    assert [(d, g, w) for d, g, w in zip(numbers, got, want, strict=True) if g != w] == []
    assert len({c for c in countries if c}) > 200  # every region, or nearly


def test_every_calling_code_and_length_as_phonenumbers_formats_it() -> None:
    """Every calling code, every national length phonenumbers reads (and one
    short, one long of it), numbers sharing their first digits across lengths,
    all zeros and all nines, each twice in one batch and again in a second:
    what one number's class learns never answers another's wrongly."""
    rnd = random.Random(20)
    numbers = []
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        stem = str(code) + "".join(rnd.choices("0123456789", k=19))
        numbers += [stem[: len(str(code)) + length] for length in range(1, 19)]
        numbers += [str(code) + digit * length for digit in "09" for length in (2, 9, 17)]
    numbers += numbers[::7]
    rnd.shuffle(numbers)
    formatter = PhoneFormatter()
    want = [_as_phonenumbers_says(digits) for digits in numbers]
    for batch in (numbers, numbers[::-1]):
        formatted, countries = formatter.describe_all(batch)
        got = list(zip(formatted, countries, strict=True))
        assert got == (want if batch is numbers else want[::-1])
