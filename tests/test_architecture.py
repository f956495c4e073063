"""Imports run down the house: app/ wires the areas, and no area reaches up into app/."""

from __future__ import annotations

import ast
import re
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


POSE_LIST = re.compile(r"""["']up["'],\s*["']down["'],\s*["']left["'],\s*["']right["']""")


def places_listing_the_poses(root: Path) -> list[str]:
    return [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if POSE_LIST.search(path.read_text())
    ]


def test_the_poses_are_listed_once():
    # every area derives the poses (names, order, colours, arrows) from edgepac/poses.py
    assert places_listing_the_poses(PACKAGE) == ["poses.py"]


def test_the_pose_check_sees_a_second_list(tmp_path):
    (tmp_path / "a.py").write_text('CLASSES = ("up", "down", "left", "right")\n')
    (tmp_path / "b.py").write_text("X = ['up','down', 'left',\n 'right']\n")
    assert places_listing_the_poses(tmp_path) == ["a.py", "b.py"]
