"""The code keeps its shape: ruff-clean (complexity included), the layer
contracts of pyproject.toml hold, the public surface is what ``__all__`` says,
and tests use only public names of the package. Part of the test command so
that CI enforces it."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import xl_contacts

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).with_name(name))
    assert Path(path).exists(), f"{name} is missing: pip install -e .[test]"
    return path


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependencies_point_one_way() -> None:
    """import-linter: the layers of README's Layout, and no import cycles."""
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


MODULES = [m.name for m in pkgutil.walk_packages(xl_contacts.__path__, "xl_contacts.")]


def test_every_module_is_checked_below() -> None:
    assert "xl_contacts.udfs" in MODULES and "xl_contacts.usecases.template.build" in MODULES


# One test a module (a fresh interpreter each), so that the workers share them.
@pytest.mark.parametrize("name", MODULES)
def test_every_module_imports_on_its_own(name: str) -> None:
    """No module works only because another one was imported first."""
    code = "import importlib, sys; importlib.import_module(sys.argv[1])"
    result = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True)
    assert result.returncode == 0, f"{name}: {result.stderr[-500:]}"


def test_public_surface_is_what_all_says() -> None:
    public = {name for name in dir(xl_contacts) if not name.startswith("_")}
    modules = {m.name for m in pkgutil.iter_modules(xl_contacts.__path__)}
    assert set(xl_contacts.__all__) - {"__version__"} == public - modules | {"write_report"}
    for name in xl_contacts.__all__:
        assert getattr(xl_contacts, name) is not None


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("*.py")), ids=lambda p: p.name)
def test_tests_use_only_public_names(path: Path) -> None:
    """Tests go through what users and front ends can reach, never a ``_name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("xl_contacts"):
            parts = [*(node.module or "").split("."), *(a.name for a in node.names)]
            assert not any(p.startswith("_") and not p.startswith("__") for p in parts), (
                f"{path.name}:{node.lineno} imports a private name"
            )
            package_aliases |= {a.asname or a.name for a in node.names}
        if isinstance(node, ast.Import):
            package_aliases |= {
                a.asname or a.name for a in node.names if a.name.startswith("xl_contacts")
            }
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            assert not (private and node.value.id in package_aliases), (
                f"{path.name}:{node.lineno} touches {node.value.id}.{node.attr}"
            )
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and str(node.args[1].value).startswith("_")
        ):
            raise AssertionError(f"{path.name}:{node.lineno} patches a private name")


def test_version_has_one_source() -> None:
    version = importlib.import_module("xl_contacts._version").__version__
    assert xl_contacts.__version__ == version
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert not re.search(r'^version\s*=\s*"', pyproject, re.MULTILINE)
    assert 'dynamic = ["version"]' in pyproject


PACKAGE_MODULES = sorted(
    p.relative_to(ROOT / "xl_contacts").as_posix() for p in (ROOT / "xl_contacts").rglob("*.py")
)
MAX_MODULE_LINES = 450


@pytest.mark.parametrize("module", PACKAGE_MODULES)
def test_no_module_is_over_450_lines(module: str) -> None:
    """One job a module: past about 450 lines a module is doing several."""
    lines = (ROOT / "xl_contacts" / module).read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines — split it by job"


def test_no_module_leans_on_private_parts_of_the_standard_library() -> None:
    """``re._parser`` and the like change between Python versions without notice."""
    private = re.compile(r"\bre\._\w+|\bsre_(?:parse|compile|constants)\b")
    for module in PACKAGE_MODULES:
        text = (ROOT / "xl_contacts" / module).read_text(encoding="utf-8")
        assert not private.search(text), module


def _layout_paths() -> set[str]:
    """The modules the README's Layout section names, from its indented tree."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    paths, stack = set(), []
    for line in block.splitlines():
        match = re.match(r"^( *)([\w.]+/|[\w.]+\.py)\s", line + " ")
        if not match:
            continue
        depth = len(match.group(1)) // 2
        name = match.group(2)
        del stack[depth:]
        if name.endswith("/"):
            stack.append(name)
        else:
            paths.add("".join(stack) + name)
    return {p.removeprefix("xl_contacts/") for p in paths if p.startswith("xl_contacts/")}


def test_the_readme_layout_matches_the_tree() -> None:
    named = {p for p in _layout_paths() if not p.endswith("__init__.py")}
    on_disk = {m for m in PACKAGE_MODULES if not m.endswith("__init__.py")}
    assert named == on_disk, (
        f"in the tree, not in README's Layout: {sorted(on_disk - named)}; "
        f"in the Layout, not in the tree: {sorted(named - on_disk)}"
    )
