"""The computer Excel runs on, as doctor's checks see it: a ``Machine`` holds
every fact they read, so the Windows and macOS logic is tested on any OS with
stand-in facts; ``Machine.this()`` is the real one."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    """The facts the checks read about the computer Excel runs on."""

    platform: str  # sys.platform: win32, darwin, linux
    env: Mapping[str, str]
    home: Path
    python: str  # the interpreter running doctor: what the fixes suggest
    ansi_code_page: str | None = None  # Windows: "cp1252", "cp1251", ...
    excel_path: str | None = None  # Windows: excel.exe as registered

    @classmethod
    def this(cls) -> Machine:
        windows = sys.platform.startswith("win")
        return cls(
            platform=sys.platform,
            env=dict(os.environ),
            home=Path.home(),
            python=sys.executable,
            ansi_code_page=_ansi_code_page() if windows else None,
            excel_path=_registered_excel() if windows else None,
        )

    @property
    def windows(self) -> bool:
        return self.platform.startswith("win")

    def user_conf(self) -> Path | None:
        if self.windows:
            return Path(self.env.get("USERPROFILE", str(self.home))) / ".xlwings" / "xlwings.conf"
        if self.platform == "darwin":
            return self.home / "Library/Containers/com.microsoft.Excel/Data/xlwings.conf"
        return None


# --- the real machine ------------------------------------------------------------------


def _ansi_code_page() -> str | None:
    try:
        import ctypes

        return f"cp{ctypes.windll.kernel32.GetACP()}"  # type: ignore[attr-defined]
    except Exception:
        return None


def _registered_excel() -> str | None:
    try:
        import winreg

        key = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as handle:  # type: ignore[attr-defined]
            return str(winreg.QueryValue(handle, None))  # type: ignore[attr-defined]
    except Exception:
        return None
