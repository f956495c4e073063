"""Imports run down the house: app/ wires the areas, and no area reaches up into app/."""

from __future__ import annotations

import ast
from pathlib import Path

import edgepac

PACKAGE = Path(edgepac.__file__).parent
AREAS = ("camera", "vision", "learning", "game", "controls", "export")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_no_area_imports_the_app():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for area in AREAS
        for path in sorted((PACKAGE / area).rglob("*.py"))
        for module in imported_modules(path)
        if module == "edgepac.app" or module.startswith("edgepac.app.")
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_the_app(tmp_path):
    # the check above must be able to fail: a module that reaches up is found
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from edgepac.app.config import load_config\n")
    assert "edgepac.app.config" in imported_modules(bad)
