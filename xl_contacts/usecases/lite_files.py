"""What a user of xlwings Lite pastes: ``main.py`` and ``requirements.txt``
(``xl-contacts lite -o FOLDER``).

xlwings Lite keeps a workbook's Python in two tabs of its editor, main.py and
requirements.txt, and saves both inside the workbook (as properties of the
add-in's web-extension part, next to the Pyodide version it ran). Packages in
requirements.txt come from PyPI or Pyodide's own repository; xl-contacts is on
neither. So main.py carries the modules the Lite function imports -- zipped,
base64 text -- and imports them from that zip (Python's zipimport), and
requirements.txt names only what Pyodide installs: xlwings, from the version
this package pins and is tested with.

Only the modules ``xl_contacts.lite`` imports go in (found by importing it in a
fresh interpreter), and the compiled translation catalogs its error cells read:
no HTTP library, no credential store. The files are the
same, byte for byte, for the same sources.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import xlwings

from .._version import __version__
from ..base import i18n
from ..base.errors import ReportError
from ..base.i18n import _
from ..base.names import ENV_API_TOKEN, ENV_API_URL, ENV_FLAVOUR, ENV_ID_INSTANCE, PROG
from ..sinks.atomic import refuse_unless_regular, replacing

MAIN = "main.py"
REQUIREMENTS = "requirements.txt"
FRONT_END = "xl_contacts.lite"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds xl_contacts/
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_LINE = 76  # base64 characters a line of main.py

# Run in a fresh interpreter: which files of the package ``import xl_contacts.lite`` loads.
_IMPORTS = f"""
import json, sys
import {FRONT_END}
files = sorted(
    m.__file__ for n, m in sys.modules.items()
    if (n == "xl_contacts" or n.startswith("xl_contacts.")) and getattr(m, "__file__", None)
)
print(json.dumps(files))
"""


def bundle_files() -> list[Path]:
    """The package's source files the Lite function needs, relative to PACKAGE_ROOT."""
    # -P: not the current folder first on the path (another xl_contacts may be there).
    result = subprocess.run(
        [sys.executable, "-P", "-c", _IMPORTS], capture_output=True, text=True, check=False
    )
    files = [Path(f).resolve() for f in json.loads(result.stdout or "[]")]
    if result.returncode != 0 or not all(f.is_relative_to(PACKAGE_ROOT) for f in files):
        last = (result.stderr.strip().splitlines() or [_("another copy of it was imported")])[-1]
        raise ReportError(
            _("cannot list the modules of {module} ({reason}) — reinstall {program}").format(
                module=FRONT_END, reason=last, program=PROG
            )
        )
    catalogs = sorted(i18n.LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.mo"))
    return [f.relative_to(PACKAGE_ROOT) for f in [*files, *catalogs]]


def bundle() -> bytes:
    """Those files as a zip archive Python can import from (fixed times and order)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative in bundle_files():
            info = zipfile.ZipInfo(relative.as_posix(), _FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (PACKAGE_ROOT / relative).read_bytes(), compresslevel=9)
    return out.getvalue()


def requirements_txt() -> str:
    """xlwings from the version this package is tested with: Lite's own requirements.txt
    pins xlwings already, and a newer one (Lite's add-in may need it) must stay."""
    return textwrap.dedent(
        f"""\
        # {PROG} {__version__} for xlwings Lite: main.py needs only xlwings, {xlwings.__version__}
        # or newer. Lite's requirements.txt tab lists xlwings already: keep that line if its
        # version is {xlwings.__version__} or newer, else put this line in its place. Keep every
        # line Lite marks "# required".
        xlwings>={xlwings.__version__}
        """
    )


def main_py() -> str:
    data = bundle()
    digest = hashlib.sha256(data).hexdigest()[:16]
    text = base64.b64encode(data).decode("ascii")
    lines = "\n".join(text[i : i + _LINE] for i in range(0, len(text), _LINE))
    return _MAIN_TEMPLATE.format(
        prog=PROG,
        version=__version__,
        env_url=ENV_API_URL,
        env_id=ENV_ID_INSTANCE,
        env_token=ENV_API_TOKEN,
        env_flavour=ENV_FLAVOUR,
        name=f"xl_contacts-{__version__}-{digest}.zip",
        bundle=lines,
        front_end=FRONT_END,
        xlwings_version=xlwings.__version__,
    )


def write_lite_files(folder: str | Path) -> list[Path]:
    """Write main.py and requirements.txt into ``folder`` (which must exist)."""
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise ReportError(
            _(
                "{path!r} is not a folder — give the folder to write {main} and {requirements} into"
            ).format(path=str(target), main=MAIN, requirements=REQUIREMENTS)
        )
    if not target.is_dir():
        raise ReportError(
            _("folder {path!r} does not exist — create it first").format(path=str(target))
        )
    written = []
    for name, text in ((MAIN, main_py()), (REQUIREMENTS, requirements_txt())):
        path = target / name
        refuse_unless_regular(path)
        with replacing(path) as temporary:
            temporary.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written


_MAIN_TEMPLATE = '''\
"""{prog} {version} for xlwings Lite: =GETCONTACTS(count, header, only) in Excel
on the web, for Mac and for Windows -- the contacts of your GREEN-API instance.

1. Paste this whole file into xlwings Lite's main.py tab (in place of its sample).
2. The requirements.txt tab: xlwings {xlwings_version} or newer (see requirements.txt).
3. ☰ ▸ Environment Variables, scope Local (never Workbook: that saves the token
   inside the file): {env_id}, {env_token}, and
   {env_url} if your instance has its own apiUrl ({env_flavour}: optional).
   Then ☰ ▸ Restart.
4. In a cell: =GETCONTACTS(50)

Generated by `{prog} lite`. The text below is the package's own modules (a zip,
base64): not to be edited -- generate a new file instead.
"""

import base64
import sys
import tempfile
from pathlib import Path

_BUNDLE = """
{bundle}
"""


def _use_bundle() -> None:
    path = Path(tempfile.gettempdir()) / "{name}"
    path.write_bytes(base64.b64decode(_BUNDLE))
    # A main.py pasted over an older one imports its own modules, not the old ones.
    sys.path[:] = [p for p in sys.path if not Path(p).name.startswith("xl_contacts-")]
    for module in [m for m in sys.modules if m.split(".")[0] == "xl_contacts"]:
        del sys.modules[module]
    sys.path.insert(0, str(path))


_use_bundle()

from {front_end} import GETCONTACTS  # noqa: E402, F401 -- Lite registers what main.py holds
'''
