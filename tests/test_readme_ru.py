"""README.ru.md, the Russian README, keeps to the code and to README.md: every
``xl-contacts …`` command line it shows parses with the CLI's own parser and it
shows every command and option README.md does; every environment variable and
``xlwings.conf`` row it names is one the package defines (and each of those is
named); the ribbon is called what Excel shows; its install commands are
README.md's; its links find their headings, and README.md links to it."""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import shlex
from functools import cache
from pathlib import Path

import pytest

from xl_contacts.base import i18n, names
from xl_contacts.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
RU = (ROOT / "README.ru.md").read_text(encoding="utf-8")
EN = (ROOT / "README.md").read_text(encoding="utf-8")

FENCE = re.compile(r"^ *```[^\n]*\n(.*?)^ *```", re.MULTILINE | re.DOTALL)  # also in a list
SPAN = re.compile(r"`([^`\n]+)`")
PROGRAM = {"xl-contacts", "xl-contacts.exe"}
# Where a shell line stops being the command's arguments (`|` is handled apart).
SHELL_STOPS = {">", ">>", "<", "2>", "&&", ";"}
# `NAME=value command` and `export NAME=value` in a shell block.
ASSIGNMENT = re.compile(r"(?:^|\s)([A-Z][A-Z0-9_]*)=(?=\S)")
# The package's own namespaces of environment variables.
PACKAGE_VARIABLE = re.compile(r"\b(?:GREENAPI|XL_CONTACTS)_[A-Z0-9_]+\b")
LANG_OPTION = "--lang"


def blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def prose(text: str) -> str:
    return FENCE.sub("", text)


def section(text: str, heading: str) -> str:
    """The text under ``## heading`` up to the next second-level heading."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def words(line: str) -> list[str]:
    """A shell line's words; a backslash is a character (Windows paths)."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.escape = ""
    lexer.commenters = "#"
    return list(lexer)


def outcome(argv: list[str]) -> tuple[int, str]:
    """What the real parser does with ``argv``: (0, "") when it parses, else
    argparse's exit status and message."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            build_parser().parse_args(argv)
        except SystemExit as stop:
            return int(stop.code or 0), err.getvalue().strip()
    return 0, ""


@cache
def is_command(word: str) -> bool:
    """A command of the CLI: ``xl-contacts WORD -h`` shows its help (an unknown
    command is a usage error before any help)."""
    return not word.startswith("-") and outcome([word, "-h"])[0] == 0


def invocations(line: str) -> list[tuple[str, ...]]:
    """The ``xl-contacts`` argument lists written on one line: `a | b` where b is a
    command is README's way of listing alternatives, else a pipe ends the line."""
    if "xl-contacts" not in line:
        return []  # (nor a line whose quotes are not the shell's, such as a formula)
    tokens = words(line)
    starts = [i for i, token in enumerate(tokens) if re.split(r"[\\/]", token)[-1] in PROGRAM]
    if not starts:
        return []
    rest = tokens[starts[0] + 1 :]
    stop = next((i for i, token in enumerate(rest) if token in SHELL_STOPS), len(rest))
    pieces: list[list[str]] = [[]]
    for token in rest[:stop]:
        if token == "|":
            pieces.append([])
        else:
            pieces[-1].append(token)
    kept = [tuple(pieces[0])]
    for piece in pieces[1:]:
        if not piece or not is_command(piece[0]):
            break  # a pipe into another program
        kept.append(tuple(piece))
    if not kept[0] and re.search(r"[\\/]", tokens[starts[0]]):
        return []  # `C:\xl-contacts`: a folder, not the program
    return [argv for argv in kept if argv[:1] != ("…",)]  # `xl-contacts …`: any command


def command_lines(text: str) -> list[tuple[str, ...]]:
    """Every xl-contacts command line in the code blocks and the inline code."""
    lines = []
    for block in blocks(text):
        typed = [line[2:] for line in block.splitlines() if line.startswith("$ ")]
        lines += typed or block.splitlines()  # with prompts, the rest is what it printed
    lines += SPAN.findall(prose(text))
    return [argv for line in lines for argv in invocations(line)]


def options_used(text: str) -> set[tuple[str, str]]:
    """(command, option) for each option written after a command, as README shows them."""
    used = set()
    for argv in command_lines(text):
        command = next((w for w in argv if not w.startswith("-") and is_command(w)), None)
        for word in argv:
            if command and word.startswith("--"):
                used.add((command, word.split("=", 1)[0]))
    return used


RU_LINES = command_lines(RU)
WITH_LANG = [argv for argv in RU_LINES if LANG_OPTION in argv]
WITHOUT_LANG = [argv for argv in RU_LINES if LANG_OPTION not in argv]


def test_the_russian_readme_shows_command_lines_of_every_command() -> None:
    assert len(RU_LINES) >= 40, RU_LINES
    shown = {argv[0] for argv in RU_LINES if argv and not argv[0].startswith("-")}
    in_english = {argv[0] for argv in command_lines(EN) if argv and is_command(argv[0])}
    assert in_english <= shown, (
        f"README.md shows commands README.ru.md does not: {in_english - shown}"
    )
    assert {"contacts", "export", "login", "doctor", "workbook", "lite"} <= shown


@pytest.mark.parametrize("argv", WITHOUT_LANG, ids=" ".join)
def test_every_command_line_parses(argv: tuple[str, ...]) -> None:
    """All of them: README.ru.md describes the `--count ""` error in words."""
    code, message = outcome(list(argv))
    assert code == 0, f"xl-contacts {' '.join(argv)}: {message}"


def test_every_option_of_the_english_readme_is_shown() -> None:
    missing = options_used(EN) - options_used(RU)
    assert not missing, f"options README.md shows and README.ru.md does not: {sorted(missing)}"


def test_the_language_option_is_shown_before_and_after_the_command() -> None:
    assert WITH_LANG, "README.ru.md shows no --lang"
    before = [argv for argv in WITH_LANG if argv[0] == LANG_OPTION]
    after = [argv for argv in WITH_LANG if argv[0] != LANG_OPTION]
    assert before and after, WITH_LANG
    assert all(argv[argv.index(LANG_OPTION) + 1] in i18n.LANGUAGES for argv in WITH_LANG)


@pytest.mark.parametrize("argv", WITH_LANG, ids=" ".join)
def test_command_lines_with_the_language_option_parse(argv: tuple[str, ...]) -> None:
    code, message = outcome(list(argv))
    assert code == 0, f"xl-contacts {' '.join(argv)}: {message}"


def defined_variables() -> set[str]:
    found = {getattr(names, n) for n in dir(names) if n.startswith("ENV_")}
    return found | {i18n.ENV_LANG}


def test_every_environment_variable_named_is_the_packages_own_and_each_is_named() -> None:
    defined = defined_variables()
    named = set(PACKAGE_VARIABLE.findall(RU))
    assert named <= defined, f"README.ru.md names variables the package does not: {named - defined}"
    assert defined <= named, f"README.ru.md does not name: {defined - named}"
    assigned = {name for block in blocks(RU) for name in ASSIGNMENT.findall(block)}
    assert {names.ENV_API_TOKEN, i18n.ENV_LANG} <= assigned <= defined, assigned


SETTING = re.compile(r"`(Contacts(?: [A-Z][a-z]+)+)`")  # a row of the xlwings.conf sheet


def defined_settings() -> set[str]:
    return {getattr(names, n) for n in dir(names) if n.startswith("KEY_")}


def test_every_workbook_setting_of_the_package_is_named() -> None:
    named = set(SETTING.findall(RU))
    assert defined_settings() <= named, f"README.ru.md does not name: {defined_settings() - named}"


def test_every_workbook_setting_named_is_the_packages_own() -> None:
    unknown = set(SETTING.findall(RU)) - defined_settings()
    assert not unknown, f"README.ru.md names settings the package does not read: {unknown}"


def test_readme_links_to_the_russian_one_at_its_top_and_back() -> None:
    top = EN.split("\n## ", 1)[0]
    assert "](README.ru.md)" in top
    assert "](README.md)" in RU.split("\n## ", 1)[0]


def test_install_commands_are_those_of_the_english_readme() -> None:
    english, russian = section(EN, "Install"), section(RU, "Установка")
    assert blocks(english) and blocks(russian) == blocks(english)
    commands = [span for span in SPAN.findall(prose(english)) if " " in span]
    assert "python -m pip wheel --no-deps -w dist ." in commands
    missing = [span for span in commands if f"`{span}`" not in russian]
    assert not missing, f"README.md's Install commands missing from README.ru.md: {missing}"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {slug(h) for h in re.findall(r"^#+ (.+)$", prose(text), re.MULTILINE)}


def test_every_link_within_the_readmes_finds_its_heading() -> None:
    targets = {"": anchors(RU), "README.md": anchors(EN)}
    links = re.findall(r"\]\((README\.md|)#([^)]+)\)", RU)
    assert len(links) >= 5, links
    broken = [f"{page}#{anchor}" for page, anchor in links if anchor not in targets[page]]
    assert not broken, broken


def test_formulas_are_written_as_a_russian_language_excel_takes_them() -> None:
    formulas = [
        line.split("  ")[0]
        for block in blocks(RU)
        for line in block.splitlines()
        if line.startswith("=")
    ]
    assert "=GETCONTACTS(50; ЛОЖЬ)" in formulas
    for formula in formulas:
        outside_quotes = re.sub(r'"[^"]*"', "", formula)
        assert "," not in outside_quotes and not re.search(r"\b(TRUE|FALSE)\b", formula), formula


def test_the_ribbon_is_named_as_excel_shows_it_in_both_languages() -> None:
    texts = importlib.import_module("xl_contacts.usecases.template.texts")
    labels = [message for key, message in texts.RIBBON if key.endswith(".label")]
    with i18n.speaking(i18n.RUSSIAN):
        russian = [i18n.translate(label) for label in labels]
    assert all(re.search("[а-яё]", label, re.IGNORECASE) for label in russian), russian
    missing = [label for label in [*labels, *russian] if label not in RU]
    assert not missing, f"README.ru.md does not name the ribbon's {missing}"


def test_the_report_sheets_are_named_as_each_language_names_them() -> None:
    sheets = [names.SUMMARY_SHEET, names.CHANGES_SHEET]
    with i18n.speaking(i18n.RUSSIAN):
        russian = [i18n.translate(sheet) for sheet in sheets]
    assert all(re.search("[а-яё]", sheet, re.IGNORECASE) for sheet in russian), russian
    missing = [sheet for sheet in [*sheets, *russian] if f"**{sheet}**" not in RU]
    assert not missing, f"README.ru.md does not name the report's sheets {missing}"
    assert f"`{names.CONTACTS_SHEET}`" in RU and f"`{names.CHANGES_TABLE}`" in RU
