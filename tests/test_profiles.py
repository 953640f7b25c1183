"""Several instances stored side by side (profiles), from login to logout, with
the file-backed keyring standing in for the OS credential store."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from flavours import (
    EXPECTED_IDS,
    SALES_ID,
    SUPPORT_ID,
    SUPPORT_TOKEN,
    instance,
    keyring_file,
    login,
    run,
)
from helpers import Terminal
from keyring.backends import fail
from stand_in import TOKEN, FakeGreenApi

from xl_contacts.api import client
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE, TELEGRAM, WHATSAPP
from xl_contacts.config import credentials
from xl_contacts.config.settings import load_settings
from xl_contacts.usecases import profiles


@pytest.fixture
def two(green_api: FakeGreenApi) -> tuple:
    """A WhatsApp instance (sales) and a Telegram one (support) on the stand-in server."""
    sales = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN)
    support = instance(green_api.server, TELEGRAM, SUPPORT_ID, SUPPORT_TOKEN)
    return sales, support


def test_two_profiles_from_login_to_logout(capsys: pytest.CaptureFixture[str], two: tuple) -> None:
    sales, support = two
    assert login(capsys, sales, "sales")[0] == 0
    assert login(capsys, support, "support")[0] == 0
    # login learned sales' flavour from one contact; support (chatId answers) needs none.
    profiles = credentials.read_profiles()
    assert (profiles["sales"].flavour, profiles["support"].flavour) == (WHATSAPP, None)
    assert sales.requests("getContacts")[0].params == {"count": "1"}
    assert keyring_file() == {
        f"{credentials.KEYRING_SERVICE}/{SALES_ID}": TOKEN,
        f"{credentials.KEYRING_SERVICE}/{SUPPORT_ID}": SUPPORT_TOKEN,
    }

    # Each profile fetches its own instance.
    code, out, _ = run(
        capsys, "contacts", "--profile", "sales", "--only", "groups", "--format", "json"
    )
    assert code == 0 and [r["chatId"] for r in json.loads(out)] == EXPECTED_IDS[WHATSAPP]["groups"]
    assert sales.requests("getContacts")[-1].params == {"group": "true"}, "the stored flavour"
    code, out, _ = run(capsys, "contacts", "--profile", "support", "--format", "json")
    assert code == 0 and [r["chatId"] for r in json.loads(out)] == EXPECTED_IDS[TELEGRAM]["all"]

    # profiles lists both, never more of a token than its last four characters.
    code, out, _ = run(capsys, "profiles")
    assert code == 0 and "sales" in out and "support" in out
    assert "***2345" in out and "***8765" in out and SUPPORT_TOKEN[:-4] not in out

    code, out, err = run(capsys, "logout", "--profile", "sales")
    assert (
        code == 0 and f"the token of instance {SALES_ID}" in out and "still stored: support" in err
    )
    assert list(keyring_file()) == [f"{credentials.KEYRING_SERVICE}/{SUPPORT_ID}"]
    assert run(capsys, "contacts", "--profile", "sales")[0] == 2

    code, out, _ = run(capsys, "logout", "--all")
    assert code == 0 and "support" in out
    assert keyring_file() == {}, "logout --all leaves no token behind"
    assert not credentials.config_path().exists()


def test_logout_all_removes_every_token(capsys: pytest.CaptureFixture[str], two: tuple) -> None:
    sales, support = two
    login(capsys, sales, None)
    login(capsys, sales, "sales-too")  # the same instance under a second name
    login(capsys, support, "support")
    run(capsys, "logout", "--profile", "sales-too")
    assert f"{credentials.KEYRING_SERVICE}/{SALES_ID}" in keyring_file(), "default still uses it"
    assert run(capsys, "logout", "--all")[0] == 0
    assert keyring_file() == {} and not credentials.config_path().exists()
    assert run(capsys, "logout", "--all")[1].strip() == "nothing was stored"


def test_an_old_single_instance_login_keeps_working(
    capsys: pytest.CaptureFixture[str], two: tuple
) -> None:
    sales, _ = two
    # What `xl-contacts login` wrote before profiles existed.
    path = credentials.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api_url": sales.url, "id_instance": SALES_ID}))
    keyring.set_password(credentials.KEYRING_SERVICE, SALES_ID, TOKEN)

    code, out, _ = run(capsys, "contacts", "--format", "json")
    assert code == 0 and len(json.loads(out)) == len(EXPECTED_IDS[WHATSAPP]["all"])
    code, out, _ = run(capsys, "contacts", "--profile", "default", "--format", "json")
    assert code == 0
    assert "default" in run(capsys, "profiles")[1]
    code, out, _ = run(capsys, "logout")
    assert code == 0 and keyring_file() == {} and not path.exists()


def test_the_environment_chooses_a_profile(
    capsys: pytest.CaptureFixture[str], two: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    sales, support = two
    login(capsys, sales, None)
    login(capsys, support, "support")
    monkeypatch.setenv("XL_CONTACTS_PROFILE", "support")
    # A chosen profile is used whole: a stray instance in the environment is not mixed in.
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", SALES_ID)
    settings = load_settings()
    assert (settings.id_instance, settings.api_token, settings.profile) == (
        SUPPORT_ID,
        SUPPORT_TOKEN,
        "support",
    )
    assert "*" in next(
        line for line in run(capsys, "profiles")[1].splitlines() if "support" in line
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["contacts", "--profile", "nobody"], "no profile 'nobody' is stored"),
        (["contacts", "--profile", "bad name!"], "a profile name is"),
        (["contacts", "--profile", "sales", "--id-instance", "42"], "leave out the apiUrl"),
        (
            ["export", "-o", "x.xlsx", "--profile", "a", "--profile", "b", "--api-url", "http://x"],
            "--api-url and --id-instance name one instance",
        ),
        (["export", "-o", "x.xlsx", "--profile", "sales", "--profile", "nobody"], "'nobody'"),
        (["logout", "--profile", "nobody"], "no profile 'nobody' is stored"),
    ],
)
def test_profile_mistakes_stop_before_any_request(
    capsys: pytest.CaptureFixture[str],
    two: tuple,
    argv: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sales, support = two
    login(capsys, sales, "sales")
    sent = len(sales.seen)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv)
    assert code == 2 and says in err
    assert len(sales.seen) == sent and support.seen == []
    assert not (tmp_path / "x.xlsx").exists()


def test_login_asks_for_a_credential_store_before_anything(
    capsys: pytest.CaptureFixture[str], two: tuple
) -> None:
    keyring.set_keyring(fail.Keyring())
    code, out, err = run(capsys, "login", "--profile", "sales", stdin=Terminal(""))
    assert code == 2 and "no credential store" in err
    assert "apiUrl" not in out + err, "nothing was asked"


def test_ctrl_d_at_a_login_prompt_cancels_cleanly(
    capsys: pytest.CaptureFixture[str], two: tuple
) -> None:
    sales, _ = two
    code, _, err = run(capsys, "login", stdin=Terminal(f"{sales.url}\n"))  # then Ctrl-D
    assert code == 130 and "login cancelled — nothing was stored" in err
    assert "internal error" not in err and "EOFError" not in err
    assert not credentials.config_path().exists() and sales.seen == []


def test_messages_during_login_do_not_say_run_login(
    capsys: pytest.CaptureFixture[str], two: tuple
) -> None:
    sales, _ = two
    for stdin in ("\n", "not/a token\n"):
        code, _, err = run(
            capsys, "login", "--api-url", sales.url, "--id-instance", SALES_ID, stdin=stdin
        )
        assert code == 2 and "xl-contacts login" not in err, err


def test_login_stores_an_explicit_flavour(capsys: pytest.CaptureFixture[str], two: tuple) -> None:
    _, support = two
    code, out, _ = login(capsys, support, "tg", "--flavour", "telegram")
    assert code == 0 and "(telegram)" in out
    assert credentials.read_profiles()["tg"].flavour == TELEGRAM
    assert support.requests("getContacts") == [], "no probe when the flavour is given"


def test_doctor_checks_one_profile_or_all(capsys: pytest.CaptureFixture[str], two: tuple) -> None:
    sales, support = two
    login(capsys, sales, "sales")
    login(capsys, support, "support")
    code, out, _ = run(capsys, "doctor", "--profile", "support")
    assert code == 0 and "profile support" in out and SUPPORT_ID in out
    code, out, _ = run(capsys, "doctor", "--all-profiles")
    assert code == 0 and "settings sales" in out and "getContacts support" in out
    # An instance given by id finds the profile that stores its token.
    _, out, _ = run(capsys, "doctor", "--id-instance", SUPPORT_ID)
    assert out.startswith("ok    settings") and "profile" not in out.splitlines()[0]


def test_login_and_doctor_wait_the_short_interactive_bounds(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person waits on both: one retry (GreenApiClient.interactive), not the
    three of a fetch."""
    sales = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN, status=503)
    code, _, err = login(capsys, sales, "sales")
    assert code == 1 and "503" in err
    assert len(sales.seen) == client.INTERACTIVE_RETRIES + 1
    sales.seen.clear()
    monkeypatch.setenv(ENV_API_URL, sales.url)
    monkeypatch.setenv(ENV_ID_INSTANCE, SALES_ID)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    run(capsys, "doctor")
    assert len(sales.seen) == client.INTERACTIVE_RETRIES + 1


def test_login_and_listing_are_library_calls(green_api: FakeGreenApi) -> None:
    """The command line only asks and prints: profiles.login checks, learns the
    flavour (one probe, within the same budget) and stores; listing shows it."""
    sales = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN)
    done = profiles.login(
        sales.url, SALES_ID, TOKEN, profile="sales", store=credentials.require_store(), env={}
    )
    assert done.flavour == WHATSAPP and done.notes == []
    assert [s.method for s in sales.seen] == ["getStateInstance", "getContacts"]
    assert "saved profile sales" in done.summary and TOKEN not in done.summary
    assert profiles.listing() == [["", "sales", WHATSAPP, SALES_ID, sales.url, f"***{TOKEN[-4:]}"]]
