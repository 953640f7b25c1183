"""The ``xl-contacts`` console script, and ``python -m xl_contacts``: the
command line (``cli.main``) in a process of its own."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from .cli import main


def command() -> int:
    """The ``xl-contacts`` console script: ``main`` in a process of its own."""
    with _numpy_kept_out():
        return main()


@contextmanager
def _numpy_kept_out() -> Iterator[None]:
    """``import numpy`` fails meanwhile, unless the process has imported it
    already. openpyxl imports numpy when it can (about 65 ms of CPU, more than
    the rest of openpyxl) only to accept numpy's numbers as cell values, and no
    command uses numpy. Only for the console script, whose process is the
    command's own: a program that calls ``main`` or the library keeps its numpy."""
    if "numpy" in sys.modules:
        yield
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if "numpy" in sys.modules and sys.modules["numpy"] is None:
            del sys.modules["numpy"]


if __name__ == "__main__":
    sys.exit(command())
