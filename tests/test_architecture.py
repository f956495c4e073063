"""Imports run down the house: app/ wires the areas, and no area reaches up into app/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import edgepac

PACKAGE = Path(edgepac.__file__).parent
AREAS = ("camera", "vision", "learning", "game", "controls", "export")


def imported_modules(path: Path, names: bool = False) -> set[str]:
    """The modules ``path`` imports; with ``names``, also ``module.name`` for each name taken
    from a module (which may itself be a module: ``from edgepac.app import screenshots``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if names:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
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


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth (a function's lazy import too)."""

    def name(path: Path) -> str:
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    modules = {name(path): path for path in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        found = set()
        for imported in imported_modules(path, names=True):
            if imported in modules:
                found.add(imported)
            elif imported.rpartition(".")[0] in modules:  # from package.module import a_name
                found.add(imported.rpartition(".")[0])
        graph[module] = found - {module}
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            if group:
                circles.append(sorted([v, *group]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def test_no_import_circles():
    assert import_circles(import_graph(PACKAGE)) == []


def test_the_circle_check_sees_a_lazy_circle(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg.b import g\n")
    (pkg / "b.py").write_text("from pkg import a\n")
    (pkg / "c.py").write_text("from pkg.a import f\n")
    assert import_circles(import_graph(pkg)) == [["pkg.a", "pkg.b"]]
