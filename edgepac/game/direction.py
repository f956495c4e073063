"""The four joystick directions, in the arcade's tie-break order: up, left, down, right."""

from __future__ import annotations

from enum import Enum

from edgepac.poses import POSES


class Direction(Enum):
    UP = "up"
    LEFT = "left"
    DOWN = "down"
    RIGHT = "right"

    # dx, dy and opposite are plain attributes set below: read every tick, and an Enum member's
    # hash (for a dict look-up) costs more than the rest of a ghost's step.
    dx: int
    dy: int
    opposite: Direction

    @classmethod
    def parse(cls, name: str) -> Direction:
        """'up' / 'UP' -> Direction.UP; anything else is a ValueError naming the choices."""
        try:
            return cls(name.lower())
        except ValueError:
            raise ValueError(
                f"direction must be one of {', '.join(POSES)}; got {name!r}"
            ) from None


# Screen coordinates: y grows downwards, like the arcade's rows.
_DELTA = {
    Direction.UP: (0, -1),
    Direction.LEFT: (-1, 0),
    Direction.DOWN: (0, 1),
    Direction.RIGHT: (1, 0),
}
_OPPOSITE = {
    Direction.UP: Direction.DOWN,
    Direction.DOWN: Direction.UP,
    Direction.LEFT: Direction.RIGHT,
    Direction.RIGHT: Direction.LEFT,
}

for _d in Direction:
    _d.dx, _d.dy = _DELTA[_d]
    _d.opposite = _OPPOSITE[_d]

# When two exits are equally close to a ghost's target the arcade prefers them in this order.
TIE_ORDER: tuple[Direction, ...] = (Direction.UP, Direction.LEFT, Direction.DOWN, Direction.RIGHT)
