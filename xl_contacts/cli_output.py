"""What the ``xl-contacts`` command prints besides its results' data: result
lines, notes and errors on stderr, the progress line, each one line safe for a
terminal (file and store names can hold anything), and standard output watched
for the failure of a full disk."""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from .base.cells import for_terminal
from .base.i18n import _, number
from .base.names import PROG


class WatchedOutput:
    """Standard output that remembers whether writing to it failed, so that a
    full disk is told apart from any other OSError."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.failed = False

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except OSError:
            self.failed = True
            raise

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError:
            self.failed = True
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's own
    flush at exit does not fail a second time."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (e.g. captured): nothing to point
        pass


def say(message: str) -> None:
    """A line of the command's result on standard output: file and store names
    can hold anything (a name with an escape sequence retitles the terminal)."""
    print(for_terminal(message))


def status(message: str) -> None:
    print(for_terminal(message), file=sys.stderr)


def progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        end = "\n" if done == total else ""
        line = _("writing contacts: {done}/{total}").format(done=number(done), total=number(total))
        print("\r" + line, end=end, file=sys.stderr, flush=True)


def fail(message: str) -> None:
    # One line, whatever a server or a file name put into the message.
    line = _("{prog}: error: {message}").format(prog=PROG, message=for_terminal(message))
    print(line, file=sys.stderr)
