"""Small helpers shared by several test files."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, NoReturn

import pytest
from stand_in import TOKEN


def in_ci() -> bool:
    """Whether the tests run on CI: ``CI`` set to anything but nothing, ``0``,
    ``false`` or ``no`` (any case) -- services set ``true``, ``1`` or ``yes``."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail(message: str) -> NoReturn:
    """A check that cannot run: a loud skip on a developer's machine, a failure
    on CI (which installs what the tests need)."""
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def require_tool(name: str) -> str:
    """The path of a command-line tool the test needs (``skip_or_fail`` without it)."""
    path = shutil.which(name)
    if path:
        return path
    skip_or_fail(
        f"{name} is not installed: this check did NOT run (apt-get install libreoffice-calc)"
    )


def installed_command() -> str:
    """The `xl-contacts` console script of the Python running the tests (not
    whatever a PATH lookup or a version-manager shim would find)."""
    script = Path(sys.executable).with_name("xl-contacts")
    assert script.exists(), f'{script} is missing: pip install -e ".[test]"'
    return str(script)


def run_command(
    *argv: str, env: dict[str, str] | None = None, timeout: float = 60, **options: object
) -> subprocess.CompletedProcess[str]:
    """The installed console script in a subprocess, importing the package under
    test, with the test's environment plus ``env`` and a hard time-out (a hang
    fails the test). Output is captured unless ``options`` say otherwise."""
    package_root = str(Path(__file__).resolve().parents[1])
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    return subprocess.run(  # type: ignore[call-overload]
        [installed_command(), *argv],
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": package_root, **(env or {})},
        **options,
    )


def libreoffice_converts(
    path: Path, out_dir: Path, to: str = "pdf", *, infilter: str | None = None
) -> Path:
    """Convert with headless LibreOffice; return the converted file (asserted to exist).
    ``infilter``: how to open it (e.g. ``CSV:59,34,76,1``: a CSV split at ";", UTF-8)."""
    soffice = require_tool("soffice")
    profile = out_dir / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            to,
            "--outdir",
            str(out_dir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = out_dir / f"{path.stem}.{to.split(':')[0]}"
    assert result.returncode == 0 and converted.exists(), result.stdout + result.stderr
    return converted


def formulas_in(path: Path) -> list[str]:
    """Every <f> (formula) element in any worksheet of an .xlsx/.xlsm package."""
    found = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = package.read(name).decode()
                if "<f>" in xml or "<f " in xml:
                    found.append(name)
    return found


def client_side_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured log message except the stand-in server's own access log
    (the server is GREEN-API's side: it sees the token by definition)."""
    return [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]


def assert_no_token(*texts: Any) -> None:
    for text in texts:
        assert TOKEN not in str(text), "the API token leaked"


def file_has_no_token(path: os.PathLike[str] | str) -> None:
    """Search the raw bytes of a file and, for zip packages, every member."""
    data = open(path, "rb").read()
    assert TOKEN.encode() not in data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as package:
            for member in package.namelist():
                assert TOKEN.encode() not in package.read(member), member


class Terminal(io.StringIO):
    """A stream that says it is a terminal: login prompts instead of reading a
    pipe on standard input; terminal-safe text on standard output."""

    def isatty(self) -> bool:
        return True


def cli(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: io.StringIO | str | None = None
) -> tuple[int, str, str]:
    """Run the command line in this process: (exit code, stdout, stderr), checked
    for the token, tracebacks and internal errors. ``stdin``: what is piped in."""
    from xl_contacts.cli import main

    if stdin is not None:
        sys.stdin = stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin)
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own usage errors
        code = int(exit_.code or 0)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    assert_no_token(out, err)
    assert "Traceback" not in err and "internal error" not in err
    return code, out, err


def json_body(value: Any, style: int) -> bytes:
    """``value`` as a server may send it (style 0: ASCII with \\u escapes, 1: compact
    UTF-8, 2: indented), lone surrogates kept as bytes no decoder accepts."""
    text = [
        json.dumps(value),
        json.dumps(value, ensure_ascii=False, separators=(",", ":")),
        json.dumps(value, indent=1),
    ][style]
    return text.encode("utf-8", "surrogatepass")


# The calls both Office.js paths (the desktop UDF module, the xlwings Lite one) are
# checked with: (count, header) as Excel passes them -- 2, no header, 0, text.
OFFICEJS_CALLS = [[2.0, None], [None, False], [0.0, None], ["x", None]]
# What the error cell says for each status GREEN-API may answer: the desktop's
# =GETCONTACTS and xlwings Lite's alike.
STATUS_CELLS = [
    (400, "HTTP 400"),
    (401, "token rejected by GREEN-API (HTTP 401) — check GREENAPI_API_TOKEN_INSTANCE"),
    (403, "GREENAPI_ID_INSTANCE"),
    (466, "quota"),
    (429, "HTTP 429"),
    (500, "HTTP 500"),
    (502, "HTTP 502"),
]


def assert_registered_and_called_as_desktop(out: dict[str, Any]) -> None:
    """``out`` of OFFICEJS_CALLS (with the reference contacts): GETCONTACTS
    registered with its four optional arguments and a matrix result, and what
    the four calls give -- the same whichever front end answered."""
    from xl_contacts.domain.table import COLUMNS

    (function,) = out["meta"]["functions"]
    assert function["name"] == "GETCONTACTS"
    assert [p["name"] for p in function["parameters"]] == ["count", "header", "only", "profile"]
    assert all(p["optional"] for p in function["parameters"])
    assert function["result"]["dimensionality"] == "matrix"
    full, headless, zero, text = out["results"]
    assert full[0] == list(COLUMNS) and full[1][4] == "79876543210"
    assert headless[0][0] == "10000000" and len(headless) == 3
    assert zero[0][0].startswith("#GETCONTACTS: count must be")
    assert text[0][0].startswith("#GETCONTACTS: count must be")

