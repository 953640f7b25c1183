"""Writing output files safely: the right kind, an existing folder, and atomically
(a temporary file beside the target, moved over it only when complete), so a
failure never leaves a half-written file or erases the previous one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ReportError


def output_path(path: str | os.PathLike[str], suffix: str, what: str) -> Path:
    """``path`` as a Path, or a ReportError saying why it cannot be written."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ReportError(f"the {what} must be a {suffix} file, not {target.name!r}")
    if not target.parent.is_dir():
        raise ReportError(f"folder {str(target.parent)!r} does not exist — create it first")
    return target


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it over ``target`` on success."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ReportError(f"cannot write in {str(target.parent)!r}: {exc.strerror}") from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as exc:
        raise ReportError(f"cannot save {str(target)!r}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
