"""Writing output files safely: the right kind, an existing folder, and atomically
(a temporary file beside the target, moved over it only when complete), so a
failure never leaves a half-written file or erases the previous one.

* Only a regular file is ever replaced: a FIFO, a device or a folder at the
  target is refused before anything is fetched or written (a FIFO would block
  the writer for ever).
* A replaced file keeps its permissions (a private 0600 report stays private);
  a new one gets what the umask gives any new file. The temporary file is
  private (0600) while contact data is written into it.
* The temporary name is short (``.xlc-XXXXXXXX.tmp``), so a target name of the
  file system's full length (255 bytes) still works.
* An interrupted write (an error, Ctrl-C, or SIGTERM from a service manager or
  ``kill``) removes the temporary file and leaves the target as it was.
"""

from __future__ import annotations

import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from ..base.errors import ReportError
from ..base.i18n import N_, _

# What output_path says of a file of the wrong type, for each ``what`` it is given.
_WRONG_SUFFIX = {
    "report": N_("the report must be a {suffix} file, not {name!r}"),
    "template": N_("the template must be a {suffix} file, not {name!r}"),
    "workbook": N_("the workbook must be a {suffix} file, not {name!r}"),
}


def output_path(path: str | os.PathLike[str], suffix: str, what: str) -> Path:
    """``path`` as a Path, or a ReportError saying why it cannot be written."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        message = _WRONG_SUFFIX.get(what) or N_("the file must be a {suffix} file, not {name!r}")
        raise ReportError(_(message).format(suffix=suffix, name=target.name))
    if not target.parent.is_dir():
        raise ReportError(
            _("folder {path!r} does not exist — create it first").format(path=str(target.parent))
        )
    refuse_unless_regular(target)
    return target


def refuse_unless_regular(path: Path) -> None:
    """ReportError if something other than a regular file is at ``path`` (a FIFO
    would block a reader or writer for ever, a device would swallow the data)."""
    try:
        mode = path.stat().st_mode  # follows a link: what would really be used
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ReportError(
            _("cannot use {path!r}: {reason}").format(path=str(path), reason=exc.strerror)
        ) from None
    if stat.S_ISDIR(mode):
        raise ReportError(_("{path!r} is a folder — choose a file name").format(path=str(path)))
    if not stat.S_ISREG(mode):
        raise ReportError(
            _("{path!r} is not a regular file — choose a file name").format(path=str(path))
        )


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it over ``target`` on success."""
    refuse_unless_regular(target)  # also when the caller skipped output_path
    temporary, new_file_mode = _create_temporary(target.parent)
    try:
        with _sigterm_unwinds():
            yield temporary
            os.chmod(temporary, _mode_of(target, new_file_mode))
            os.replace(temporary, target)
    except OSError as exc:
        raise ReportError(
            _("cannot save {path!r}: {reason}").format(path=str(target), reason=exc.strerror)
        ) from None
    finally:
        temporary.unlink(missing_ok=True)


def _create_temporary(folder: Path) -> tuple[Path, int]:
    """A new empty private file in ``folder`` and the mode a new file gets there.

    Created with 0666 so that the kernel applies the umask, which is read back
    from the file -- ``os.umask`` cannot be read without setting it, which races
    with other threads creating files."""
    for _attempt in range(100):
        temporary = folder / f".xlc-{secrets.token_hex(4)}.tmp"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ReportError(
                _("cannot write in {path!r}: {reason}").format(
                    path=str(folder), reason=exc.strerror
                )
            ) from None
        try:
            new_file_mode = stat.S_IMODE(os.fstat(descriptor).st_mode)
        finally:
            os.close(descriptor)
        os.chmod(temporary, 0o600)  # path-based: os.fchmod is missing on Windows
        return temporary, new_file_mode
    raise ReportError(
        _("cannot write in {path!r}: no free temporary name").format(path=str(folder))
    )


def _mode_of(target: Path, default: int) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return default


class Terminated(SystemExit):
    """SIGTERM arrived while a file was being written; exits with 128 + 15."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While the block runs, SIGTERM raises (so ``finally`` removes the temporary
    file) instead of killing the process outright. Only where Python allows it
    (the main thread) and only if nobody else handles SIGTERM already."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
