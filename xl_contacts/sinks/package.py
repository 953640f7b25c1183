"""An untrusted .xlsx package (a previous report, an existing ``-o`` target),
read once and strictly, so that every later reader sees what was checked.

Zip readers disagree on ambiguous archives: Python's ``zipfile`` follows a
ZIP64 end record, the Rust ``zip`` crate (calamine's) the classic one; one
skips data before the archive, another does not; calamine finds a part by a
name of another letter case. A file that two readers read differently passes a
check made with one and hits the other. So the archive is parsed here, from
bytes read once, and only one shape is accepted -- the one every writer of
.xlsx files makes: local entries back to back from the first byte, then the
central directory, then one end record, no comment, nothing else. Every entry
is where the directory says, with the same name, method and sizes; names are
plain ASCII paths, unique regardless of letter case; no encryption, no ZIP64.

Parts are inflated here from the raw data, a bounded chunk at a time: a part
that inflates to more (or less) than it declares is refused, and so is one
whose checksum is wrong.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from ..base.errors import ReportError
from ..base.i18n import N_, _

try:  # ISA-L inflates twice as fast as zlib; wheels for Windows, macOS and Linux
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _zlib = zlib  # type: ignore[assignment]

# What a package may hold: time (parts are inflated a chunk at a time, never
# held whole) bounded by sizes past any report of this tool's: 1,048,575 rows
# of 10 columns are a 0.6 GiB sheet. A part is as big as a zip without ZIP64
# can declare (4 GiB); the file itself is read into memory once.
MAX_PARTS = 100
MAX_TOTAL_BYTES = 8 << 30
MAX_FILE_BYTES = 2 << 30
CHUNK = 1 << 20  # inflated bytes at a time
# Compressed bytes handed to the inflater at a time: it copies what it has not
# used yet on every call, so a small input keeps that copy small.
_READ = 1 << 16
_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DESCRIPTOR = struct.Struct("<3L")
_ENCRYPTED, _DESCRIBED_AFTER = 0x1, 0x8
_ZIP64 = 0xFFFFFFFF  # a size or offset in the ZIP64 extra field instead
_STORED, _DEFLATED = 0, 8
# A part name as writers of .xlsx make them: printable ASCII path segments,
# "/" between them. No backslash (some readers take it for "/") and no "%"
# (some readers decode %31 as "1", others do not).
_SEGMENT = re.compile(r"[!-$&-.0-\[\]-~]+")
NOT_READABLE = N_("not a readable .xlsx workbook")
# Why a file is refused as a report of ours, whatever the reason (one sentence).
NOT_OURS = N_("{label} is not a report of xl-contacts ({reason})")
TOO_BIG = N_("{label} is too big to be a report of xl-contacts")
# What a broken package raises while it is read.
BROKEN = (zlib.error, _zlib.error, EOFError, ValueError, struct.error)


class NotAPackage(ValueError):
    """The bytes are not an unambiguous zip package; the text says why."""


@dataclass(frozen=True)
class Part:
    name: str
    method: int
    start: int  # where its compressed data starts (in the directory: where its entry starts)
    compressed: int
    size: int
    crc: int


class Package:
    """The parts of a zip package, from its bytes (see the module's docstring)."""

    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.parts: dict[str, Part] = {}
        folded: set[str] = set()
        for part in _directory(self.data):
            # Two names one letter case apart: calamine finds a part by either.
            if part.name.lower() in folded:
                raise NotAPackage(_("two parts of one name"))
            folded.add(part.name.lower())
            self.parts[part.name] = part

    def inflated(self, name: str) -> Iterator[bytes]:
        """The part's bytes, a chunk at a time; ``NotAPackage`` when it inflates
        to more or fewer bytes than it declares, or its checksum is wrong."""
        part = self.parts[name]
        raw = self.data[part.start : part.start + part.compressed]
        inflate = _zlib.decompressobj(-15) if part.method == _DEFLATED else None
        produced, crc, at, pending = 0, 0, 0, b""
        while at < len(raw) or pending:
            if not pending:
                pending, at = bytes(raw[at : at + _READ]), at + _READ
            if inflate is not None:  # at most a chunk per step: a bomb never inflates at once
                chunk = inflate.decompress(pending, CHUNK)
                pending = inflate.unconsumed_tail
            else:
                chunk, pending = pending, b""
            produced += len(chunk)
            if produced > part.size:
                raise NotAPackage(_("{name!r} inflates past its declared size").format(name=name))
            crc = _zlib.crc32(chunk, crc)
            yield chunk
        unfinished = inflate is not None and not inflate.eof  # a stream cut short
        if produced != part.size or crc != part.crc or unfinished:
            raise NotAPackage(_("{name!r} is damaged").format(name=name))

    def read(self, name: str, limit: int) -> bytes:
        """A small part whole (at most ``limit`` bytes)."""
        if self.parts[name].size > limit:
            raise NotAPackage(_("{name!r} is too big").format(name=name))
        return b"".join(self.inflated(name))


def _directory(data: memoryview) -> Iterator[Part]:
    """The entries of the central directory, each checked against its local
    entry; the entries must cover the file exactly up to the directory."""
    end = len(data) - _END.size
    if end < 0:
        raise NotAPackage(_(NOT_READABLE))
    signature, disk, cd_disk, here, count, cd_size, cd_start, comment = _END.unpack_from(data, end)
    if signature != b"PK\x05\x06" or comment or disk or cd_disk or here != count:
        raise NotAPackage(_(NOT_READABLE))
    if cd_start + cd_size != end:  # data between, or a ZIP64 record: another reading
        raise NotAPackage(_("data between its directory and its end record"))
    if count > MAX_PARTS:
        raise NotAPackage(_("{count} parts").format(count=count))
    at, covered = cd_start, 0
    entries = []
    for _entry in range(count):
        part, at = _central_entry(data, at)
        entries.append(part)
    if at != end:
        raise NotAPackage(_("its directory does not match its end record"))
    for part in sorted(entries, key=lambda p: p.start):
        start, covered = _local_entry(data, part, covered)
        yield replace(part, start=start)
    if covered != cd_start:
        raise NotAPackage(_("data outside its entries"))


def _central_entry(data: memoryview, at: int) -> tuple[Part, int]:
    fields = _CENTRAL.unpack_from(data, at)
    (signature, _v, _n, flags, method, _t, _d, crc, compressed, size) = fields[:10]
    name_length, extra_length, comment_length, disk, _a, _e, offset = fields[10:]
    if signature != b"PK\x01\x02" or disk or flags & _ENCRYPTED or method not in (0, 8):
        raise NotAPackage(_("an entry it cannot read"))
    if _ZIP64 in (compressed, size, offset):
        raise NotAPackage(_("ZIP64 entries"))
    name = _name(bytes(data[at + _CENTRAL.size : at + _CENTRAL.size + name_length]))
    end = at + _CENTRAL.size + name_length + extra_length + comment_length
    return Part(name, method, offset, compressed, size, crc), end


def _local_entry(data: memoryview, part: Part, at: int) -> tuple[int, int]:
    """Check the local entry of ``part`` starts at ``at``: where its data
    starts, and where the entry ends."""
    if part.start != at:
        raise NotAPackage(_("data outside its entries"))
    signature, _v, flags, method, _t, _d, crc, compressed, size, name_length, extra_length = (
        _LOCAL.unpack_from(data, at)
    )
    name = bytes(data[at + _LOCAL.size : at + _LOCAL.size + name_length])
    if signature != b"PK\x03\x04" or name.decode("ascii") != part.name or method != part.method:
        raise NotAPackage(
            _("entries that disagree with its directory ({name!r})").format(name=part.name)
        )
    start = at + _LOCAL.size + name_length + extra_length
    end = start + part.compressed
    if end > len(data):
        raise NotAPackage(_("cut short"))
    if flags & _DESCRIBED_AFTER:  # sizes and checksum after the data (LibreOffice)
        if data[end : end + 4] == b"PK\x07\x08":
            end += 4
        crc, compressed, size = _DESCRIPTOR.unpack_from(data, end)
        end += _DESCRIPTOR.size
    if (crc, compressed, size) != (part.crc, part.compressed, part.size):
        raise NotAPackage(
            _("entries that disagree with its directory ({name!r})").format(name=part.name)
        )
    return start, end


def _name(raw: bytes) -> str:
    try:
        name = raw.decode("ascii")
    except UnicodeDecodeError:
        raise NotAPackage(_("a part name that is not plain ASCII")) from None
    segments = name.split("/")
    if not all(map(_SEGMENT.fullmatch, segments)) or {".", ".."} & set(segments):
        raise NotAPackage(_("a part name no workbook has ({name!r})").format(name=name))
    return name


def not_ours(label: str, reason: object) -> ReportError:
    """The error of a file refused as a report of ours, and why."""
    return ReportError(_(NOT_OURS).format(label=label, reason=reason))


def total_size(package: Package) -> int:
    return sum(part.size for part in package.parts.values())


def open_package(data: bytes, label: str) -> Package:
    """``Package`` of ``data``, or ReportError naming ``label`` and what is wrong."""
    try:
        package = Package(data)
    except NotAPackage as error:
        raise not_ours(label, error) from None
    except BROKEN:
        raise not_ours(label, _(NOT_READABLE)) from None
    if total_size(package) > MAX_TOTAL_BYTES:
        raise ReportError(_(TOO_BIG).format(label=label))
    return package
