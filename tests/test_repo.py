"""Project hygiene: import direction, the README's quick start, CI, and the Qt pin."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    """The command lines in the README's Quick start section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^#+\s*Quick start.*?$(.*?)(?=^#+\s|\Z)", text, re.I | re.M | re.S)
    assert section, "README has no Quick start section"
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section.group(1), re.S)
    lines = [line.strip() for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.slow
def test_import_contracts_hold() -> None:
    """app -> lessons -> engine, and engine/lessons never import Qt (import-linter)."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    assert exe, "import-linter is not installed (pip install '.[test]')"
    done = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


def test_import_contracts_have_no_exceptions() -> None:
    """The contracts list no ignored imports."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        assert not contract.get("ignore_imports")


def test_readme_quick_start_has_two_commands_and_ci_runs_the_test_one() -> None:
    """Exactly two commands; .ci/run runs the second verbatim."""
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    install_and_start, test = commands
    assert "deepstep" in install_and_start
    assert "pytest" in test and ".[test]" in test
    assert test in (ROOT / ".ci" / "run").read_text()


def test_pyside6_pin_excludes_the_crashing_release() -> None:
    """PySide6 6.12.0 crashes on Python 3.11; the dependency range must exclude it."""
    from packaging.specifiers import SpecifierSet

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if d.lower().startswith("pyside6"))
    specifier = SpecifierSet(spec.split("PySide6-Essentials", 1)[1])
    assert "6.12.0" not in specifier and "6.11.3" in specifier


@pytest.mark.parametrize("folder", ["app", "engine", "lessons", "assets", "tests", ".ci"])
def test_top_level_layout(folder: str) -> None:
    """The design card's folders exist."""
    assert (ROOT / folder).is_dir()


@pytest.mark.slow
def test_engine_and_lessons_import_without_qt() -> None:
    """A fresh interpreter imports engine and lessons without loading Qt or pyqtgraph."""
    code = (
        "import sys, engine, lessons.registry, lessons.core.runner; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph')]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_lists_every_lesson_of_the_course() -> None:
    """The README's course section names every registered lesson by its id and number."""
    from lessons.registry import entries

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The course", 1)[1].split("\n## ", 1)[0]
    for entry in entries():
        assert f"{entry.number} {entry.title} (`{entry.id}`)" in section, entry.id


def test_test_files_have_unique_names() -> None:
    """Test folders are not packages, so pytest imports each file by its name: two files of
    the same name in different folders fail to collect (in a fresh clone)."""
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []
