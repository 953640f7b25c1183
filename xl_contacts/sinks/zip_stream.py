"""A zip package from parts that are already compressed, one of them while it
is still being produced.

``DeflateSpool`` compresses what it is given in a second thread (compressors
release the GIL, so this overlaps with building the next rows) into an
anonymous temporary file: ISA-L's deflate when ``isal`` is installed (about
four times zlib's speed at level 1, for a slightly smaller file), zlib
otherwise. ``write_package`` then copies openpyxl's package, putting each
spool inside its sheet: raw deflate streams that end on a sync flush
concatenate into one valid stream, and ``crc32_combine`` gives the entry's CRC
without reading anything twice. Every report is put together this way, the
streamed export's and the buffered one's.
"""

from __future__ import annotations

import copy
import queue
import shutil
import struct
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

try:  # ISA-L: wheels for Windows, macOS and Linux; zlib is the fallback
    from isal import isal_zlib as _deflate
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _deflate = zlib  # type: ignore[assignment]

LEVEL = 1  # the fastest level that still compresses well (isal 0-3, zlib 1-9)
_LIMIT = (1 << 32) - 1  # without ZIP64 records; a sheet never gets near it
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def engine() -> str:
    """Which deflate is in use ("isal" or "zlib"), for the benchmarks."""
    return "zlib" if _deflate is zlib else "isal"


def _compressor() -> Any:
    return _deflate.compressobj(LEVEL, _deflate.DEFLATED, -15)


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A+B from crc(A), crc(B) and len(B)."""
    if _deflate is not zlib:
        return _deflate.crc32_combine(crc1, crc2, len2)
    # zlib's algorithm: apply len2 zero bytes to crc1 through GF(2) matrices.
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _square(odd)
    odd = _square(even)  # now four zero bits
    while len2:
        even = _square(odd)
        if len2 & 1:
            crc1 = _times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _square(even)
        if len2 & 1:
            crc1 = _times(odd, crc1)
        len2 >>= 1
    return crc1 ^ crc2


def _times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, row) for row in matrix]


class DeflateSpool:
    """Raw deflate of everything ``write`` gets, in a second thread, into a
    temporary file in ``directory``; ``close`` ends it on a sync flush."""

    def __init__(self, directory: Path | None = None) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self.file: IO[bytes] = tempfile.TemporaryFile(dir=directory)
        self.crc = 0
        self.size = 0
        self.compressed = 0
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xl-contacts deflate", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def close(self) -> None:
        """Wait for the last bytes; raises what went wrong in the thread (disk full…)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def discard(self) -> None:
        """Stop and delete everything (a failed export)."""
        try:
            self.close()
        except Exception:  # the export failed already; this error adds nothing
            pass
        self.file.close()

    def _run(self) -> None:
        compressor, out = _compressor(), self.file
        try:
            while (data := self._queue.get()) is not None:
                self.crc = _deflate.crc32(data, self.crc)
                self.size += len(data)
                out.write(compressor.compress(data))
            out.write(compressor.flush(_deflate.Z_SYNC_FLUSH))
            self.compressed = out.tell()
        except BaseException as error:  # handed to the writing thread
            self._error = error
            while self._queue.get() is not None:  # let a blocked writer finish
                pass


def write_package(
    skeleton: IO[bytes],
    target: Path,
    rows: Mapping[str, DeflateSpool],
    edits: Mapping[str, Callable[[str], str]],
) -> None:
    """``skeleton`` (a zip) as ``target``: the parts named in ``edits`` changed
    by them (and compressed again), the spooled ``rows`` of each sheet (by part
    name; each of them also in ``edits``) put in before its ``</sheetData>``,
    every other part copied as compressed."""
    entries: list[tuple[zipfile.ZipInfo, int, int, int, int]] = []  # crc, csize, size, offset
    with zipfile.ZipFile(skeleton) as source, open(target, "wb") as out:
        for info in source.infolist():
            offset = out.tell()
            edit = edits.get(info.filename)
            if edit is None:  # copied as compressed
                crc, csize, size = info.CRC, info.compress_size, info.file_size
                out.write(_local_header(info, info.compress_type, crc, csize, size))
                out.write(_compressed_bytes(skeleton, info))
            else:
                xml = edit(source.read(info).decode("utf-8")).encode("utf-8")
                crc, csize, size = _write_part(xml, info, rows.get(info.filename), out)
                info = copy.copy(info)  # deflated now, whatever it was
                info.compress_type = zipfile.ZIP_DEFLATED
            entries.append((info, crc, csize, size, offset))
        start = out.tell()
        for info, crc, csize, size, offset in entries:
            out.write(_central_header(info, crc, csize, size, offset))
        length = out.tell() - start
        out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), length, start, 0))


def _write_part(
    xml: bytes, info: zipfile.ZipInfo, rows: DeflateSpool | None, out: IO[bytes]
) -> tuple[int, int, int]:
    """One deflated part; with ``rows``, those before ``</sheetData>``."""
    if rows is None:
        compressor = _compressor()
        data = compressor.compress(xml) + compressor.flush()
        if len(xml) > _LIMIT or len(data) > _LIMIT:
            raise OverflowError("a part of more than 4 GB")
        crc = zlib.crc32(xml)
        out.write(_local_header(info, zipfile.ZIP_DEFLATED, crc, len(data), len(xml)))
        out.write(data)
        return crc, len(data), len(xml)
    return _write_sheet(xml, info, rows, out)


def _write_sheet(
    xml: bytes, info: zipfile.ZipInfo, rows: DeflateSpool, out: IO[bytes]
) -> tuple[int, int, int]:
    end = xml.rindex(b"</sheetData>")
    head, tail = xml[:end], xml[end:]
    compressor = _compressor()
    head_z = compressor.compress(head) + compressor.flush(_deflate.Z_SYNC_FLUSH)
    compressor = _compressor()
    tail_z = compressor.compress(tail) + compressor.flush()
    size = len(head) + rows.size + len(tail)
    csize = len(head_z) + rows.compressed + len(tail_z)
    if size > _LIMIT or csize > _LIMIT:
        raise OverflowError("a sheet of more than 4 GB")
    crc = crc32_combine(zlib.crc32(head), rows.crc, rows.size)
    crc = crc32_combine(crc, zlib.crc32(tail), len(tail))
    out.write(_local_header(info, zipfile.ZIP_DEFLATED, crc, csize, size))
    out.write(head_z)
    rows.file.seek(0)
    shutil.copyfileobj(rows.file, out, 1 << 20)
    out.write(tail_z)
    return crc, csize, size


def _compressed_bytes(archive: IO[bytes], info: zipfile.ZipInfo) -> bytes:
    """An entry's data as stored (the local header's name and extra lengths may
    differ from the central directory's, so they are read from it)."""
    archive.seek(info.header_offset + 26)
    name_length, extra_length = struct.unpack("<HH", archive.read(4))
    archive.seek(info.header_offset + 30 + name_length + extra_length)
    return archive.read(info.compress_size)


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _local_header(info: zipfile.ZipInfo, method: int, crc: int, csize: int, size: int) -> bytes:
    name = info.filename.encode("utf-8")
    time, date = _dos_time(info)
    flags = 0x800 if not name.isascii() else 0  # bit 11: the name is UTF-8
    return (
        _LOCAL.pack(b"PK\x03\x04", 20, flags, method, time, date, crc, csize, size, len(name), 0)
        + name
    )


def _central_header(info: zipfile.ZipInfo, crc: int, csize: int, size: int, offset: int) -> bytes:
    name = info.filename.encode("utf-8")
    time, date = _dos_time(info)
    flags = 0x800 if not name.isascii() else 0
    fields = (info.compress_type, time, date, crc, csize, size, len(name), 0, 0, 0, 0)
    return (
        _CENTRAL.pack(b"PK\x01\x02", (3 << 8) | 20, 20, flags, *fields, info.external_attr, offset)
        + name
    )
