"""A tool the tests need and do not find (LibreOffice, Node, Pyodide, Chromium):
a loud skip on a developer's machine, a failure on CI -- whichever way CI says
so. CI services set ``CI`` to ``true``, ``1``, ``yes`` or ``True``; ``0``,
``false``, ``no`` or nothing mean a developer's machine (tests/helpers.in_ci:
one rule for require_tool and lite_runtime.need)."""

from __future__ import annotations

import pytest
from helpers import in_ci, require_tool
from lite_runtime import need

NOWHERE = "xl-contacts-test-no-such-tool"  # on no PATH


def missing_tool() -> None:
    require_tool(NOWHERE)


def missing_for_lite() -> None:
    need("Node.js", None, "install Node 20 to run the xlwings Lite tests")


@pytest.mark.parametrize("value", ["true", "1", "yes", "True", "TRUE", "on", " 1 "])
@pytest.mark.parametrize("ask", [missing_tool, missing_for_lite])
def test_on_ci_a_missing_tool_fails(monkeypatch: pytest.MonkeyPatch, value: str, ask) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci()
    with pytest.raises(pytest.fail.Exception, match=r"is missing|not installed"):
        ask()


@pytest.mark.parametrize("value", [None, "", "0", "false", "no", "False", "NO", " "])
@pytest.mark.parametrize("ask", [missing_tool, missing_for_lite])
def test_elsewhere_a_missing_tool_is_skipped_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str | None, ask
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert not in_ci()
    with pytest.raises(pytest.skip.Exception, match=r"Node\.js is missing|not installed"):
        ask()
