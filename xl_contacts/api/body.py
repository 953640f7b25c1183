"""The body of a 200 answer: read within bounds, inflated a chunk at a time,
decoded as JSON (or handed to a reader as it arrives).

Bounds, whatever the server does: the body may be at most ``MAX_BODY_BYTES``
(``MAX_STREAMED_BODY_BYTES`` for a reader) -- declared, read or inflated -- and
only the encodings that can be inflated a chunk at a time are accepted, so a
2 MB bomb never becomes 2 GB. JSON nested too deeply for the parser is a
``BadResponse``, not a crash.

Pure: the bytes come from a ``read(size)`` function the transport supplies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..base.errors import BadResponse, GreenApiError, echo
from ..base.i18n import _
from ..base.json_stream import NotAList, loads
from ..base.names import ENV_API_URL

# The largest answer accepted, decoded: about 500,000 contacts. Anything bigger
# is refused rather than held in memory (and parsed into ten times as much).
MAX_BODY_BYTES = 64 * 1024 * 1024
# The largest answer a reader that works on the body as it arrives accepts
# (read_contacts: the streamed export, whose memory stays flat however long the
# list is). A million contacts are ~150 MB; 1 GiB is ~7 million, more than a
# sheet holds.
MAX_STREAMED_BODY_BYTES = 1024 * 1024 * 1024
# The Accept-Encoding sent: only what can be inflated a chunk at a time (not
# brotli or zstd). Identity = not encoded.
ACCEPT_ENCODING = "gzip, deflate"
_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})
_IDENTITY = ("", "identity")
CHUNK = 64 * 1024
# The buffered path reads an answer that is not compressed in larger pieces (a
# 16 MB body took 43 ms in 64 KiB reads, 16 ms in 1 MiB ones); a compressed one
# stays at CHUNK, as each read inflates what it gets at once (~1000x for a bomb).
PLAIN_CHUNK = 1024 * 1024

# read(size): up to ``size`` decoded bytes of the body, b"" at its end.
Read = Callable[[int], bytes]
Reader = Callable[[Iterator[bytes]], Any]


class BodyFailed(Exception):
    """The connection failed while the body arrived (``cause``: the library's
    exception, whose text is never used: it may hold the URL)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__("the body did not arrive")
        self.cause = cause


class ReaderFailed(Exception):
    """A reader's own failure, carried past the client's handling of network
    errors (a full disk must not become "cannot reach GREEN-API", nor a retry)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__("the reader failed")
        self.error = error


class Streamed:
    """A reader as the client calls it: its own failures wrapped in ReaderFailed."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, chunks: Iterator[bytes]) -> Any:
        try:
            return self.reader(chunks)
        except (GreenApiError, ValueError, RecursionError, BodyFailed):
            raise  # the body's: bad JSON, too big, the connection or the budget
        except Exception as error:
            failure = ReaderFailed(error)
        raise failure


def content_encoding(headers: Mapping[str, str]) -> str:
    """The answer's Content-Encoding, as compared with the accepted ones."""
    return headers.get("Content-Encoding", "").strip().lower()


def decode(
    read: Read,
    headers: Mapping[str, str],
    status: int,
    reader: Streamed | None = None,
) -> Any:
    """The decoded JSON of a 200 answer, or what ``reader`` returns when given
    the body in chunks; BadResponse for a body that is too big, badly encoded,
    not JSON or not a list where a reader wants one."""
    try:
        if reader is None:
            chunks = body_chunks(read, headers, status, MAX_BODY_BYTES, PLAIN_CHUNK)
            return loads(b"".join(chunks))
        return reader(body_chunks(read, headers, status, MAX_STREAMED_BODY_BYTES))
    except BadResponse:
        raise
    except NotAList as not_a_list:
        what = _("a JSON {type} instead of a list of contacts").format(
            type=type(not_a_list.value).__name__
        )
    except RecursionError:
        what = _("JSON nested too deeply to be a contact list")
    except ValueError:  # also UnicodeDecodeError
        kind = headers.get("Content-Type", "").split(";")[0] or _("unknown content")
        what = _("{kind} instead of JSON").format(kind=echo(kind))
    raise BadResponse(
        _("GREEN-API answered with {what} — check {env}").format(what=what, env=ENV_API_URL),
        status,
    )


def body_chunks(
    read: Read,
    headers: Mapping[str, str],
    status: int,
    limit: int,
    plain_chunk: int = CHUNK,
) -> Iterator[bytes]:
    """The decoded body in chunks, or BadResponse as soon as it is (or would
    inflate to) more than ``limit`` bytes. ``plain_chunk``: the size of a read
    when the body is not compressed."""
    encoding = content_encoding(headers)
    if encoding not in _ENCODINGS:
        raise BadResponse(
            _(
                "GREEN-API answered in an encoding this program does not accept "
                "({encoding}) — check {env}"
            ).format(encoding=echo(encoding), env=ENV_API_URL),
            status,
        )
    declared = headers.get("Content-Length", "").strip()
    if declared.isdigit() and encoding in _IDENTITY and int(declared) > limit:
        raise too_big(status, limit)
    size = 0
    piece = plain_chunk if encoding in _IDENTITY else CHUNK
    while chunk := read(piece):
        size += len(chunk)
        if size > limit:
            raise too_big(status, limit)
        yield chunk


def too_big(status: int, limit: int = MAX_BODY_BYTES) -> BadResponse:
    return BadResponse(
        _(
            "GREEN-API's answer is larger than {mb} MB — ask for "
            "fewer contacts (count), or check {env}"
        ).format(mb=limit // (1024 * 1024), env=ENV_API_URL),
        status,
    )


def list_of(data: Any, method: str) -> list[Any]:
    """``data``, the decoded answer of getContacts or getChats, which must be a list."""
    if isinstance(data, list):
        return data
    if method == "getContacts":
        message = _(
            "GREEN-API answered with a JSON {type} instead of a list of contacts — check {env}"
        )
    else:
        message = _(
            "GREEN-API answered {method} with a JSON {type} instead of a list of chats "
            "— check {env}"
        )
    raise BadResponse(message.format(method=method, type=type(data).__name__, env=ENV_API_URL))
