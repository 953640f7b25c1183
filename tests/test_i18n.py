"""Translations: every message of the code has its Russian form with the same
placeholders, the shipped .mo says what the .po says, plurals follow Russian
grammar, and the language is chosen in the documented order."""

from __future__ import annotations

import gettext
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from xl_contacts.base import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = i18n.LOCALE_DIR / "ru" / "LC_MESSAGES" / "xl_contacts.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="ru")


def _code_messages() -> set[str | tuple[str, ...]]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "xl_contacts", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _placeholders(text: str) -> list[str]:
    fields = sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)
    return fields + sorted(re.findall(r"%(?:\(\w+\))?[sdr]", text))


def test_every_message_of_the_code_is_in_the_catalog_and_translated() -> None:
    catalog = _catalog()
    translated = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
    missing = sorted(map(str, _code_messages() - translated))
    assert not missing, f"run `python tools/catalog.py update` and translate: {missing[:10]}"
    empty = [m.id for m in catalog if m.id and (m.fuzzy or not all(m.string or ()))]
    empty += [m.id for m in catalog if m.id and isinstance(m.string, str) and not m.string]
    assert not empty, f"not translated (or fuzzy): {empty[:10]}"


def test_translations_keep_the_placeholders() -> None:
    for message in _catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for text in strings:
            assert _placeholders(text) == _placeholders(ids[-1]), (message.id, text)


def test_the_shipped_mo_says_what_the_po_says() -> None:
    with MO.open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    for message in _catalog():
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert shipped.gettext(message.id) == message.string, message.id
        else:
            for n, form in zip((1, 2, 5), message.string, strict=False):
                assert shipped.ngettext(*message.id[:2], n) == form, (message.id, n)


@pytest.mark.parametrize(
    ("n", "form"), [(1, 0), (2, 1), (4, 1), (5, 2), (11, 2), (12, 2), (21, 0), (22, 1), (111, 2)]
)
def test_russian_plurals_have_three_forms(n: int, form: int) -> None:
    # 1 контакт, 2 контакта, 5 контактов, 11 контактов, 21 контакт
    with MO.open("rb") as f:
        assert gettext.GNUTranslations(f).plural(n) == form


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("ru", "ru"),
        ("ru_RU.UTF-8", "ru"),
        ("ru-RU", "ru"),
        ("RU", "ru"),
        ("Russian", "ru"),
        (1049, "ru"),
        (1049.0, "ru"),
        ("1049", "ru"),
        (1033, "en"),
        ("en_GB", "en"),
        ("de_DE.UTF-8", None),
        (1031, None),
        ("C", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_language_of_reads_every_way_a_language_is_named(value: object, language: str) -> None:
    assert i18n.language_of(value) == language


def test_the_language_is_chosen_in_the_documented_order() -> None:
    russian_os = {"LANG": "ru_RU.UTF-8"}
    assert i18n.choose("en", env={"XL_CONTACTS_LANG": "ru", **russian_os}) == "en"
    assert i18n.choose(None, env={"XL_CONTACTS_LANG": "en", **russian_os}) == "en"
    assert i18n.choose(None, env=russian_os) == "ru"
    assert i18n.choose(None, env={"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU.UTF-8"}) == "en"
    assert i18n.choose(None, env={"LC_MESSAGES": "ru_RU", "LANG": "C"}) == "ru"
    assert i18n.choose(None, env={}, system=1049) == "ru"  # Excel's UI language
    assert i18n.choose(None, env={"LANG": "ru_RU"}, system="de-DE") == "en"
    assert i18n.choose("de", env={"XL_CONTACTS_LANG": "fr"}, system=None) in i18n.LANGUAGES
    assert i18n.choose(None, env={"LANG": "de_DE"}) == "en"


def test_speaking_sets_the_language_of_a_block_only() -> None:
    before = i18n.current()
    with i18n.speaking("ru") as chosen:
        assert chosen == "ru" == i18n.current()
        with i18n.speaking("en"):
            assert i18n.current() == "en"
        assert i18n.current() == "ru"
    assert i18n.current() == before


def test_numbers_in_a_sentence_are_grouped_as_each_language_writes_them() -> None:
    with i18n.speaking("en"):
        assert i18n.number(1234567) == "1,234,567"
    with i18n.speaking("ru"):
        assert i18n.number(1234567) == "1\u00a0234\u00a0567"
        assert i18n.number(12) == "12"
