"""The realistic contact book the benchmarks and tests use (tests/realistic.py)
is what it says: the same for the same seed, read by the package as a
getContacts answer of its flavour, with the mix of numbers, ids and names it
promises."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from realistic import HIDDEN, MAX, TELEGRAM, WHATSAPP, make_body, make_book, make_numbers

from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.phones import PhoneFormatter

N = 5_000


def test_the_same_seed_gives_the_same_book() -> None:
    assert make_book(300, seed=1) == make_book(300, seed=1) != make_book(300, seed=2)
    assert json.loads(make_body(300, WHATSAPP)) == make_book(300, WHATSAPP)
    assert "Иван".encode() in make_body(2_000)  # UTF-8, not \\u-escaped


@pytest.mark.parametrize("flavour", [TELEGRAM, WHATSAPP, MAX])
def test_every_record_is_a_contact_of_its_flavour(flavour: str) -> None:
    table = normalise(make_book(N, flavour), id_instance="1101000001")
    assert len(table.rows) == N and table.skipped == 0
    chat, phone = table.columns.index("chatId"), table.columns.index("phoneNumber")
    ids = [row[chat] for row in table.rows]
    if flavour == WHATSAPP:
        ends = Counter(i[i.index("@") :] for i in ids)
        assert set(ends) == {"@c.us", "@g.us", "@lid"} and ends["@lid"] > N * HIDDEN / 2
    else:
        assert sum(i.startswith("-100") for i in ids) > N / 50  # supergroups, channels
        hidden = sum(not row[phone] for row in table.rows) / N
        assert HIDDEN < hidden < HIDDEN + 0.15  # hidden people, and groups
    assert ("username" in table.columns) == (flavour == TELEGRAM)


def test_numbers_of_most_regions_a_few_countries_first() -> None:
    _, countries = PhoneFormatter().describe_all(make_numbers(20_000, odd=0))
    counts = Counter(countries).most_common()
    assert counts[0][0] == "Russia" and counts[0][1] > 20_000 * 0.25
    assert {"Kazakhstan", "Uzbekistan", "Germany", "India"} <= {n for n, _ in counts[:8]}
    assert len(counts) > 200  # and a long tail


def test_names_in_many_scripts() -> None:
    names = " ".join(r["name"] + r["contactName"] for r in make_book(N))
    for sample in ("Иван", "王伟", "محمد", "Γιώργος", "राहुल", "José", "🍕"):
        assert sample in names
    assert sum(not r["name"] for r in make_book(N)) > N / 100  # empty names too
