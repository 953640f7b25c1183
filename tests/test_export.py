"""The one export use case: the command and the ribbon's Save report ask it the
same way, so a report streams for both or for neither; the line saying what is
fetched says what was asked; a list cut by a count is never compared."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from helpers import cli
from remote_book import make_book
from stand_in import ID_INSTANCE, TOKEN, FakeGreenApi, make_contacts

from xl_contacts import macros
from xl_contacts.api import body as api_body
from xl_contacts.cli import main
from xl_contacts.config.settings import load_settings
from xl_contacts.usecases.export import ExportRequest, export, streams
from xl_contacts.usecases.fetch import Target, one_target

CONTACTS = make_contacts(400)


def sheet_names(path: Path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames


def summary(path: Path) -> dict:
    rows = openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True)
    return {row[0]: row[1] for row in rows if row and row[0]}


def alert_of(book) -> tuple[str, str]:
    ((message, _, _, mode, _),) = [
        a["args"] for a in book.json()["actions"] if a["func"] == "alert"
    ]
    return message, mode


# --- what streams: one rule, whoever asks ----------------------------------------------


def test_only_every_contact_of_one_real_instance_with_nothing_to_compare_streams(
    tmp_path: Path,
) -> None:
    real = one_target(load_settings("http://127.0.0.1:9", ID_INSTANCE, "t" * 50, env={}))
    demo = one_target(None)
    one = ExportRequest(tmp_path / "r.xlsx", [real])
    assert streams(one) and streams(ExportRequest(tmp_path / "r.xlsx", [real], count=5))
    assert not streams(ExportRequest(tmp_path / "r.xlsx", [real], kind="personal"))
    assert not streams(ExportRequest(tmp_path / "r.xlsx", [demo]))
    assert not streams(ExportRequest(tmp_path / "r.xlsx", [real], several=True))
    assert not streams(ExportRequest(tmp_path / "r.xlsx", [real, Target("b", real.settings)]))


@pytest.fixture
def buffered_cap_below_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole answer bigger than the buffered path takes: only a streamed export
    of it succeeds -- which tells, from outside, which way a report was written."""
    monkeypatch.setattr(api_body, "MAX_BODY_BYTES", 2048)


def test_the_command_and_save_report_stream_the_same_requests(
    green_api_env: FakeGreenApi,
    buffered_cap_below_the_answer: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    green_api_env.answer(CONTACTS)
    assert main(["export", "-o", str(tmp_path / "cli.xlsx")]) == 0
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(tmp_path)]]})
    macros.export_report()
    message, mode = alert_of(book)
    assert mode == "info" and "Saved 400 contacts" in message, message
    assert len(list(tmp_path.glob("Contacts contacts *.xlsx"))) == 1

    # A kind is buffered for both: the answer is then over the cap for both.
    capsys.readouterr()
    assert main(["export", "--only", "personal", "-o", str(tmp_path / "p.xlsx")]) == 1
    assert "larger than" in capsys.readouterr().err
    conf = [["Contacts Report Folder", str(tmp_path)], ["Contacts Only", "personal"]]
    book = make_book({"xlwings.conf": conf})
    macros.export_report()
    message, mode = alert_of(book)
    assert mode == "critical" and "larger than" in message


def test_one_result_whichever_way_the_report_was_written(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    green_api_env.answer(CONTACTS)
    real = one_target(load_settings(green_api_env.url, ID_INSTANCE, TOKEN, env={}))
    seen: list[str] = []
    streamed = export(ExportRequest(tmp_path / "s.xlsx", [real], fetching=seen.append))
    buffered = export(ExportRequest(tmp_path / "b.xlsx", [real], kind="personal"))
    assert (streamed.streamed, buffered.streamed) == (True, False)
    assert (streamed.contacts, streamed.what()) == (400, "400 contacts")
    assert buffered.what() == f"{buffered.contacts:,} contacts (personal)"
    assert seen == [f"all contacts of instance {ID_INSTANCE}"]
    for result in (streamed, buffered):
        assert result.path.exists() and result.failures == [] and result.compared() is None


# --- the line saying what is fetched ---------------------------------------------------


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ([], "all contacts"),
        (["--count", "3"], "up to 3 contacts"),
        (["--count", "1", "--only", "personal"], "up to 1 personal contact"),
        (["--count", "2000", "--only", "groups"], "up to 2,000 groups"),
        (["--only", "saved"], "all saved contacts"),
    ],
)
def test_export_says_what_it_fetches(
    green_api_env: FakeGreenApi,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    options: list[str],
    says: str,
) -> None:
    green_api_env.answer(CONTACTS)
    code, _, err = cli(capsys, "export", *options, "-o", str(tmp_path / "r.xlsx"))
    assert code == 0, err
    assert f"fetching {says} of instance {ID_INSTANCE}…" in err.splitlines()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--profile", "demo-whatsapp"], "all groups of demo profile demo-whatsapp, instance "),
        (["--all-profiles", "--count", "2"], "up to 2 groups each of profiles demo-telegram, "),
    ],
)
def test_the_profiles_are_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str], says: str
) -> None:
    argv = ["export", "--demo", "--only", "groups", *options, "-o", str(tmp_path / "r.xlsx")]
    code, _, err = cli(capsys, *argv)
    assert code == 0, err
    assert err.startswith(f"fetching {says}")


def test_contacts_says_it_the_same_way(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    green_api_env.answer(CONTACTS)
    code, _, err = cli(capsys, "contacts", "--count", "3", "--format", "csv")
    assert code == 0, err
    assert err.splitlines()[0] == f"fetching up to 3 contacts of instance {ID_INSTANCE}…"


# --- a list cut by a count is not compared ---------------------------------------------


def test_count_with_since_is_refused_before_any_request(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Contacts past the count are not "removed": the command says so and asks
    nothing; without the count the same comparison finds no change."""
    green_api_env.answer(CONTACTS)
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    assert cli(capsys, "export", "-o", str(old))[0] == 0
    asked = len(green_api_env.server.log)

    code, out, err = cli(capsys, "export", "--count", "5", "--since", str(old), "-o", str(new))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "xl-contacts: error: --since compares whole lists: with the list cut at 5 contacts, "
        "every contact past them would show as removed — leave out --count or --since"
    ]
    assert len(green_api_env.server.log) == asked, "refused before any request"
    assert not new.exists()

    code, out, err = cli(capsys, "export", "--since", str(old), "-o", str(new))
    assert code == 0, err
    assert "since old.xlsx: 0 added, 0 removed, 0 changed" in out
    assert sheet_names(new) == ["Contacts", "Summary", "Changes"]
    changes = openpyxl.load_workbook(new)["Changes"]
    assert changes["A2"].value == "0 added, 0 removed, 0 changed"
    assert summary(new)["Removed"] == 0


def test_save_report_with_a_count_saves_and_says_why_it_did_not_compare(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    green_api_env.answer(CONTACTS)
    conf = [["Contacts Report Folder", str(tmp_path)], ["Contacts Count", 5]]
    make_book({"xlwings.conf": conf})
    macros.export_report()
    (first,) = tmp_path.glob("*.xlsx")
    first.rename(tmp_path / "Contacts contacts 2000-01-01 000000.xlsx")
    book = make_book({"xlwings.conf": conf})
    macros.export_report()
    message, mode = alert_of(book)
    assert mode == "info"
    assert "Not compared with an earlier report: with the list cut at 5 contacts" in message
    newest = sorted(tmp_path.glob("*.xlsx"))[-1]
    assert sheet_names(newest) == ["Contacts", "Summary"]
    assert "Removed" not in summary(newest)
