"""The four joystick directions, in the arcade's tie-break order: up, left, down, right."""

from __future__ import annotations

from enum import Enum


class Direction(Enum):
    UP = "up"
    LEFT = "left"
    DOWN = "down"
    RIGHT = "right"

    @property
    def dx(self) -> int:
        return _DELTA[self][0]

    @property
    def dy(self) -> int:
        return _DELTA[self][1]

    @property
    def opposite(self) -> Direction:
        return _OPPOSITE[self]

    @classmethod
    def parse(cls, name: str) -> Direction:
        """'up' / 'UP' -> Direction.UP; anything else is a ValueError naming the choices."""
        try:
            return cls(name.lower())
        except ValueError:
            raise ValueError(
                f"direction must be one of up, down, left, right; got {name!r}"
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

# When two exits are equally close to a ghost's target the arcade prefers them in this order.
TIE_ORDER: tuple[Direction, ...] = (Direction.UP, Direction.LEFT, Direction.DOWN, Direction.RIGHT)
