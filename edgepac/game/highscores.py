"""The high-score table, kept on disk so the kiosk remembers its best players across power cuts.

Written atomically (old table or new, never half); a damaged file is moved aside with a warning
and the game carries on with an empty table rather than crash at boot.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from edgepac import paths
from edgepac.atomic import atomic_write_bytes, move_aside

log = logging.getLogger(__name__)

KEEP = 10


@dataclass(frozen=True)
class Entry:
    score: int
    level: int
    name: str = ""
    when: float = 0.0  # Unix time


def default_path() -> Path:
    return paths.state_dir() / "highscores.json"


class HighScores:
    """The best ``KEEP`` scores, best first."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.entries: list[Entry] = self._load()

    @property
    def best(self) -> int:
        return self.entries[0].score if self.entries else 0

    def qualifies(self, score: int) -> bool:
        return score > 0 and (len(self.entries) < KEEP or score > self.entries[-1].score)

    def add(self, score: int, level: int, name: str = "") -> int | None:
        """Record a finished game; returns its 1-based rank, or None if it missed the table."""
        if not self.qualifies(score):
            return None
        entry = Entry(score=int(score), level=int(level), name=name[:10], when=time.time())
        # Ties keep the earlier game ahead: it got there first.
        rank = sum(1 for e in self.entries if e.score >= score)
        self.entries.insert(rank, entry)
        del self.entries[KEEP:]
        self.save()
        return rank + 1

    def save(self) -> None:
        data = {"version": 1, "entries": [asdict(e) for e in self.entries]}
        atomic_write_bytes(self.path, json.dumps(data, indent=1).encode())

    def _load(self) -> list[Entry]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text())
            entries = [
                Entry(int(e["score"]), int(e["level"]), str(e.get("name", "")), float(e["when"]))
                for e in data["entries"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as err:
            aside = move_aside(self.path)
            log.warning(
                "high-score table %s was unreadable (%s); moved to %s, starting afresh",
                self.path,
                err,
                aside,
            )
            return []
        entries.sort(key=lambda e: -e.score)
        return entries[:KEEP]
