"""Several instances in one list and one report: an instance column, Summary
lines per instance, each instance's 1 request/second (timed at the server),
--since per instance, and what happens when one instance fails."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from flavours import (
    EXPECTED_IDS,
    SALES_ID,
    SUPPORT_ID,
    SUPPORT_TOKEN,
    instance,
    login,
    run,
    sales_and_support,
)
from stand_in import TOKEN, FakeGreenApi

from xl_contacts.api import throttle
from xl_contacts.base.cells import for_csv
from xl_contacts.base.names import PHONE_COLUMNS, TELEGRAM, WHATSAPP
from xl_contacts.domain.table import COLUMNS


@pytest.fixture
def logged_in(green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]) -> tuple:
    """sales (WhatsApp) and support (Telegram), both stored by login."""
    return sales_and_support(green_api.server, capsys)


def sheet(path: Path, name: str) -> list[list]:
    return [list(row) for row in openpyxl.load_workbook(path)[name].iter_rows(values_only=True)]


def summary(path: Path) -> dict:
    return {row[0]: row[1] for row in sheet(path, "Summary") if row and row[0]}


def test_two_instances_make_one_report(
    capsys: pytest.CaptureFixture[str], logged_in: tuple, tmp_path: Path
) -> None:
    target = tmp_path / "both.xlsx"
    code, out, err = run(
        capsys, "export", "--profile", "sales", "--profile", "support", "-o", str(target)
    )
    assert code == 0, err
    assert "saved 10 contacts of 2 instances" in out
    rows = sheet(target, "Contacts")
    assert rows[0][:6] == ["instance", "chatId", "name", "contactName", "type", "phoneNumber"]
    # Extra columns of any instance are kept, before the report's own phone columns.
    assert rows[0][-3:] == ["username", *PHONE_COLUMNS]
    by_instance = {
        label: [r[1] for r in rows[1:] if r[0] == label] for label in ("sales", "support")
    }
    assert by_instance == {
        "sales": EXPECTED_IDS[WHATSAPP]["all"],
        "support": EXPECTED_IDS[TELEGRAM]["all"],
    }
    lines = summary(target)
    assert lines["Instances"] == "sales, support"
    assert lines["sales: instance id"] == SALES_ID and lines["support: instance id"] == SUPPORT_ID
    assert lines["sales: all contacts"] == 6 and lines["support: all contacts"] == 4
    assert lines["sales: skipped records (no chat id)"] == 1
    assert lines["support: skipped records (no chat id)"] == 1
    assert lines["sales: @lid ids (no phone number)"] == 1
    assert lines["Kind"] == "all" and lines["Contacts"] == 10


def test_each_instance_keeps_its_own_rate_limit(
    capsys: pytest.CaptureFixture[str],
    logged_in: tuple,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sales, support = logged_in
    monkeypatch.setattr(throttle, "RATE_LIMIT_INTERVAL", 1.0)  # the real limit, for this test
    throttle.reset_throttle()
    target = tmp_path / "chatted.xlsx"
    code, _, err = run(capsys, "export", "--all-profiles", "--only", "chatted", "-o", str(target))
    assert code == 0, err
    for stand_in in (sales, support):
        contacts, chats = (s.at for s in stand_in.seen)
        assert [s.method for s in stand_in.seen] == ["getContacts", "getChats"]
        assert chats - contacts >= 0.95, "two requests to one instance within a second"
    # In parallel: each instance was asked first before either was asked again.
    firsts = max(sales.seen[0].at, support.seen[0].at)
    assert firsts < min(sales.seen[1].at, support.seen[1].at)
    assert summary(target)["Kind"] == "chatted"


def test_two_profiles_of_one_instance_share_its_rate_limit(
    capsys: pytest.CaptureFixture[str],
    green_api: FakeGreenApi,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Profiles whose apiUrls differ only in the host's letter case name one
    server: one request a second between them (issue 23)."""
    sales = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN)
    port = sales.url.rsplit(":", 1)[1]
    for profile, host in (("lower", "localhost"), ("upper", "LOCALHOST")):
        code, _, err = run(
            capsys,
            "login",
            "--profile",
            profile,
            "--api-url",
            f"http://{host}:{port}",
            "--id-instance",
            SALES_ID,
            stdin=TOKEN + "\n",
        )
        assert code == 0, err
    sales.seen.clear()
    monkeypatch.setattr(throttle, "RATE_LIMIT_INTERVAL", 1.0)  # the real limit, for this test
    throttle.reset_throttle()
    code, _, err = run(capsys, "export", "--all-profiles", "-o", str(tmp_path / "both.xlsx"))
    assert code == 0, err
    first, second = (s.at for s in sales.requests("getContacts"))
    assert second - first >= 0.95, "one instance asked twice within a second"


def test_since_compares_instance_by_instance(
    capsys: pytest.CaptureFixture[str], logged_in: tuple, tmp_path: Path
) -> None:
    sales, support = logged_in
    first = tmp_path / "first.xlsx"
    assert run(capsys, "export", "--all-profiles", "-o", str(first))[0] == 0
    del sales.contacts[0]  # sales lost Ivan
    support.contacts[0]["name"] = "Vasilisa Renamed"
    # The same chat id in the other instance is a different contact, not a change.
    support.contacts.append({"chatId": "79001234567@c.us", "name": "Twin", "type": "user"})
    second = tmp_path / "second.xlsx"
    code, out, err = run(
        capsys, "export", "--all-profiles", "--since", str(first), "-o", str(second)
    )
    assert code == 0, err
    assert "since first.xlsx: 1 added, 1 removed, 1 changed" in out
    changes = sheet(second, "Changes")
    changes = changes[[row[0] for row in changes].index("instance") :]  # below its heading
    assert changes[0][:3] == ["instance", "change", "chatId"]
    assert sorted((r[0], r[1], r[2]) for r in changes[1:]) == [
        ("sales", "removed", "79001234567@c.us"),
        ("support", "added", "79001234567@c.us"),
        ("support", "changed", "10000000"),
    ]


def test_since_refuses_a_report_of_one_instance_before_any_request(
    capsys: pytest.CaptureFixture[str], logged_in: tuple, tmp_path: Path
) -> None:
    sales, support = logged_in
    single = tmp_path / "single.xlsx"
    assert run(capsys, "export", "--profile", "sales", "-o", str(single))[0] == 0
    sent = len(sales.seen)
    code, _, err = run(
        capsys, "export", "--all-profiles", "--since", str(single), "-o", str(tmp_path / "x.xlsx")
    )
    assert code == 2 and "not a report of several instances" in err
    assert len(sales.seen) == sent and support.seen == []


def test_a_missing_since_is_refused_before_saying_fetching(
    capsys: pytest.CaptureFixture[str], logged_in: tuple, tmp_path: Path
) -> None:
    sales, support = logged_in
    missing = str(tmp_path / "nonexistent.xlsx")
    code, out, err = run(
        capsys, "export", "--all-profiles", "--since", missing, "-o", str(tmp_path / "x.xlsx")
    )
    assert code == 2 and "does not exist" in err
    assert "fetching" not in out + err
    assert sales.seen == [] and support.seen == []


def test_one_failed_instance_fails_the_run_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], logged_in: tuple, tmp_path: Path
) -> None:
    _, support = logged_in
    support.status = 401
    target = tmp_path / "r.xlsx"
    code, _, err = run(capsys, "export", "--all-profiles", "-o", str(target))
    assert code == 1 and "profile support: token rejected" in err
    assert not target.exists()


def test_keep_going_writes_the_rest_and_says_which_failed(
    capsys: pytest.CaptureFixture[str], logged_in: tuple, tmp_path: Path
) -> None:
    _, support = logged_in
    support.status = 401
    target = tmp_path / "r.xlsx"
    code, out, err = run(capsys, "export", "--all-profiles", "--keep-going", "-o", str(target))
    assert code == 1, "a partial report is still a failure for scripts"
    assert "left out after an error: profile support: token rejected" in err
    assert "saved 6 contacts of 1 instance" in out
    assert {r[0] for r in sheet(target, "Contacts")[1:]} == {"sales"}
    assert "token rejected" in summary(target)["support: failed"]


def test_keep_going_with_one_instance_says_it_changes_nothing(
    capsys: pytest.CaptureFixture[str], logged_in: tuple
) -> None:
    _, support = logged_in
    support.status = 401
    code, out, err = run(capsys, "contacts", "--profile", "support", "--keep-going")
    assert code == 1 and "token rejected" in err
    assert "--keep-going applies to several profiles" in err
    assert out == ""


def test_contacts_of_several_instances_as_csv(
    capsys: pytest.CaptureFixture[str], logged_in: tuple
) -> None:
    code, out, _ = run(capsys, "contacts", "--all-profiles", "--only", "groups", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))  # the BOM Excel needs
    assert rows[0][:2] == ["instance", "chatId"]
    # for_csv: a negative Telegram id must not start a formula in a spreadsheet.
    assert [(r[0], r[1]) for r in rows[1:]] == [
        *(("sales", for_csv(i)) for i in EXPECTED_IDS[WHATSAPP]["groups"]),
        *(("support", for_csv(i)) for i in EXPECTED_IDS[TELEGRAM]["groups"]),
    ]


def test_demo_profiles_make_a_report_of_two_instances(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "demo.xlsx"
    code, out, err = run(capsys, "export", "--demo", "--all-profiles", "-o", str(target))
    assert code == 0, err
    assert {r[0] for r in sheet(target, "Contacts")[1:]} == {"demo-telegram", "demo-whatsapp"}
    assert summary(target)["Instances"] == "demo-telegram, demo-whatsapp"
    again = tmp_path / "again.xlsx"
    code, out, _ = run(
        capsys, "export", "--demo", "--all-profiles", "--since", str(target), "-o", str(again)
    )
    assert code == 0 and "0 added, 0 removed, 0 changed" in out


def test_server_fields_named_like_the_program_s_own_columns_are_renamed(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A field named ``instance`` (or like the report's phone columns) never
    shows its value as the profile, nor makes two columns of one name."""
    evil = {"instance": "support", "country": "XX", "phone (international)": "+0"}
    evil["Instance_2"] = "t"
    contacts = [{"id": "79001234567@c.us", "name": "Anna", "type": "user", **evil}]
    assert login(capsys, instance(green_api.server, WHATSAPP, SALES_ID, TOKEN, contacts=contacts),
                 "sales")[0] == 0  # fmt: skip
    assert login(capsys, instance(green_api.server, TELEGRAM, SUPPORT_ID, SUPPORT_TOKEN),
                 "support")[0] == 0  # fmt: skip
    renamed = ["instance_3", "country_2", "phone (international)_2", "Instance_2"]

    code, out, err = run(capsys, "contacts", "--all-profiles", "--format", "json")
    assert code == 0, err
    anna = next(r for r in json.loads(out) if r["name"] == "Anna")
    assert anna["instance"] == "sales"
    assert [anna[name] for name in renamed] == ["support", "XX", "+0", "t"]

    code, out, err = run(capsys, "contacts", "--all-profiles", "--format", "csv")
    header = next(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert header == ["instance", *COLUMNS, *renamed, "username"]
    assert len({h.casefold() for h in header}) == len(header)

    target = tmp_path / "both.xlsx"
    assert run(capsys, "export", "--all-profiles", "-o", str(target))[0] == 0
    rows = sheet(target, "Contacts")
    assert rows[0] == ["instance", *COLUMNS, *renamed, "username", *PHONE_COLUMNS]
    assert next(r for r in rows if r[2] == "Anna")[0] == "sales"
