"""The high-score table survives restarts, keeps the best ten and shrugs off a damaged file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from edgepac.game.highscores import KEEP, HighScores, default_path


def test_scores_persist_best_first(tmp_path: Path) -> None:
    path = tmp_path / "hs.json"
    table = HighScores(path)
    assert table.best == 0 and table.add(0, 1) is None  # nothing scored, nothing recorded
    assert table.add(1200, 1) == 1
    assert table.add(5000, 2) == 1
    assert table.add(3000, 1) == 2
    reopened = HighScores(path)
    assert [e.score for e in reopened.entries] == [5000, 3000, 1200]
    assert reopened.best == 5000


def test_only_the_best_ten_are_kept(tmp_path: Path) -> None:
    table = HighScores(tmp_path / "hs.json")
    for s in range(1, 13):
        table.add(s * 100, 1)
    assert len(table.entries) == KEEP
    assert table.entries[-1].score == 300
    assert table.add(200, 1) is None
    assert len(HighScores(tmp_path / "hs.json").entries) == KEEP


def test_corrupt_table_is_moved_aside_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "hs.json"
    path.write_text('{"entries": [{"score": "lots"')
    with caplog.at_level(logging.WARNING):
        table = HighScores(path)
    assert table.entries == []
    assert (tmp_path / "hs.json.corrupt").read_text().startswith('{"entries"')
    assert "moved to" in caplog.text
    table.add(700, 1)
    assert HighScores(path).best == 700


def test_default_location_is_the_state_dir() -> None:
    assert default_path().name == "highscores.json"
    assert "edgepac" in str(default_path())
