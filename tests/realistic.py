"""Contact books shaped like real ones, for the tests and for the benchmarks
(benchmarks/common.py imports this file, as it does tests/synthetic.py): the
same seed gives the same book, byte for byte.

What makes a book real, and tests/synthetic.py's list is not:

* numbers of every region ``phonenumbers`` knows -- its example mobile (and
  fixed-line) number of each, last digits varied -- weighted as a real book
  is: a few countries most of the list (``HOME``), every other region a long
  tail (``TAIL_SHARE`` of the numbers);
* a few percent odd numbers (``odd``): cut short, a few digits too many, the
  national trunk 0 kept after the calling code, leading zeros (in WhatsApp ids,
  where digits are text);
* hidden numbers (``phoneNumber`` 0, ``HIDDEN`` of the people; @lid ids on
  WhatsApp), groups with negative ids (Telegram, MAX) or @g.us ids (WhatsApp);
* names in Cyrillic, CJK, Arabic, Greek, Devanagari, Hebrew, Thai, accented
  Latin and emoji, empty names, numbers saved as names, contactNames mostly empty;
  Telegram's extra ``username`` field on some records.

    make_book(100_000, flavour="telegram")   # the records, as json.loads gives them
    make_body(100_000, flavour="whatsapp")   # the answer's bytes (UTF-8, as served)
    make_numbers(100_000, odd=0.01)          # phoneNumber digits only, none hidden
"""

from __future__ import annotations

import json
import random
from functools import cache
from typing import Any

import phonenumbers

TELEGRAM, WHATSAPP, MAX = "telegram", "whatsapp", "max"
# Where most of a book's numbers come from (share of all numbers), and the
# scripts its people's names are written in there (weights).
HOME = {
    "RU": (0.30, {"cyrillic": 8, "latin": 1, "emoji": 1}),
    "KZ": (0.08, {"cyrillic": 7, "latin": 2, "emoji": 1}),
    "UZ": (0.08, {"cyrillic": 5, "latin": 4, "emoji": 1}),
    "DE": (0.07, {"accented": 5, "latin": 4, "greek": 1}),
    "US": (0.07, {"latin": 7, "cjk": 1, "accented": 1, "emoji": 1}),
    "IN": (0.06, {"devanagari": 5, "latin": 4, "emoji": 1}),
    "BR": (0.05, {"accented": 6, "latin": 3, "emoji": 1}),
}
TAIL_SHARE = 1 - sum(share for share, _ in HOME.values())  # the other ~240 regions
TAIL_SCRIPTS = {
    "latin": 3,
    "accented": 2,
    "cyrillic": 1,
    "cjk": 2,
    "arabic": 2,
    "greek": 1,
    "devanagari": 1,
    "hebrew": 1,
    "thai": 1,
    "emoji": 1,
}
HIDDEN = 0.12  # people whose number privacy settings hide (phoneNumber 0, @lid)
GROUPS = 0.08  # groups, supergroups and channels among the records
MOBILE = 0.85  # the rest are fixed lines
VARIED = 4  # last digits of an example number replaced

FIRST = {
    "latin": ["John", "Mary", "Alex", "Sam", "Emma", "Liam", "Olivia", "Noah", "Kate", "Ben"],
    "accented": ["José", "Zoë", "François", "Jürgen", "Ángela", "Søren", "Łukasz", "Çağla"],
    "cyrillic": ["Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Айгерим", "Ёжик", "Тимур"],
    "cjk": ["王伟", "李娜", "张敏", "佐藤", "鈴木", "김민준", "이서연", "陳美玲"],
    "arabic": ["محمد", "فاطمة", "أحمد", "مريم", "علي", "نور"],
    "greek": ["Γιώργος", "Μαρία", "Νίκος", "Ελένη", "Δημήτρης"],
    "devanagari": ["राहुल", "प्रिया", "अमित", "सुनीता", "विक्रम", "अंजलि"],
    "hebrew": ["דוד", "שרה", "יוסף", "רחל"],
    "thai": ["สมชาย", "สมหญิง", "ประเสริฐ", "มาลี"],
    "emoji": ["Mom ❤️", "🐱", "Boss 💼", "🏋️ Coach", "👨‍👩‍👧 Family", "Pizza 🍕"],
}
LAST = {
    "latin": ["Smith", "Brown", "Taylor", "Lee", "Walker", "Young"],
    "accented": ["Müller", "García", "Núñez", "Østergård", "Dvořák", "Gonçalves"],
    "cyrillic": ["Петров", "Иванова", "Сидоров", "Нұрланов", "Каримов", "Кузнецова"],
    "cjk": ["", "さん", "先生", "씨"],
    "arabic": ["", "العلي", "حسن", "الحسيني"],
    "greek": ["Παπαδόπουλος", "Οικονόμου", ""],
    "devanagari": ["शर्मा", "वर्मा", "", "पटेल"],
    "hebrew": ["כהן", "לוי", ""],
    "thai": ["", "ใจดี"],
    "emoji": [""],
}
NOTES = ["", "", "", "Work", "работа", "🏠", "(old)", "Taxi", "Dr.", "2"]
GROUP_NAMES = ["Family", "Семья 👨‍👩‍👧", "Работа", "同学会", "Football ⚽", "", "Crypto 🚀"]


@cache
def _pools() -> tuple[list[str], list[float], dict[str, list[tuple[str, str]]]]:
    """Every region, its weight, and its (digits, code) example numbers: mobile
    first, then fixed line (an example missing from the metadata is left out)."""
    tail = sorted(phonenumbers.SUPPORTED_REGIONS - set(HOME))
    regions = [*HOME, *tail]
    weights = [share for share, _ in HOME.values()] + [TAIL_SHARE / len(tail)] * len(tail)
    examples: dict[str, list[tuple[str, str]]] = {}
    kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
    for region in regions:
        found = []
        for kind in kinds:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                found.append((e164[1:], str(number.country_code)))
        examples[region] = found or examples.get("RU", [])
    return regions, weights, examples


def _number(rnd: random.Random, region: str) -> tuple[str, str]:
    """A number of ``region`` (an example with its last digits varied) and its
    calling code."""
    examples = _pools()[2][region]
    digits, code = examples[0] if len(examples) == 1 or rnd.random() < MOBILE else examples[1]
    varied = min(VARIED, len(digits) - len(code) - 2)  # keep the leading digits
    if varied > 0:
        digits = digits[:-varied] + "".join(rnd.choices("0123456789", k=varied))
    return digits, code


def _odd(rnd: random.Random, digits: str, code: str, *, text: bool) -> str:
    """One way of getting a number wrong; leading zeros only where digits are text."""
    way = rnd.randrange(4 if text else 3)
    if way == 0:  # cut short
        return digits[: -rnd.randint(1, 3)]
    if way == 1:  # a few digits too many
        return digits + "".join(rnd.choices("0123456789", k=rnd.randint(1, 3)))
    if way == 2:  # saved with the national trunk prefix after the calling code
        return code + "0" + digits[len(code) :]
    return "0" * rnd.randint(1, 2) + digits  # the international call prefix kept


def _numbers(rnd: random.Random, n: int, odd: float, *, text: bool) -> list[tuple[str, str]]:
    """``n`` (digits, region) pairs, ``odd`` of them odd."""
    regions, weights, _ = _pools()
    found = []
    for region in rnd.choices(regions, weights, k=n):
        digits, code = _number(rnd, region)
        if rnd.random() < odd:
            digits = _odd(rnd, digits, code, text=text)
        found.append((digits, region))
    return found


def make_numbers(n: int, *, odd: float = 0.03, seed: int = 20) -> list[str]:
    """``n`` phone numbers as ``phoneNumber`` digits (none hidden)."""
    return [digits for digits, _ in _numbers(random.Random(seed), n, odd, text=False)]


def _name(rnd: random.Random, region: str, digits: str) -> str:
    roll = rnd.random()
    if roll < 0.04:
        return ""
    if roll < 0.06:  # an unnamed contact shows its number
        return "+" + digits
    scripts = HOME[region][1] if region in HOME else TAIL_SCRIPTS
    script = rnd.choices(list(scripts), list(scripts.values()))[0]
    first, last = rnd.choice(FIRST[script]), rnd.choice(LAST[script])
    name = f"{first} {last}".strip() if rnd.random() < 0.7 else first
    note = rnd.choice(NOTES)
    return f"{name} {note}" if note else name


def _contact_name(rnd: random.Random, name: str, region: str, digits: str) -> str:
    roll = rnd.random()
    if roll < 0.55:
        return ""
    if roll < 0.75:
        return name
    return _name(rnd, region, digits)


def _telegram(
    rnd: random.Random, i: int, digits: str, region: str, group: bool, flavour: str
) -> dict[str, Any]:
    if group:
        # basic groups -NNNNNNNNNN, supergroups and channels -100NNNNNNNNNN
        chat = rnd.choice(["-", "-100"]) + str(rnd.randrange(10**9, 10**10))
        kind = "user" if flavour == MAX else rnd.choice(["group", "supergroup", "channel"])
        record: dict[str, Any] = {
            "chatId": chat,
            "name": rnd.choice(GROUP_NAMES),
            "contactName": "",
            "type": kind,
            "phoneNumber": 0,
        }
    else:
        hidden = rnd.random() < HIDDEN
        name = _name(rnd, region, digits)
        record = {
            "chatId": str(rnd.randrange(10**5, 8 * 10**9)),
            "name": name,
            "contactName": _contact_name(rnd, name, region, digits),
            "type": "user",
            "phoneNumber": 0 if hidden else int(digits),
        }
    if flavour == TELEGRAM and rnd.random() < 0.4:
        record["username"] = rnd.choice(["", "@" + f"user{i}", f"@{region.lower()}_{i}"])
    return record


def _whatsapp(rnd: random.Random, i: int, digits: str, region: str, group: bool) -> dict[str, Any]:
    if group:
        old = rnd.random() < 0.4  # creator's number and a timestamp, or a new 120363… id
        chat = f"{digits}-{rnd.randrange(1_400_000_000, 1_700_000_000)}" if old else None
        chat = chat or f"120363{rnd.randrange(10**11, 10**12)}"
        return {"id": chat + "@g.us", "name": rnd.choice(GROUP_NAMES), "type": "group"}
    name = _name(rnd, region, digits)
    chat = f"{rnd.randrange(10**14, 3 * 10**14)}@lid" if rnd.random() < HIDDEN else None
    return {
        "id": chat or digits + "@c.us",
        "name": name,
        "contactName": _contact_name(rnd, name, region, digits),
        "type": "user",
    }


def make_book(
    n: int, flavour: str = TELEGRAM, *, odd: float = 0.03, seed: int = 20
) -> list[dict[str, Any]]:
    """``n`` records of a getContacts answer of ``flavour`` ("telegram",
    "whatsapp", "max"), as ``json.loads`` gives them."""
    if flavour not in (TELEGRAM, WHATSAPP, MAX):
        raise ValueError(f"unknown flavour {flavour!r}")
    rnd = random.Random(f"{seed}/{flavour}")
    numbers = _numbers(rnd, n, odd, text=flavour == WHATSAPP)
    book = []
    for i, (digits, region) in enumerate(numbers):
        group = rnd.random() < GROUPS
        if flavour == WHATSAPP:
            book.append(_whatsapp(rnd, i, digits, region, group))
        else:
            book.append(_telegram(rnd, i, digits, region, group, flavour))
    return book


def make_body(n: int, flavour: str = TELEGRAM, *, odd: float = 0.03, seed: int = 20) -> bytes:
    """The getContacts answer's body: UTF-8, not \\u-escaped, as GREEN-API sends it."""
    book = make_book(n, flavour, odd=odd, seed=seed)
    return json.dumps(book, ensure_ascii=False).encode()
