"""Where credentials come from, how they are checked, and that the token stays hidden."""

from __future__ import annotations

import logging

import pytest
from stand_in import ID_INSTANCE, TOKEN

from xl_contacts.errors import ConfigError
from xl_contacts.names import DEFAULT_API_URL, ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.redaction import redact
from xl_contacts.settings import load_settings

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
