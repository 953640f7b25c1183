"""Generated contact lists, for the tests and for the benchmarks (which import
this file and tests/remote_book.py, so that both measure the same data and the
same book; neither needs a test library)."""

from __future__ import annotations

from typing import Any


def make_contacts(n: int, *, start: int = 0) -> list[dict[str, Any]]:
    """``n`` generated contacts as GREEN-API would answer them: every fifth
    number hidden, every tenth contact a group."""
    return [
        {
            "chatId": str(10_000_000 + i),
            "name": f"Name {i} Фамилия",
            "contactName": f"Contact {i}",
            "type": "group" if i % 10 == 0 else "user",
            "phoneNumber": 0 if i % 5 == 0 else 79_000_000_000 + i,
        }
        for i in range(start, start + n)
    ]
