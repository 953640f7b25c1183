"""=GETCONTACTS in xlwings Lite in a real browser (headless Chromium): the page
of one origin (as Lite's task pane is), GREEN-API's stand-in on another, so the
browser enforces CORS. Without ``Access-Control-Allow-Origin`` the cell says
what to check; with it, the table. (Node's fetch enforces no CORS: test_lite.py
covers the rest there.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import assert_no_token
from lite_runtime import LITE, PYODIDE, lite_files, lite_wheels, need, need_pyodide
from pytest_httpserver import HTTPServer
from stand_in import REFERENCE_CONTACTS, FakeGreenApi
from werkzeug import Request, Response

from xl_contacts.domain.table import COLUMNS

pytestmark = pytest.mark.lite

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
         ".json": "application/json", ".html": "text/html", ".py": "text/plain"}  # fmt: skip


class Site:
    """The page's origin: Pyodide's files, the wheels, main.py, and /result."""

    def __init__(self, server: HTTPServer, files: dict[str, Path], config: dict[str, Any]):
        self.server = server
        self.origin = server.url_for("").rstrip("/")
        self.answers: list[dict[str, Any]] = []
        self.done = threading.Event()
        server.expect_request("/config.json").respond_with_json(config)
        server.expect_request("/result", method="POST").respond_with_handler(self._result)
        for path, file in files.items():
            server.expect_request(path).respond_with_handler(_file(file))

    def _result(self, request: Request) -> Response:
        self.answers.append(json.loads(request.get_data(as_text=True)))
        self.done.set()
        return Response("", status=204)


def _file(path: Path) -> Any:
    def serve(request: Request) -> Response:
        return Response(path.read_bytes(), content_type=TYPES.get(path.suffix, "application/zip"))

    return serve


@pytest.fixture
def site_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


def browse(chromium: str, site: Site, profile: Path, timeout: float = 120) -> dict[str, Any]:
    """Open the page in headless Chromium; what it reported."""
    browser = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", site.origin + "/"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        reported = site.done.wait(timeout)
    finally:
        browser.terminate()
        try:
            _, console = browser.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            browser.kill()
            _, console = browser.communicate()
    assert reported, f"the page reported nothing within {timeout} s:\n{console[-3000:]}"
    (answer,) = site.answers
    assert "error" not in answer, answer["error"]
    return answer["out"]


def test_cors_blocked_says_what_to_do_allowed_gives_the_table(
    tmp_path: Path, site_server: HTTPServer, green_api: FakeGreenApi
) -> None:
    need_pyodide()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    need("Chromium", chromium, "apt-get install -y chromium")
    main, requirements = lite_files(tmp_path)
    wheel_files = lite_wheels(requirements)
    origin = site_server.url_for("").rstrip("/")

    def answer(request: Request) -> Response:
        # count=1: as a server that sends no CORS header; count=2: one allowing the page.
        allowed = {"Access-Control-Allow-Origin": origin} if request.args["count"] == "2" else {}
        body = json.dumps(REFERENCE_CONTACTS[: int(request.args["count"])])
        return Response(body, content_type="application/json", headers=allowed)

    green_api.answer_with(answer)
    micropip = next(w for w in wheel_files if w.name.startswith("micropip-"))
    files = {f"/pyodide/{f.name}": f for f in PYODIDE.iterdir() if f.is_file()}
    files.update({f"/wheels/{w.name}": w for w in wheel_files})
    files.update({"/": LITE / "page.html", "/main.py": main, "/harness.py": LITE / "harness.py"})
    files["/officejs_call.py"] = LITE.parent / "officejs_call.py"
    command = {
        "env": green_api.env(),
        "calls": [[1.0], [2.0]],
        "together": False,
        "interval": 0.0,
        "backoff": 0.01,
    }
    site = Site(
        site_server,
        files,
        {
            "micropip": f"{origin}/wheels/{micropip.name}",
            "wheels": [f"{origin}/wheels/{w.name}" for w in wheel_files if w != micropip],
            "command": command,
        },
    )

    out = browse(chromium, site, tmp_path / "profile")

    blocked, allowed = out["results"]
    assert isinstance(blocked, list) and len(blocked) == 1, blocked
    text = blocked[0][0]
    assert text.startswith("#GETCONTACTS: the browser could not get an answer from GREEN-API")
    assert "(CORS)" in text and "GREENAPI_API_URL" in text
    assert_no_token(text, out["results"])
    assert allowed == [
        list(COLUMNS),
        ["10000000", "Василиса", "Василиса Премудрая", "user", "79876543210"],
        ["10000001", "Иван", "Иван Царевич", "user", "79998887766"],
    ]
    counts = [r.args["count"] for r in green_api.requests]
    assert counts[:2] == ["1", "1"] and counts[2:] == ["2"], "blocked: sent, unreadable, retried"
