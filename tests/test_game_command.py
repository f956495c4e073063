"""`edgepac play`: headless runs print one JSON object; bad flags get a one-line answer."""

from __future__ import annotations

import json

import pytest

from edgepac.cli import main


def test_headless_autopilot_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["play", "--autopilot", "--headless", "--max-ticks", "400", "--seed", "3", "--json"]
    assert main(argv) == 0
    out = capsys.readouterr().out.strip()
    result = json.loads(out)  # the whole of stdout is one object
    assert result["ticks"] == 400
    assert result["score"] > 0 and result["levels_cleared"] == 0
    assert 0 < result["tick_ms"] < 5 and 0 < result["render_ms"] < 100
    assert result["size"] == "800x480" and result["controller"] == "autopilot"
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["score"] == result["score"]  # same seed, same game


@pytest.mark.slow
def test_keyboard_game_without_keys_ends_and_records_the_score(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from edgepac.game.highscores import HighScores

    argv = ["play", "--keyboard", "--headless", "--seed", "1", "--size", "1920x1080", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["game_over"] and result["lives"] == 0
    assert result["size"] == "1920x1080"
    assert HighScores().best == result["score"] > 0


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (["--size", "big"], "argument --size: must be WIDTHxHEIGHT"),
        (["--size", "100x100"], "each at least 240"),
        (["--max-ticks", "0"], "--max-ticks"),
        (["--difficulty", "insane"], "difficulty must be one of"),
    ],
)
def test_bad_flags_are_one_line_errors(
    flag: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["play", "--headless", *flag])
    except SystemExit as refused:  # argparse's own refusal of a flag's value
        code = refused.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_no_display_says_to_use_headless(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-display")
    assert main(["play", "--max-ticks", "5"]) == 2
    err = capsys.readouterr().err
    assert "--headless" in err and "\n" not in err.strip()


@pytest.mark.slow
def test_the_game_page_example_is_what_it_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/game.md shows a command and its output: they must agree (timings are the
    machine's, so only their presence is checked)."""
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "game.md").read_text()
    lines = page.splitlines()
    i = next(
        n for n, line in enumerate(lines) if line.startswith("edgepac play") and "--json" in line
    )
    argv = lines[i].split("#")[0].split()[1:]
    shown = json.loads(lines[i + 1].removeprefix("# ").replace(", ...}", "}"))
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    for key, value in shown.items():
        if key.endswith("_ms"):
            assert printed[key] > 0, key
        else:
            assert printed[key] == value, key
    assert {"score", "levels_cleared", "ticks"} <= set(shown)
