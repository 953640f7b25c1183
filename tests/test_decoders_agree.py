"""The streamed decoder (``export`` reads the body item by item) and the
buffered one (``contacts`` decodes it whole) give the same answer on every
body: the same contacts, or both the same failure. Byte order marks and white
space before the array are where they parted (issue 23: two marks).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hostile_server import HostileServer, respond

from xl_contacts.base.json_stream import ArrayItems, NotAList, loads
from xl_contacts.cli import main

BOM = b"\xef\xbb\xbf"
ARRAY = json.dumps([{"chatId": "79001234567@c.us", "name": "Ann"}]).encode()
BODIES = {
    "one mark": BOM + ARRAY,
    "two marks": BOM + BOM + ARRAY,
    "three marks": BOM * 3 + ARRAY,
    "a mark after white space": b" \n" + BOM + ARRAY,
    "a mark, white space, a mark": BOM + b"  " + BOM + ARRAY,
    "white space, then the array": b" \r\n\t" + ARRAY,
    "a mark alone": BOM,
    "a mark and white space alone": BOM + b"  ",
    "a half mark": BOM[:2] + ARRAY,
    "a mark inside": b"[" + BOM + ARRAY[1:],
    "an object after a mark": BOM + b'{"a": 1}',
}


def buffered(body: bytes) -> Any:
    try:
        value = loads(body)
    except ValueError:
        return "fails"
    return value if isinstance(value, list) else ("not a list", value)


def streamed(chunks: list[bytes]) -> Any:
    items = ArrayItems()
    try:
        got = [item for chunk in chunks for item in items.feed(chunk)]
        return got + items.finish()
    except NotAList as error:
        return ("not a list", error.value)
    except ValueError:
        return "fails"


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_every_chunking_decodes_as_the_whole_body(body: bytes) -> None:
    expected = buffered(body)
    assert streamed([body]) == expected
    assert streamed([body[i : i + 1] for i in range(len(body))]) == expected
    for cut in range(1, len(body)):
        assert streamed([body[:cut], body[cut:]]) == expected, cut


def test_two_marks_fail_both_ways() -> None:
    assert buffered(BOM + BOM + ARRAY) == "fails"  # json.loads takes one mark, not two
    assert buffered(BOM + ARRAY) != "fails"


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_contacts_and_export_agree(
    body: bytes,
    hostile_env: HostileServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hostile_env.play(respond(body))
    listed = main(["contacts", "--format", "json"])
    listing = capsys.readouterr()
    exported = main(["export", "-o", str(tmp_path / "r.xlsx")])
    export = capsys.readouterr()
    assert (listed, exported) in ((0, 0), (1, 1)), (listing.err, export.err)
    assert (tmp_path / "r.xlsx").exists() == (exported == 0)
    for run in (listing, export):  # a failure is one line, the same both ways
        errors = [line for line in run.err.splitlines() if line.startswith("xl-contacts: error:")]
        assert len(errors) == (1 if listed else 0) and "Traceback" not in run.err
    if listed:
        assert listing.err.splitlines()[-1] == export.err.splitlines()[-1]
