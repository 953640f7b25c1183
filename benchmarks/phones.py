"""The phone columns of 100,000 realistic numbers (tests/realistic.py): a fresh
``PhoneFormatter.describe_all`` against the same class's per-number
``describe`` and against phonenumbers itself (``format_number`` INTERNATIONAL +
``region_code_for_number``, number by number), at several shares of odd numbers
-- each run in a fresh process (what one export pays: patterns compiled, the
library's metadata loaded), alternated, medians. ``--against REV`` adds the
PhoneFormatter of a git revision, measured the same way.

    python benchmarks/phones.py [--contacts 100000] [--repeats 5] [--odd 0 0.01 0.1]
    python benchmarks/phones.py --against main
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from realistic import make_numbers  # noqa: E402

SOURCE = "xl_contacts/domain/phones.py"


def _formatter(revision: str | None) -> Any:
    """PhoneFormatter as it is, or as it was at ``revision`` (from git)."""
    if revision is None:
        from xl_contacts.domain.phones import PhoneFormatter

        return PhoneFormatter
    source = subprocess.run(
        ["git", "show", f"{revision}:{SOURCE}"],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    spec = importlib.util.spec_from_loader("xl_contacts.domain.phones_then", loader=None)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    module.__package__ = "xl_contacts.domain"
    sys.modules[spec.name] = module  # type: ignore[union-attr]  # dataclasses look it up
    exec(compile(source, f"{revision}:{SOURCE}", "exec"), module.__dict__)
    return module.PhoneFormatter


def _library(numbers: list[str]) -> None:
    """What describe_all answers, asked of phonenumbers number by number."""
    import phonenumbers

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


def worker(way: str, n: int, odd: float, revision: str | None) -> float:
    """Seconds one way takes on the numbers, in this (fresh) process."""
    numbers = make_numbers(n, odd=odd)
    if way == "phonenumbers":
        run = lambda: _library(numbers)  # noqa: E731
    else:
        formatter = _formatter(revision)()
        if way == "describe_all":
            run = lambda: formatter.describe_all(numbers)  # noqa: E731
        else:
            run = lambda: list(map(formatter.describe, numbers))  # noqa: E731
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _in_process(way: str, n: int, odd: float, revision: str | None) -> float:
    command = [sys.executable, __file__, "--worker", way, str(n), str(odd), revision or ""]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def measure(
    n: int, odd: float, repeats: int, revision: str | None = None, library: bool = True
) -> dict[str, Any]:
    """Medians (seconds) of describe_all, per-number describe and the library."""
    ways = [("describe_all", None), ("describe", None)]
    ways += [("phonenumbers", None)] if library else []
    ways += [("describe_all", revision), ("describe", revision)] if revision else []
    times: dict[str, list[float]] = {}
    for _ in range(repeats):  # alternated: drift hits all alike
        for way, rev in ways:
            name = f"{way}@{rev}" if rev else way
            times.setdefault(name, []).append(_in_process(way, n, odd, rev))
    return {"numbers": n, "odd": odd, **{k: statistics.median(v) for k, v in times.items()}}


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        way, n, odd, revision = sys.argv[2:6]
        print(json.dumps(worker(way, int(n), float(odd), revision or None)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--odd", type=float, nargs="+", default=[0.0, 0.01, 0.1])
    parser.add_argument("--against", metavar="REV", help="also PhoneFormatter at this revision")
    args = parser.parse_args()
    for odd in args.odd:
        row = measure(args.contacts, odd, args.repeats, args.against)
        figures = " | ".join(f"{k} {v:.3f}s" for k, v in row.items() if k not in ("numbers", "odd"))
        print(f"{args.contacts:,} numbers, {odd:.0%} odd: {figures}", flush=True)


if __name__ == "__main__":
    main()
