"""The streamed export: the very workbook the buffered one writes, part for
part, for any answer; and the same clean failures -- a broken, bad, oversized
or late answer leaves no file and the previous report as it was."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from helpers import json_body
from hostile_server import HostileServer, head_bytes, raw, respond, trickle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stand_in import HOSTILE_NAMES, ID_INSTANCE, TOKEN, FakeGreenApi, make_contacts

from xl_contacts.api import body as api_body
from xl_contacts.api.client import GreenApiClient
from xl_contacts.base import json_stream
from xl_contacts.base.errors import BadResponse, NetworkError, ReportError
from xl_contacts.base.json_stream import ArrayItems
from xl_contacts.config.settings import load_settings
from xl_contacts.domain.contacts import normalise
from xl_contacts.sinks import report_facts
from xl_contacts.sinks.xlsx_report import write_report
from xl_contacts.usecases.export_stream import export_streamed, write_streamed

WHEN = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
# docProps/core.xml says when the file was made: the one part allowed to differ.
_MADE = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        found = {name: book.read(name) for name in book.namelist()}
    found["docProps/core.xml"] = _MADE.sub(b"", found["docProps/core.xml"])
    return found


def buffered(body: bytes, path: Path) -> Path:
    table = normalise(json.loads(body), id_instance=ID_INSTANCE)
    table.fetched_at = WHEN
    return write_report(table, path)


def cut(body: bytes, points: list[int]) -> list[bytes]:
    edges = sorted({0, len(body), *(p % (len(body) + 1) for p in points)})
    return [body[a:b] for a, b in pairwise(edges)]


def assert_same_report(body: bytes, chunks: list[bytes], tmp_path: Path) -> Any:
    expected = parts(buffered(body, tmp_path / "buffered.xlsx"))
    result = write_streamed(
        iter(chunks), path=tmp_path / "streamed.xlsx", id_instance=ID_INSTANCE, fetched_at=WHEN
    )
    got = parts(result.path)
    assert list(got) == list(expected)
    for name, data in expected.items():
        assert got[name] == data, name
    return result


texts = st.one_of(
    st.sampled_from([*HOSTILE_NAMES, "", " ", "a\rb", "=1+1", "x" * 40_000, "\ud83d", "null"]),
    st.text(max_size=12),
)
values = st.one_of(
    texts,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)
chat_ids = st.one_of(
    st.sampled_from(["79001234567@c.us", "120363@g.us", "1234@lid", "null@c.us", "-100200"]),
    st.integers(-(10**12), 10**12).map(str),
    values,
)
phones = st.one_of(
    st.integers(0, 10**16), st.sampled_from(["+7 (900) 123-45-67", "0", "", "1e3"]), values
)
record = st.fixed_dictionaries(
    {},
    optional={
        "chatId": chat_ids,
        "id": chat_ids,
        "name": texts,
        "contactName": texts,
        "type": st.one_of(st.sampled_from(["user", "group", "channel", " Group "]), values),
        "phoneNumber": phones,
        "username": values,
        "Country": values,
        "x,}": values,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(record, max_size=40),
    style=st.integers(0, 2),
    points=st.lists(st.integers(0, 10**6), max_size=12),
)
def test_any_answer_in_any_chunks_gives_the_buffered_report(
    records: list[dict[str, Any]], style: int, points: list[int], tmp_path_factory: Any
) -> None:
    body = json_body(records, style)
    assert_same_report(body, cut(body, points), tmp_path_factory.mktemp("same"))


def _long_list(n: int) -> list[dict[str, Any]]:
    contacts = make_contacts(n)
    for i, name in enumerate(HOSTILE_NAMES):
        contacts[100 + i * 97]["name"] = name
        contacts[101 + i * 97]["contactName"] = f" {name} "
    contacts[7]["phoneNumber"] = 123456789012345678901234567890  # beyond 64 bits
    return contacts


def test_a_long_list_streams_and_gives_the_buffered_report(tmp_path: Path) -> None:
    contacts = _long_list(25_000)
    contacts[0]["username"] = "an extra field from the start"
    body = json.dumps(contacts).encode()
    result = assert_same_report(body, cut(body, list(range(0, len(body), 65_536))), tmp_path)
    assert not result.restarted and result.contacts == 25_000


@pytest.mark.parametrize(
    "late",
    [
        pytest.param({"username": "seen late"}, id="an extra field"),
        pytest.param({"chatId": "79001234567@c.us"}, id="a chatId after WhatsApp ids"),
    ],
)
def test_a_column_revealed_late_starts_over_from_the_kept_body(
    late: dict[str, Any], tmp_path: Path
) -> None:
    contacts: list[dict[str, Any]] = [
        {"id": f"7900{i:07}@c.us", "name": f"n{i}"} for i in range(20_000)
    ]
    contacts[15_000].update(late)
    body = json.dumps(contacts).encode()
    result = assert_same_report(body, cut(body, list(range(0, len(body), 65_536))), tmp_path)
    assert result.restarted and result.contacts == 20_000


@pytest.mark.parametrize("start", [b"\n", b" \r\n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"])
def test_white_space_or_a_byte_order_mark_before_the_array_still_streams(start: bytes) -> None:
    """Items come out while the body arrives, not all at once at the end."""
    contacts = make_contacts(200)
    body = start + json.dumps(contacts).encode()
    items = ArrayItems()
    chunks = cut(body, list(range(0, len(body), 97)))
    early = [item for chunk in chunks for item in items.feed(chunk)]
    assert early and early + items.finish() == contacts


def test_what_cannot_stream_is_bounded_like_the_buffered_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body that is no plain array is decoded whole: never more of it than the
    buffered path's cap (64 MB; 2 KB here)."""
    monkeypatch.setattr(json_stream, "MAX_WHOLE_BYTES", 2048)
    items = ArrayItems()
    with pytest.raises(ValueError, match="cannot be read item by item"):
        for chunk in cut(b'{"a": "' + b"x" * 10_000 + b'"}', list(range(0, 10_000, 500))):
            items.feed(chunk)


def test_the_kept_body_goes_beside_the_report_not_to_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small or memory-backed /tmp must not limit (or hold) a big export: the
    body kept for a restart is spilled to the report's own folder."""
    spilled: list[Any] = []
    make_file = tempfile.TemporaryFile

    def recording(*args: Any, **kwargs: Any) -> Any:
        spilled.append(kwargs.get("dir"))
        return make_file(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", recording)
    contacts = _long_list(80_000)  # over the 8 MB kept in memory
    contacts[-1]["late"] = "a column revealed by the last contact"
    body = json.dumps(contacts).encode()
    result = write_streamed(
        iter(cut(body, list(range(0, len(body), 1 << 20)))),
        path=tmp_path / "r.xlsx",
        id_instance=ID_INSTANCE,
    )
    assert result.restarted and result.contacts == 80_000
    assert spilled and {Path(d) for d in spilled} == {tmp_path}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_too_many_rows_is_refused_as_by_the_buffered_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_facts, "MAX_ROWS", 1000)
    body = json.dumps(make_contacts(3000)).encode()
    with pytest.raises(ReportError, match="do not fit"):
        write_streamed(iter(cut(body, [10_000, 100_000])), path=tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []


# --- through the client: the answer goes wrong half-way ------------------------


def _client(server: HostileServer, **options: Any) -> GreenApiClient:
    settings = load_settings(server.url, ID_INSTANCE, TOKEN, env={})
    return GreenApiClient(settings, **{"timeout": (2.0, 5.0), "retries": 0, **options})


@pytest.fixture
def old_report(tmp_path: Path) -> Path:
    path = tmp_path / "report.xlsx"
    write_report(normalise(make_contacts(3)), path)
    return path


def _fails(server: HostileServer, path: Path, kind: type[Exception], **options: Any) -> Exception:
    before = path.read_bytes()
    with _client(server, **options) as client, pytest.raises(kind) as caught:
        export_streamed(client, path)
    assert path.read_bytes() == before, "the previous report is untouched"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no file left behind"
    assert TOKEN not in str(caught.value)
    return caught.value


BODY = json.dumps(make_contacts(40_000)).encode()


def test_a_body_cut_off_half_way_leaves_no_file(hostile: HostileServer, old_report: Path) -> None:
    head = head_bytes(
        200, [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    hostile.play(raw(head + BODY[: len(BODY) // 2]))
    _fails(hostile, old_report, NetworkError)


def test_bad_json_half_way_leaves_no_file(hostile: HostileServer, old_report: Path) -> None:
    half = len(BODY) // 2
    hostile.play(respond(BODY[:half] + b"}}not json,{" + BODY[half:]))
    assert "instead of JSON" in str(_fails(hostile, old_report, BadResponse))


def test_an_answer_that_is_no_list_is_a_bad_response(
    hostile: HostileServer, old_report: Path
) -> None:
    hostile.play(respond(b'{"contacts": []}'))
    assert "instead of a list" in str(_fails(hostile, old_report, BadResponse))


def test_a_body_over_the_streamed_cap_is_refused_half_way(
    hostile: HostileServer, old_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_body, "MAX_STREAMED_BODY_BYTES", len(BODY) // 2)
    hostile.play(respond(BODY, headers=[("Transfer-Encoding", "chunked")]))
    assert "larger than" in str(_fails(hostile, old_report, BadResponse))


def test_a_body_over_the_buffered_cap_streams(
    hostile: HostileServer, old_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The streamed export's memory does not grow with the body: its cap
    (MAX_STREAMED_BODY_BYTES, 1 GiB) is far above the buffered one."""
    monkeypatch.setattr(api_body, "MAX_BODY_BYTES", len(BODY) // 2)
    assert api_body.MAX_STREAMED_BODY_BYTES == 1024**3
    hostile.play(respond(BODY))
    with _client(hostile) as client:
        result = export_streamed(client, old_report)
    assert result.contacts == 40_000 and not result.restarted


def test_a_body_past_the_budget_leaves_no_file(hostile: HostileServer, old_report: Path) -> None:
    hostile.play(trickle(b"[]", interval=0.5))
    assert "within 1 s" in str(_fails(hostile, old_report, NetworkError, budget=1.0))


# The command in a process that has not imported numpy: openpyxl would import
# it (to accept numpy's numbers as cells) while the answer arrives.
_WITHOUT_NUMPY = """
import sys
from xl_contacts.__main__ import command  # what the xl-contacts script runs

code = command()
print(code, sys.modules.get("numpy") is not None)
import numpy  # and later imports of numpy work
print(numpy.arange(3).sum())
"""


@pytest.mark.parametrize("only", [[], ["--only", "personal"]], ids=["streamed", "buffered"])
def test_an_export_command_leaves_numpy_unimported(
    green_api: FakeGreenApi, tmp_path: Path, only: list[str]
) -> None:
    green_api.answer(make_contacts(300))
    out = tmp_path / "report.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_NUMPY, "export", *only, "-o", str(out)],  # sys.argv[1:]
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **green_api.env()},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-3:] == ["0", "False", "3"]  # after the "saved" line
    assert zipfile.ZipFile(out).testzip() is None
