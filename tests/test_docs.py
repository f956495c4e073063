"""The README is the front door and docs/ the rest: every relative link and picture leads
somewhere, the README stays short and in the order a maker needs it, and its config table
says what the code does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    heads = re.findall(r"^#+\s+(.+?)\s*$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_picture_leads_somewhere(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not ours to check offline
            continue
        path, _, anchor = target.partition("#")
        where = (page.parent / path).resolve() if path else page
        if not where.exists():
            broken.append(f"{target} (no {where.relative_to(REPO)})")
        elif anchor and where.suffix == ".md" and anchor not in _anchors(where):
            broken.append(f"{target} (no heading #{anchor})")
    assert not broken, f"{page.relative_to(REPO)}: " + ", ".join(broken)


README = (REPO / "README.md").read_text()


def test_the_readme_is_a_short_build_guide_in_a_maker_s_order() -> None:
    assert len(README.splitlines()) <= 300
    sections = re.findall(r"^## (.+)$", README, re.M)
    order = ["What to buy", "Wiring", "Install on the Pi", "The two commands", "Playing",
             "Configuration", "Troubleshooting", "More"]  # fmt: skip
    assert [s for s in sections if s in order] == order, sections
    assert "docs/wiring.svg" in README and "edgepac doctor" in README


def test_the_readme_config_table_gives_the_code_s_defaults() -> None:
    """Each row's default is the one in systemd/config.example.toml (generated from the code;
    tests/test_app_config.py keeps the two equal)."""
    example = {}
    section = ""
    for line in (REPO / "systemd" / "config.example.toml").read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif m := re.match(r"# (\w+) = (.+)$", line):
            example[f"{section}.{m.group(1)}"] = tomllib.loads(f"v = {m.group(2)}")["v"]
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| `([^`]+)` \|", README, re.M)
    assert len(rows) >= 8
    for key, default in rows:
        assert key in example, f"README names {key}, which the config does not have"
        assert tomllib.loads(f"v = {default}")["v"] == example[key], key


def test_a_benchmark_rewrites_only_its_own_block_of_its_page(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_page", REPO / "benchmarks" / "docs_page.py")
    assert spec and spec.loader
    docs_page = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(docs_page)
    page = tmp_path / "game-speed.md"
    page.write_text(f"# Game\n\nintro\n\n{docs_page.BEGIN}\nold\n{docs_page.END}\n\nearlier runs\n")
    argv = ["benchmarks/game_speed.py", "--ticks", "30", "--page", str(page)]
    docs_page.write(page, {"game_tick_ms": 0.5}, argv)
    docs_page.write(page, {"game_tick_ms": 0.25}, argv)  # again: replaced, not appended
    text = page.read_text()
    assert text.startswith("# Game\n\nintro\n\n") and text.endswith("\n\nearlier runs\n")
    assert "old" not in text and "0.5 |" not in text
    assert text.count("| `game_tick_ms` | 0.25 |") == 1
    assert "`.venv/bin/python benchmarks/game_speed.py --ticks 30`" in text  # no --page


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_of_the_project_a_page_names_is_there(page: Path) -> None:
    """A page that says `tests/test_kiosk.py` or `benchmarks/game_speed.py` sends a reader
    there: renames must take the pages along."""
    text = page.read_text()
    named = re.findall(r"(?<![\w/.-])((?:tests|benchmarks|systemd|edgepac)/[\w/.-]+\.\w+)", text)
    named += re.findall(r"(?<![\w/.-])(scripts/[\w.-]+)", text)
    missing = sorted({n for n in named if not n.endswith(".md") and not (REPO / n).exists()})
    assert not missing, f"{page.relative_to(REPO)} names {missing}"
