"""json_stream: the items of a body fed in any chunks are json.loads(body)'s, or
its error; orjson is used only where it decodes the same."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from helpers import json_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_contacts.base.json_stream import ArrayItems, NotAList, gc_paused_promoting, loads

leaves = st.one_of(
    st.text(alphabet=st.sampled_from(list('ab},{[]":\\ \x00\ud800Ж\n')), max_size=8),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)
items = st.one_of(
    st.dictionaries(st.sampled_from(["chatId", "name", "x}", "a,b"]), values, max_size=4), values
)
MUTATIONS = [
    "none", "truncated", "trailing comma", "double comma", "garbage after",
    "byte order mark", "utf-16", "NaN", "1e400", "object", "whitespace",
]  # fmt: skip


def _body(decoded: list[Any], style: int, mutation: str, cut: float) -> bytes:
    body = json_body(decoded, style)
    edits = {
        "truncated": lambda b: b[: max(1, int(len(b) * cut))],
        "trailing comma": lambda b: b[:-1] + b",]" if decoded else b,
        "double comma": lambda b: b.replace(b"}, {", b"},, {", 1).replace(b"},{", b"},,{", 1),
        "garbage after": lambda b: b + b" x",
        "byte order mark": lambda b: b"\xef\xbb\xbf" + b,
        "utf-16": lambda b: b.decode("utf-8", "surrogatepass").encode("utf-16-le", "surrogatepass"),
        "NaN": lambda b: b"[NaN" + (b"," + b[1:] if decoded else b"]"),
        "1e400": lambda b: b"[1e400" + (b"," + b[1:] if decoded else b"]"),
        "object": lambda b: b'{"a": ' + b + b"}",
        "whitespace": lambda b: b"  \n" + b + b"\n ",
    }
    return edits.get(mutation, lambda b: b)(body)


def _same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b)  # NaN-safe, and tells 1 from 1.0 and True


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(items, max_size=12),
    st.integers(0, 2),
    st.sampled_from(MUTATIONS),
    st.floats(0, 1),
    st.lists(st.integers(1, 40), min_size=1, max_size=6),
)
def test_items_of_any_chunking_are_json_loads_of_the_whole(
    decoded: list[Any], style: int, mutation: str, cut: float, sizes: list[int]
) -> None:
    body = _body(decoded, style, mutation, cut)
    try:
        expected: Any = json.loads(body)
    except ValueError as error:
        expected = error
    stream, got, position, i = ArrayItems(), [], 0, 0
    try:
        while position < len(body):
            got += stream.feed(body[position : position + sizes[i % len(sizes)]])
            position += sizes[i % len(sizes)]
            i += 1
        got += stream.finish()
    except NotAList as error:
        assert _same(error.value, expected)
        return
    except ValueError:
        assert isinstance(expected, ValueError)
        return
    assert _same(got, expected)


@pytest.mark.parametrize(
    "body",
    [
        b"[123456789012345678901234567890]",  # orjson: a float
        b"[-9223372036854775809]",  # just past 64 bits: orjson a float
        b'["\\ud800"]',  # orjson refuses a lone surrogate
        b"[1e400]",
        b"[NaN, Infinity]",
        b"\xef\xbb\xbf[1]",
        b'[{"a": 1, "a": 2}]',
    ],
)
def test_loads_is_json_loads_where_orjson_differs(body: bytes) -> None:
    assert _same(loads(body), json.loads(body))


_PHONES = st.sampled_from([0, 79001234567, 2**63 - 1, 2**64 - 1, 2**64, -(2**63) - 1, 10**30])
_RECORD_VALUES = _PHONES | st.floats(allow_nan=False) | st.text(max_size=3) | st.none()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "chatId": st.sampled_from(["79001234567", "123", "12345678901234567890"])
                | _RECORD_VALUES,
                "name": st.text(max_size=3) | _RECORD_VALUES,
                "contactName": st.just("") | _RECORD_VALUES,
                "type": st.just("user") | _RECORD_VALUES,
                "phoneNumber": _PHONES | _RECORD_VALUES,
            }
        ),
        max_size=5,
    )
    | st.lists(items, max_size=4),
    st.integers(0, 2),
)
def test_loads_of_contact_lists_is_json_loads(decoded: list[Any], style: int) -> None:
    # A list with an integer beyond 64 bits anywhere is json.loads' (orjson
    # would make it a float).
    body = _body(decoded, style, "none", 1.0)
    assert _same(loads(body), json.loads(body))


@pytest.mark.parametrize("depth", [1_000, 1_024, 1_025, 5_000, 100_000])
def test_deep_nesting_is_decoded_or_a_recursion_error(depth: int) -> None:
    # orjson decodes up to 1,024 levels (where json may already give up) and stops
    # beyond with an error, never a crash; json.loads then raises RecursionError.
    body = b"[" * depth + b"]" * depth
    if depth > 1_024:
        with pytest.raises(RecursionError):
            loads(body)
        return
    value, levels = loads(body), 1
    while value:  # walked, not compared: == on 1,000 levels recurses too
        (value,) = value
        levels += 1
    assert value == [] and levels == depth


def test_a_long_list_is_decoded_while_it_arrives() -> None:
    contacts = [{"chatId": str(i), "name": f"n{i}"} for i in range(5000)]
    body = json.dumps(contacts).encode()
    stream = ArrayItems()
    early = [
        item
        for start in range(0, len(body), 4096)
        for item in stream.feed(body[start : start + 4096])
    ]
    assert len(early) > 4900  # all but the last chunk's items before the end
    assert early + stream.finish() == contacts


def test_the_promoting_pause_pauses_then_leaves_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused_promoting():
        assert not gc.isenabled()
        rows = [[str(i)] for i in range(1000)]
        with gc_paused_promoting():  # nested: the outer one decides
            pass
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # What was made during the pause is in the oldest generation, unswept.
    assert gc.get_count()[0] < len(rows)
    assert any(rows is o for o in gc.get_objects(generation=2))


def test_the_promoting_pause_never_thaws_what_the_program_froze() -> None:
    kept = [[1], [2]]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused_promoting():
            pass
        # A thaw empties the permanent generation; other threads (a stand-in server
        # of an earlier test winding down) may free a few frozen objects meanwhile.
        assert gc.get_freeze_count() > frozen // 2 and gc.isenabled()
    finally:
        gc.unfreeze()
    assert kept
