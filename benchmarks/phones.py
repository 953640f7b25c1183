"""The phone columns of 100,000 realistic numbers (tests/realistic.py): a fresh
``PhoneFormatter.describe_all`` against the same class's per-number
``describe`` and against phonenumbers itself (``format_number`` INTERNATIONAL +
``region_code_for_number``, number by number), at several shares of odd numbers.
Medians of alternated runs, each with a new formatter (what one export pays).

    python benchmarks/phones.py [--contacts 100000] [--repeats 5] [--odd 0 0.01 0.1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from realistic import make_numbers  # noqa: E402

import phonenumbers  # noqa: E402

from xl_contacts.domain.phones import PhoneFormatter  # noqa: E402


def _library(numbers: list[str]) -> None:
    """What describe_all answers, asked of phonenumbers number by number."""
    codes = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
    for digits in numbers:
        for skip in (1, 2, 3):
            if int(digits[:skip]) in codes:
                number = phonenumbers.PhoneNumber(
                    country_code=int(digits[:skip]), national_number=int(digits[skip:] or 0)
                )
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                phonenumbers.region_code_for_number(number)
                break


def _seconds(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure(n: int, odd: float, repeats: int, library: bool = True) -> dict[str, float]:
    """Medians (seconds) of describe_all, per-number describe and the library."""
    numbers = make_numbers(n, odd=odd)
    ways: dict[str, Callable[[], Any]] = {
        "describe_all_s": lambda: PhoneFormatter().describe_all(numbers),
        "describe_s": lambda: list(map(PhoneFormatter().describe, numbers)),
    }
    if library:
        ways["phonenumbers_s"] = lambda: _library(numbers)
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(repeats):  # alternated: drift hits all alike
        for name, run in ways.items():
            times[name].append(_seconds(run))
    return {"numbers": n, "odd": odd, **{k: statistics.median(v) for k, v in times.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--odd", type=float, nargs="+", default=[0.0, 0.01, 0.1])
    args = parser.parse_args()
    for odd in args.odd:
        row = measure(args.contacts, odd, args.repeats)
        print(
            f"{args.contacts:,} numbers, {odd:.0%} odd: describe_all {row['describe_all_s']:.3f}s"
            f" | describe {row['describe_s']:.3f}s | phonenumbers {row['phonenumbers_s']:.3f}s",
            flush=True,
        )


if __name__ == "__main__":
    main()
