"""The language a person reads: English or Russian.

Messages are written in English in the code and looked up in standard gettext
catalogs: ``locale/ru/LC_MESSAGES/xl_contacts.po`` is the source a translator
edits, the ``.mo`` beside it is what runs. The standard library's ``gettext``
reads it, so nothing is needed at run time (Excel's Python, xlwings Lite's
Pyodide); Babel extracts, updates and compiles the catalogs as a development
tool (README: Translations) and the tests check them with it.

Which language, first that says one (DESIGN.md: language):
- the command line's ``--lang``, or in Excel a ``Contacts Language`` row of
  ``xlwings.conf``;
- the environment variable ``XL_CONTACTS_LANG``;
- the operating system's language (``LC_ALL``/``LC_MESSAGES``/``LANG``, on
  Windows the user's UI language), or in Excel Excel's UI language;
- English.

A call speaks one language: :func:`speaking` sets it for the code that runs
inside it (a context variable, so two UDF calls on two threads may differ);
outside any, the process default set by :func:`set_default` applies.
"""

from __future__ import annotations

import gettext
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from pathlib import Path

ENV_LANG = "XL_CONTACTS_LANG"
DOMAIN = "xl_contacts"
ENGLISH, RUSSIAN = "en", "ru"
LANGUAGES = (ENGLISH, RUSSIAN)
LOCALE_DIR = Path(__file__).with_name("locale")

# Windows language ids (LANGID/LCID): the primary language is the low 10 bits;
# Excel's LanguageSettings.LanguageID(msoLanguageIDUI) gives 1049 for Russian.
_PRIMARY_LANGUAGES = {0x09: ENGLISH, 0x19: RUSSIAN}

_speaking: ContextVar[str | None] = ContextVar("xl_contacts_language", default=None)
_default = [ENGLISH]


def language_of(value: object) -> str | None:
    """``"ru"``, ``"ru_RU.UTF-8"``, ``"ru-RU"``, ``"Russian"``, ``1049`` -> ``"ru"``;
    a language this program does not speak, or nothing, -> None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _PRIMARY_LANGUAGES.get(int(value) & 0x3FF)
    text = str(value).strip().lower()
    if text.isdigit():
        return language_of(int(text))
    code = text.replace("-", "_").split(".")[0].split("_")[0].split("@")[0]
    if code in LANGUAGES:
        return code
    return {"english": ENGLISH, "russian": RUSSIAN, "русский": RUSSIAN}.get(code)


def os_language(env: Mapping[str, str] | None = None) -> str | None:
    """The operating system's language for this user, if it is one we speak.

    POSIX: the first of LC_ALL, LC_MESSAGES, LANG that is set (gettext's own
    order; ``C``/``POSIX`` mean no language). Windows: the user's UI language.
    """
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return language_of(value)
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        return language_of(ctypes.windll.kernel32.GetUserDefaultUILanguage())
    return None


def choose(
    explicit: object = None,
    *,
    env: Mapping[str, str] | None = None,
    system: object = None,
) -> str:
    """The language to speak: ``explicit`` (--lang, a ``Contacts Language`` row),
    then XL_CONTACTS_LANG, then ``system`` (Excel's UI language when Excel asks;
    the operating system's when None), then English. A value we do not speak is
    passed over, so a German Excel gets English rather than an error."""
    env = os.environ if env is None else env
    for value in (explicit, env.get(ENV_LANG)):
        language = language_of(value)
        if language:
            return language
    language = language_of(system) if system is not None else os_language(env)
    return language or ENGLISH


def set_default(language: str) -> None:
    """The language of this process outside any :func:`speaking` block."""
    _default[0] = language_of(language) or ENGLISH


def current() -> str:
    return _speaking.get() or _default[0]


@contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Run the block in ``language`` (None: the process default)."""
    chosen = language_of(language) or _default[0]
    token = _speaking.set(chosen)
    try:
        yield chosen
    finally:
        _speaking.reset(token)


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    if language == ENGLISH:
        return gettext.NullTranslations()
    # Read as a package resource, not a path: xlwings Lite imports the package
    # from a zip inside main.py (usecases/lite_files.py), where no path opens.
    compiled = resources.files(__package__) / "locale" / language / "LC_MESSAGES"
    try:
        with (compiled / f"{DOMAIN}.mo").open("rb") as catalog:
            return gettext.GNUTranslations(catalog)
    except OSError:  # no catalog for it: the messages as written
        return gettext.NullTranslations()


def translate(message: str) -> str:
    """``message`` in the current language (itself in English)."""
    return _catalog(current()).gettext(message)


# gettext's conventional short name, which pybabel extracts (tools/catalog.py).
_ = translate


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` (Russian has three: 1 контакт, 2 контакта, 5 контактов)."""
    return _catalog(current()).ngettext(singular, plural, n)


def number(n: int) -> str:
    """``n`` with the thousands grouped as the current language writes them in a
    sentence: 1,234 in English, 1 234 in Russian (a no-break space, so the number
    never splits across lines)."""
    grouped = f"{n:,}"
    return grouped.replace(",", "\u00a0") if current() == RUSSIAN else grouped


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; translated where used
    with ``_(constant)``, in the language of that moment."""
    return message


def in_every_language(message: str) -> set[str]:
    """``message`` as each language writes it: for reading back what a report in
    either language wrote (a label, a sheet heading)."""
    out = set()
    for language in LANGUAGES:
        with speaking(language):
            out.add(_(message))
    return out
