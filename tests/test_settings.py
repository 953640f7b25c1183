"""Where credentials come from, how they are checked, and that the token stays hidden."""

from __future__ import annotations

import json
import logging

import keyring
import pytest
from stand_in import ID_INSTANCE, TOKEN

from xl_contacts.base.errors import ConfigError
from xl_contacts.base.names import (
    DEFAULT_API_URL,
    ENV_API_TOKEN,
    ENV_API_URL,
    ENV_FLAVOUR,
    ENV_ID_INSTANCE,
    ENV_PROFILE,
)
from xl_contacts.base.redaction import redact
from xl_contacts.config import credentials
from xl_contacts.config.settings import chosen_profile, load_settings

ENV = {
    ENV_API_URL: "https://7105.api.greenapi.com/",
    ENV_ID_INSTANCE: ID_INSTANCE,
    ENV_API_TOKEN: TOKEN,
}


def test_reads_the_environment() -> None:
    s = load_settings(env=ENV)
    assert (s.api_url, s.id_instance, s.api_token) == (
        "https://7105.api.greenapi.com",
        ID_INSTANCE,
        TOKEN,
    )
    assert s.origins == {
        ENV_API_URL: "environment",
        ENV_ID_INSTANCE: "environment",
        ENV_API_TOKEN: "environment",
    }


def test_explicit_arguments_win() -> None:
    s = load_settings("http://127.0.0.1:8080", "42", "other-token", env=ENV)
    assert (s.api_url, s.id_instance, s.api_token) == ("http://127.0.0.1:8080", "42", "other-token")
    assert set(s.origins.values()) == {"argument"}


def test_default_api_url_and_whitespace_from_copy_paste() -> None:
    s = load_settings(env={ENV_ID_INSTANCE: f" {ID_INSTANCE}\n", ENV_API_TOKEN: f"{TOKEN}\n"})
    assert s.api_url == DEFAULT_API_URL and s.origins[ENV_API_URL] == "default"
    assert (s.id_instance, s.api_token) == (ID_INSTANCE, TOKEN)


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({ENV_ID_INSTANCE: ""}, ENV_ID_INSTANCE),
        ({ENV_ID_INSTANCE: "12ab"}, ENV_ID_INSTANCE),
        ({ENV_API_TOKEN: ""}, ENV_API_TOKEN),
        ({ENV_API_URL: "ftp://example.org"}, ENV_API_URL),
        ({ENV_API_URL: "7105.api.greenapi.com"}, ENV_API_URL),
        ({ENV_API_URL: "https://user:pw@api.green-api.com"}, ENV_API_URL),
        ({ENV_API_URL: "https://api.green-api.com/?x=1"}, ENV_API_URL),
        ({ENV_API_URL: f"https://api.green-api.com/waInstance1/getContacts/{TOKEN}"}, ENV_API_URL),
    ],
)
def test_bad_settings_name_the_variable(change: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigError, match=names) as caught:
        load_settings(env={**ENV, **change})
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "token",
    [
        "abc/def",
        "abc?count=1",
        "abc#x",
        "abc..def",
        "../../x",
        "abc def",
        "abc\tdef",
        "abc%2Fdef",
        "abc\\def",
        "токен",
    ],
)
def test_tokens_that_could_change_the_url_are_refused(token: str) -> None:
    with pytest.raises(ConfigError, match=ENV_API_TOKEN) as caught:
        load_settings(env={**ENV, ENV_API_TOKEN: token})
    assert token not in str(caught.value)


def test_repr_and_str_hide_the_token() -> None:
    s = load_settings(env=ENV)
    assert TOKEN not in repr(s) and TOKEN not in str(s)
    assert s.token_hint == "***2345"


def test_loaded_tokens_are_redacted_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    load_settings(env=ENV)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug('"GET /waInstance1/getContacts/%s"', TOKEN)
    assert caplog.records[0].getMessage() == '"GET /waInstance1/getContacts/***"'
    assert redact(f"x{TOKEN}y") == "x***y"


# --- profiles and flavours ---------------------------------------------------------


def store(profile: str, id_instance: str, token: str = TOKEN, **extra: str) -> None:
    credentials.save("https://7105.api.greenapi.com", id_instance, token, profile=profile, **extra)


def test_a_named_profile_is_used_whole() -> None:
    store("sales", "7105000001", flavour="whatsapp")
    s = load_settings(profile="sales", env=ENV)  # GREENAPI_* in env: not mixed in
    assert (s.id_instance, s.flavour, s.profile, s.label) == (
        "7105000001",
        "whatsapp",
        "sales",
        "sales",
    )
    assert set(s.origins.values()) == {"profile sales"}
    with pytest.raises(ConfigError, match="already names an instance"):
        load_settings(id_instance="42", profile="sales", env={})


def test_the_environment_names_the_profile() -> None:
    store("support", "4100000002")
    s = load_settings(env={ENV_PROFILE: "support"})
    assert s.id_instance == "4100000002" and s.profile == "support"
    assert chosen_profile("given", {ENV_PROFILE: "support"}) == "given"
    assert chosen_profile(None, {ENV_PROFILE: " "}) is None


def test_a_missing_profile_or_token_says_how_to_fix_it() -> None:
    store("sales", "7105000001")
    with pytest.raises(ConfigError, match=r"no profile 'nope' is stored \(stored: sales\)"):
        load_settings(profile="nope", env={})
    keyring.delete_password(credentials.KEYRING_SERVICE, "7105000001")
    with pytest.raises(ConfigError, match="login --profile sales"):
        load_settings(profile="sales", env={})


@pytest.mark.parametrize(
    ("given", "env", "stored", "expected"),
    [
        ("telegram", {ENV_FLAVOUR: "max"}, "whatsapp", "telegram"),
        (None, {ENV_FLAVOUR: "MAX"}, "whatsapp", "max"),
        (None, {}, "whatsapp", "whatsapp"),
        ("auto", {}, None, None),
    ],
)
def test_flavour_precedence(
    given: str | None, env: dict[str, str], stored: str | None, expected: str | None
) -> None:
    credentials.save("https://7105.api.greenapi.com", ID_INSTANCE, TOKEN, flavour=stored)
    assert load_settings(flavour=given, env=env).flavour == expected


def test_a_bad_flavour_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="GREENAPI_FLAVOUR must be one of whatsapp"):
        load_settings(env={**ENV, ENV_FLAVOUR: "viber"})


def test_a_v3_api_url_means_max() -> None:
    s = load_settings(env={**ENV, ENV_API_URL: "https://3100.api.green-api.com/v3"})
    assert (s.api_url, s.flavour) == ("https://3100.api.green-api.com", "max")


def test_an_instance_given_by_id_finds_its_profile() -> None:
    store("support", "4100000002", token="s" * 20)
    s = load_settings(id_instance="4100000002", env={})
    assert (s.api_token, s.profile) == ("s" * 20, "support")


def test_the_settings_file_of_earlier_versions_is_profile_default() -> None:
    path = credentials.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api_url": "https://7105.api.greenapi.com", "id_instance": "7"}))
    assert credentials.read_profiles() == {
        "default": credentials.StoredProfile("default", "https://7105.api.greenapi.com", "7")
    }
    store("sales", "8")  # the next save writes version 2 and keeps the old instance
    data = json.loads(path.read_text())
    assert data["version"] == 2 and set(data["profiles"]) == {"default", "sales"}


@pytest.mark.parametrize(
    "content", ["not json", "[]", '{"profiles": {"bad name!": {"id_instance": "1"}}}']
)
def test_an_unreadable_settings_file_holds_no_profiles(content: str) -> None:
    path = credentials.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    assert credentials.read_profiles() == {}


def test_a_profile_moved_to_another_instance_leaves_no_token_behind() -> None:
    store("sales", "7105000001")
    store("sales", "7105000009")
    assert keyring.get_password(credentials.KEYRING_SERVICE, "7105000001") is None
    assert keyring.get_password(credentials.KEYRING_SERVICE, "7105000009") == TOKEN
