"""The arcade's per-level tables (from The Pac-Man Dossier's level specifications).

Speeds are percentages of the arcade's top speed, 1.25 pixels a tick (75 a second, 9.375 tiles);
times are seconds at 60 ticks a second. ``Difficulty`` plays the same rules in slow motion for
steering with a camera, which answers later than a joystick.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgepac.errors import EdgePacError

TICKS_PER_SECOND = 60
# 100% speed in sub-tile units per tick (1000 a pixel). The arcade moves whole pixels by 16-tick
# step patterns (the Dossier's Speed section; shaunlebron/pacman's Actor.js): 100% is 20 pixels
# in 16 ticks, 1.25 px a tick; 80% is 16 in 16. The Dossier's 75.76 px/s is its rounded figure.
FULL_SPEED = 1250

# Difficulty -> factor on every speed (and 1/factor on every timer), so the game is the arcade
# slowed down evenly: a camera player gets more time per decision, the rules stay the same.
DIFFICULTIES: dict[str, float] = {"easy": 0.75, "relaxed": 0.875, "normal": 1.0, "hard": 1.1}
KIOSK_DIFFICULTY = "easy"


def difficulty_factor(name: str) -> float:
    try:
        return DIFFICULTIES[name]
    except KeyError:
        allowed = ", ".join(DIFFICULTIES)
        raise EdgePacError(f"difficulty must be one of {allowed}; got {name!r}") from None


@dataclass(frozen=True)
class Level:
    number: int
    pacman: int  # Pac-Man's speed, %
    pacman_fright: int  # ... while the ghosts are blue
    ghost: int
    ghost_fright: int
    ghost_tunnel: int
    elroy: tuple[tuple[int, int], tuple[int, int]]  # (dots left, speed %) for Elroy 1 and 2
    fright_s: float  # how long the ghosts stay blue
    flashes: int  # how many times they flash white before turning back
    fruit: str
    fruit_points: int
    schedule: tuple[float, ...]  # scatter, chase, scatter, ... seconds; the last chase is forever
    dot_limits: dict[str, int]  # a ghost's personal dot counter releases it at this count
    idle_release_s: float  # release the next ghost after Pac-Man has eaten nothing this long


_FRUIT = (
    (1, "cherry", 100),
    (2, "strawberry", 300),
    (4, "peach", 500),
    (6, "apple", 700),
    (8, "grapes", 1000),
    (10, "galaxian", 2000),
    (12, "bell", 3000),
    (10**9, "key", 5000),
)
_FRIGHT = (6, 5, 4, 3, 2, 5, 2, 2, 1, 5, 2, 1, 1, 3, 1, 1, 0, 1)
_FLASHES = (5, 5, 5, 5, 5, 5, 5, 5, 3, 5, 5, 3, 3, 5, 3, 3, 0, 3)
_ELROY = (  # (up to level, elroy-1 dots, elroy-2 dots, elroy-1 %, elroy-2 %)
    (1, 20, 10, 80, 85),
    (2, 30, 15, 90, 95),
    (4, 40, 20, 90, 95),
    (5, 40, 20, 100, 105),
    (8, 50, 25, 100, 105),
    (11, 60, 30, 100, 105),
    (14, 80, 40, 100, 105),
    (18, 100, 50, 100, 105),
    (10**9, 120, 60, 100, 105),
)


def level(n: int) -> Level:
    """The arcade's numbers for level ``n`` (1-based)."""
    if n < 1:
        raise ValueError(f"level must be >= 1; got {n}")
    if n == 1:
        speeds = (80, 90, 75, 50, 40)
    elif n <= 4:
        speeds = (90, 95, 85, 55, 45)
    elif n <= 20:
        speeds = (100, 100, 95, 60, 50)
    else:
        speeds = (90, 90, 95, 60, 50)
    fruit, points = next((name, pts) for last, name, pts in _FRUIT if n <= last)
    _, d1, d2, s1, s2 = next(row for row in _ELROY if n <= row[0])
    if n == 1:
        schedule = (7, 20, 7, 20, 5, 20, 5)
    elif n <= 4:
        schedule = (7, 20, 7, 20, 5, 1033, 1 / 60)
    else:
        schedule = (5, 20, 5, 20, 5, 1037, 1 / 60)
    limits = (
        {"pinky": 0, "inky": 30, "clyde": 60}
        if n == 1
        else (
            {"pinky": 0, "inky": 0, "clyde": 50} if n == 2 else {"pinky": 0, "inky": 0, "clyde": 0}
        )
    )
    return Level(
        number=n,
        pacman=speeds[0],
        pacman_fright=speeds[1],
        ghost=speeds[2],
        ghost_fright=speeds[3],
        ghost_tunnel=speeds[4],
        elroy=((d1, s1), (d2, s2)),
        fright_s=_FRIGHT[n - 1] if n <= len(_FRIGHT) else 0,
        flashes=_FLASHES[n - 1] if n <= len(_FLASHES) else 0,
        fruit=fruit,
        fruit_points=points,
        schedule=schedule,
        dot_limits=limits,
        idle_release_s=4 if n <= 4 else 3,
    )
