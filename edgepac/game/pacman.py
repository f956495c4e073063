"""Pac-Man's movement: tile-centred like the arcade, with a buffered turn and pre-turning.

A requested direction is kept (``wish``) until it becomes possible, so a request that arrives a
few frames early - a camera's usual lateness runs the other way, but noise does not - still turns
at the next opening. Within the tile before a turn he cuts the corner: he moves in the new
direction and at the same time back onto the centre line of the old one, as the arcade does.
At a wall he stops on the tile's centre. The tunnel runs two unseen tiles past each edge of the
screen (the arcade's 32-column board), where he vanishes for a moment.
"""

from __future__ import annotations

from edgepac.game.direction import Direction
from edgepac.game.maze import HALF, PACMAN_START, UNIT, Maze, wrap_x


def to_centre(x: int, y: int, d: Direction) -> int:
    """Sub-tile units from (x, y) to the next tile centre ahead in direction d (0: on one)."""
    if d is Direction.RIGHT:
        return (HALF - x % UNIT) % UNIT
    if d is Direction.LEFT:
        return (x % UNIT - HALF) % UNIT
    if d is Direction.DOWN:
        return (HALF - y % UNIT) % UNIT
    return (y % UNIT - HALF) % UNIT


class PacMan:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.x, self.y = PACMAN_START
        self.direction = Direction.LEFT
        self.wish: Direction | None = None
        self.moving = True
        self.pause = 0  # ticks he stands still after eating (1 per dot, 3 per energizer)
        self.travelled = 0  # units moved so far: drives the mouth animation

    @property
    def tile(self) -> tuple[int, int]:
        return self.x // UNIT, self.y // UNIT

    def advance(self, maze: Maze, distance: int) -> None:
        """Move ``distance`` sub-tile units this tick, turning as the wish allows."""
        tx, ty = self.tile
        wish = self.wish
        if wish is not None and wish is not self.direction:
            if wish is self.direction.opposite or maze.exit_open(tx, ty, wish):
                self.direction = wish  # reversal is always allowed; a turn needs an opening
                self.moving = True
        elif wish is self.direction and not self.moving and maze.exit_open(tx, ty, wish):
            self.moving = True
        if not self.moving:
            return
        d = self.direction
        # Cornering: slide back onto the centre line of the axis he is leaving.
        if d.dx:
            off = self.y - (self.y // UNIT * UNIT + HALF)
            self.y -= max(-distance, min(distance, off))
        else:
            off = self.x - (self.x // UNIT * UNIT + HALF)
            self.x -= max(-distance, min(distance, off))
        left = distance
        while left > 0:
            gap = to_centre(self.x, self.y, d)
            if gap == 0:
                tx, ty = self.tile
                if not maze.exit_open(tx, ty, d):
                    self.moving = False  # a wall: stop on the centre
                    break
                gap = UNIT
            step = min(left, gap)
            self.x = wrap_x(self.x + d.dx * step)
            self.y += d.dy * step
            left -= step
        self.travelled += distance - left
