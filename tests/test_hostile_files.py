"""Files under attack: every argument and path is checked before the network,
nothing but a regular file is ever replaced, a replaced report keeps its
permissions, an interrupted write leaves nothing behind, and output that
cannot be written ends in one clear line.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import cli, installed_command, run_command
from hostile_server import HostileServer, json_answer
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN

from xl_contacts.base.errors import ReportError
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.cli import main
from xl_contacts.sinks.atomic import output_path, replacing


@pytest.fixture
def hostile_env(hostile_env: HostileServer) -> HostileServer:
    """conftest's, answering the reference list: every test here fetches it."""
    hostile_env.play(json_answer(REFERENCE_CONTACTS))
    return hostile_env


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    yield path


def demo_report(path: Path) -> Path:
    assert main(["export", "--demo", "-o", str(path)]) == 0
    return path


# --- every argument and path is checked before the first request ----------------------


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("missing/r.xlsx", id="missing-folder"),
        pytest.param("r.xls", id="wrong-suffix"),
        pytest.param("r.xlsx.csv", id="another-suffix"),
        pytest.param("folder.xlsx", id="a-folder-named-like-a-report"),
        pytest.param("file/r.xlsx", id="a-file-as-folder"),
    ],
)
def test_bad_export_target_is_refused_before_any_request(
    hostile_env: HostileServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    target: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "file").write_text("x")
    code, _, err = cli(capsys, "export", "-o", target)
    assert code == 2, err
    assert hostile_env.requests == []


def test_missing_since_is_refused_before_any_request(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, _ = cli(capsys, "export", "-o", str(tmp_path / "r.xlsx"), "--since", "nope.xlsx")
    assert code == 2 and hostile_env.requests == []


def test_since_that_is_not_a_report_is_refused_before_any_request(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"PK\x03\x04 not really")
    code, _, _ = cli(capsys, "export", "-o", str(tmp_path / "r.xlsx"), "--since", str(other))
    assert code == 2 and hostile_env.requests == []


def test_existing_foreign_target_is_refused_before_any_request(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "precious.xlsx"
    target.write_bytes(b"my own workbook")
    code, _, _ = cli(capsys, "export", "-o", str(target))
    assert code == 2 and hostile_env.requests == []
    assert target.read_bytes() == b"my own workbook"


# --- nothing but a regular file is replaced ---------------------------------------------


def test_fifo_as_export_target_is_refused_without_hanging(
    hostile: HostileServer, fifo: Path
) -> None:
    hostile.play(json_answer(REFERENCE_CONTACTS))
    env = {ENV_API_URL: hostile.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    result = run_command("export", "-o", str(fifo), env=env)
    assert result.returncode == 2, result.stderr
    assert "regular file" in result.stderr
    assert hostile.requests == []
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_fifo_as_export_target_is_refused_even_with_force(fifo: Path) -> None:
    result = run_command("export", "--demo", "--force", "-o", str(fifo))
    assert result.returncode == 2 and "regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_fifo_as_since_is_refused_without_hanging(fifo: Path, tmp_path: Path) -> None:
    result = run_command("export", "--demo", "-o", str(tmp_path / "r.xlsx"), "--since", str(fifo))
    assert result.returncode == 2 and "regular file" in result.stderr


def test_fifo_as_template_target_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsm"
    os.mkfifo(path)
    result = run_command("template", "--force", "-o", str(path))
    assert result.returncode == 2 and "regular file" in result.stderr


def test_link_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "null.xlsx"
    link.symlink_to("/dev/null")
    with pytest.raises(ReportError, match="regular file"):
        output_path(link, ".xlsx", "report")
    assert link.is_symlink()


def test_output_path_refuses_a_folder(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(ReportError):
        output_path(tmp_path / "dir.xlsx", ".xlsx", "report")


# --- permissions and names ---------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_replacing_a_report_keeps_its_permissions(tmp_path: Path, mode: int) -> None:
    target = demo_report(tmp_path / "r.xlsx")
    target.chmod(mode)
    demo_report(target)
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_new_report_follows_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        target = demo_report(tmp_path / "r.xlsx")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_the_temporary_file_is_private_while_it_is_written(tmp_path: Path) -> None:
    with replacing(tmp_path / "r.xlsx") as temporary:
        assert stat.S_IMODE(temporary.stat().st_mode) & 0o077 == 0
        temporary.write_bytes(b"data")


def test_a_255_byte_file_name_can_be_written(tmp_path: Path) -> None:
    name = "a" * 250 + ".xlsx"
    assert len(name.encode()) == 255
    target = demo_report(tmp_path / name)
    assert target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_255_byte_cyrillic_name_can_be_written(tmp_path: Path) -> None:
    name = "я" * 125 + ".xlsx"
    assert len(name.encode()) == 255
    assert demo_report(tmp_path / name).exists()


# --- an interrupted write leaves nothing behind ---------------------------------------------


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_during_a_write_leaves_no_temporary_file(
    tmp_path: Path, signal_number: int
) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous")
    program = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from xl_contacts.sinks.atomic import replacing
        with replacing(Path({str(target)!r})) as temporary:
            temporary.write_bytes(b"half")
            os.kill(os.getpid(), {int(signal_number)})
            time.sleep(30)
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=60)
    assert result.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]
    assert target.read_bytes() == b"previous"


def test_sigterm_keeps_a_handler_the_host_installed(tmp_path: Path) -> None:
    program = textwrap.dedent(
        f"""
        import signal
        from pathlib import Path
        from xl_contacts.sinks.atomic import replacing
        mine = lambda *a: None
        signal.signal(signal.SIGTERM, mine)
        with replacing(Path({str(tmp_path / "r.xlsx")!r})) as temporary:
            temporary.write_bytes(b"x")
        assert signal.getsignal(signal.SIGTERM) is mine
        print("kept")
        """
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.stdout.strip() == "kept", result.stderr


# --- template -o refuses to overwrite without --force ------------------------------------


def test_template_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mine.xlsm"
    target.write_bytes(b"my macros")
    code, _, err = cli(capsys, "template", "-o", str(target))
    assert code == 2 and "--force" in err
    assert target.read_bytes() == b"my macros"


def test_template_overwrites_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mine.xlsm"
    target.write_bytes(b"my macros")
    code, _, _ = cli(capsys, "template", "--force", "-o", str(target))
    assert code == 0 and target.read_bytes()[:2] == b"PK"


# --- output that cannot be written -------------------------------------------------------


@pytest.mark.parametrize("output_format", ["table", "csv", "json"])
def test_full_device_is_one_clear_line_and_exit_1(output_format: str) -> None:
    with open("/dev/full", "w") as full:
        result = run_command("contacts", "--demo", "--format", output_format, stdout=full)
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("xl-contacts: error: ") and "internal error" not in line
    assert "space" in line


@pytest.mark.parametrize(
    "argv",
    [
        ["contacts", "--demo"],
        ["contacts", "--demo", "--format", "json"],
        ["export", "--demo"],
    ],
)
def test_closed_stdout_is_one_clear_line_and_exit_1(argv: list[str], tmp_path: Path) -> None:
    if argv[0] == "export":
        argv = [*argv, "-o", str(tmp_path / "r.xlsx")]
    script = " ".join([installed_command(), *argv])
    result = subprocess.run(
        ["sh", "-c", f"{script} >&-"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("xl-contacts: error: ")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_broken_pipe_is_still_quiet_success() -> None:
    result = subprocess.run(
        ["sh", "-c", f"{installed_command()} contacts --demo --format csv | head -c 10"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code, _, err = cli(capsys, "export", "--demo", "-o", str(folder / "r.xlsx"))
    finally:
        folder.chmod(0o700)
    assert code == 2 and "locked" in err


def test_file_names_reach_the_terminal_without_control_characters(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file name is whatever a person (or a script fed by strangers) typed:
    every line naming one shows no escape sequence or bidi override."""
    name = "r\x1b]0;owned\x07\u202e\x9b31m"
    first, again = tmp_path / f"{name}.xlsx", tmp_path / f"{name}2.xlsx"
    shown = []
    for argv in (
        ["export", "-o", str(first)],
        ["export", "-o", str(again), "--since", str(first)],
        ["template", "-o", str(tmp_path / f"{name}.xlsm")],
    ):
        code, out, err = cli(capsys, *argv)
        assert code == 0, err
        shown.append(out + err)
    text = "".join(shown)
    assert "saved" in text and "since r" in text and "built" in text
    assert text.replace("\n", "").isprintable(), repr(text)


# --- a corrupt settings file (issue 23) --------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000, b'{"profiles": {' * 50_000, b'{"version": 2, "profiles": {', b"\xff\xfe"],
    ids=["100,000 brackets", "deep objects", "cut short", "not UTF-8"],
)
def test_a_corrupt_settings_file_is_one_clear_line_and_the_environment_still_works(
    content: bytes, hostile: HostileServer, tmp_path: Path
) -> None:
    from xl_contacts.config.credentials import config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    listed = run_command("profiles")
    assert listed.returncode == 0, listed.stderr[-2000:]
    (line,) = listed.stderr.strip().splitlines()
    assert "settings.json" in line and "fix it or delete it" in line
    hostile.play(json_answer(REFERENCE_CONTACTS))
    env = {ENV_API_URL: hostile.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    fetched = run_command("contacts", "--format", "csv", env=env)
    assert fetched.returncode == 0, fetched.stderr[-2000:]
    assert "internal error" not in fetched.stderr and "Traceback" not in fetched.stderr
    assert fetched.stdout.lstrip("\ufeff").startswith("chatId,")
    assert fetched.stderr.count("fix it or delete it") == 1


def test_a_settings_file_too_big_for_one_is_not_read(tmp_path: Path) -> None:
    from xl_contacts.config.credentials import MAX_FILE_BYTES, config_path

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"profiles": {}, "pad": "' + "x" * MAX_FILE_BYTES + '"}')
    listed = run_command("profiles")
    assert listed.returncode == 0 and "fix it or delete it" in listed.stderr
