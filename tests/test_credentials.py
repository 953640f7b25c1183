"""login / logout / doctor / workbook: the first-run experience."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keyring
import openpyxl
import pytest
from helpers import assert_no_token, cli, installed_command
from keyring.backends import fail
from pyopenvba import ExcelFile
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi

from xl_contacts.config import credentials
from xl_contacts.config.settings import ORIGIN_STORED, load_settings
from xl_contacts.usecases.template.build import INTERPRETER_KEYS, build_template

HERE = Path(__file__).resolve().parent


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    return cli(capsys, *argv, stdin=stdin)


def doctor_lines(out: str) -> dict[str, tuple[str, str]]:
    """{check name: (status, detail)} from doctor's aligned output."""
    parsed = (re.fullmatch(r"(\S+)\s+(.+?)\s{2,}(.*)", line).groups() for line in out.splitlines())
    return {name: (status, detail) for status, name, detail in parsed}


def login(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], token: str = TOKEN
) -> tuple[int, str, str]:
    return run(
        capsys,
        "login",
        "--api-url",
        green_api.url,
        "--id-instance",
        ID_INSTANCE,
        stdin=token + "\n",
    )


def test_login_checks_then_stores_token_in_the_credential_store(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    green_api.answer_state("authorized")
    code, out, _ = login(green_api, capsys)
    assert code == 0 and "saved profile default: instance" in out and "***2345" in out
    stored = json.loads(credentials.config_path().read_text())
    assert stored == {
        "version": 2,
        "profiles": {"default": {"api_url": green_api.url, "id_instance": ID_INSTANCE}},
    }
    assert TOKEN not in credentials.config_path().read_text()
    assert keyring.get_password(credentials.KEYRING_SERVICE, ID_INSTANCE) == TOKEN
    assert green_api.requests[0].path.startswith(f"/waInstance{ID_INSTANCE}/getStateInstance/")


def test_stored_settings_are_used_and_the_environment_wins(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    green_api.answer_state()
    green_api.answer(REFERENCE_CONTACTS)
    login(green_api, capsys)
    settings = load_settings()
    assert (settings.api_url, settings.id_instance, settings.api_token) == (
        green_api.url,
        ID_INSTANCE,
        TOKEN,
    )
    assert set(settings.origins.values()) == {ORIGIN_STORED}
    code, out, _ = run(capsys, "contacts", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 3

    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "999")
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", "other-token")
    other = load_settings()
    assert (other.id_instance, other.api_token) == ("999", "other-token")
    assert other.api_url == "https://api.green-api.com", "a stored apiUrl is for its instance only"


def test_login_with_a_rejected_token_stores_nothing(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    green_api.answer_state(status=401)
    code, _, err = login(green_api, capsys)
    assert code == 1 and "token rejected" in err
    assert not credentials.config_path().exists()
    assert keyring.get_password(credentials.KEYRING_SERVICE, ID_INSTANCE) is None


def test_login_without_a_credential_store_points_to_the_environment(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    green_api.answer_state()
    code, _, err = login(green_api, capsys)
    assert code == 2
    assert "no credential store" in err and "GREENAPI_API_TOKEN_INSTANCE" in err
    assert not credentials.config_path().exists()
    assert green_api.requests == [], "nothing sent when nothing could be stored"


@pytest.mark.parametrize(
    ("token", "says"),
    [
        ("", "no apiTokenInstance given"),
        # The person typed it at login's prompt: no variable is to blame.
        ("abc/def", "the token given contains characters"),
        ("two words", "the token given contains characters"),
    ],
)
def test_login_with_a_malformed_token_is_a_usage_error(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], token: str, says: str
) -> None:
    code, _, err = login(green_api, capsys, token)
    assert code == 2 and says in err


def test_login_with_piped_token_needs_the_instance(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "login", stdin=TOKEN + "\n")
    assert code == 2 and "--id-instance" in err


def test_login_warns_about_an_unauthorised_instance(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    green_api.answer_state("notAuthorized")
    code, _, err = login(green_api, capsys)
    assert code == 0 and "'notAuthorized'" in err and "QR code" in err


def test_logout_removes_everything(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    green_api.answer_state()
    login(green_api, capsys)
    code, out, _ = run(capsys, "logout")
    assert code == 0 and "credential store" in out and "settings.json" in out
    assert not credentials.config_path().exists()
    assert keyring.get_password(credentials.KEYRING_SERVICE, ID_INSTANCE) is None
    assert run(capsys, "logout")[1].strip() == "nothing was stored"


def test_login_through_the_installed_command_with_piped_input(
    green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer_state()
    green_api.answer()  # login's one-contact look (unanswered: retried, a second apart)
    env = {
        **os.environ,
        "PYTHONPATH": str(HERE),
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
    }
    result = subprocess.run(
        [installed_command(), "login", "--api-url", green_api.url, "--id-instance", ID_INSTANCE],
        input=TOKEN + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert_no_token(result.stdout, result.stderr)
    assert TOKEN in Path(os.environ["TEST_KEYRING_FILE"]).read_text()


def test_doctor_healthy(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    green_api_env.answer_state()
    green_api_env.answer(REFERENCE_CONTACTS[:1])
    book = build_template(tmp_path / "t.xlsm")
    code, out, _ = run(capsys, "doctor", "--workbook", str(book))
    assert code == 0, out
    lines = doctor_lines(out)
    for name in ("settings", "GREEN-API", "getContacts", "xlwings", "workbook", "UDF module"):
        assert lines[name][0] == "ok", name
    assert "token ***2345 (environment)" in out


@pytest.mark.parametrize(
    ("state", "status", "says"),
    [
        ("authorized", 401, "token rejected"),
        ("notAuthorized", 200, "'notAuthorized'"),
        ("authorized", 403, "HTTP 403"),
    ],
)
def test_doctor_broken_api(
    green_api_env: FakeGreenApi,
    capsys: pytest.CaptureFixture[str],
    state: str,
    status: int,
    says: str,
) -> None:
    green_api_env.answer_state(state, status=status)
    green_api_env.answer([])
    code, out, err = run(capsys, "doctor")
    assert code == 1 and re.search(r"^\d+ problems? found$", err, re.M)
    status, detail = doctor_lines(out)["GREEN-API"]
    assert status == "FAIL" and says in detail


def test_doctor_without_settings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "doctor")
    assert code == 1
    assert out.splitlines()[0].startswith("FAIL  settings") and "xl-contacts login" in out


def test_doctor_finds_a_workbook_with_other_vba(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = build_template(tmp_path / "old.xlsm")
    with ExcelFile(book) as wb:
        wb.set_module("xlwings", wb.get_module("xlwings").replace("'Version: ", "'Version: 0.0.1-"))
        wb.save()
    code, out, _ = run(capsys, "doctor", "--workbook", str(book))
    assert code == 1
    status, detail = doctor_lines(out)["workbook"]
    assert status == "FAIL" and "xl-contacts workbook" in detail


def test_workbook_points_at_this_python(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "mine.xlsm"
    code, out, _ = run(capsys, "workbook", "-o", str(target))
    conf = {
        r[0].value: r[1].value for r in openpyxl.load_workbook(target)["xlwings.conf"].iter_rows()
    }
    # Only this OS's key (test_new_user.py: none where no desktop Excel runs).
    key = INTERPRETER_KEYS.get("win32" if sys.platform.startswith("win") else sys.platform)
    mine = {key: sys.executable} if key else {}
    assert conf == {"UDF Modules": "xl_contacts.udfs", "Use UDF Server": True, **mine}
    assert code == 0 and (sys.executable in out) == bool(key)
    before = target.read_bytes()
    code, _, err = run(capsys, "workbook", "-o", str(target))
    assert code == 2 and "--force" in err and target.read_bytes() == before
    assert run(capsys, "workbook", "-o", str(target), "--force")[0] == 0
