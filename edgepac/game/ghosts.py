"""The four ghosts: where each one aims, and how any ghost picks its way at an intersection.

Targets (chase mode), all in tiles:
- Blinky aims at Pac-Man's tile.
- Pinky aims four tiles ahead of Pac-Man.
- Inky takes the tile two ahead of Pac-Man and doubles the vector from Blinky to it.
- Clyde aims at Pac-Man while more than eight tiles away (Euclidean), else at his own corner.

With ``arcade_bug=True`` (the default) "ahead" while Pac-Man faces up also goes as far left, as
the arcade's overflow does (Pinky: 4 up and 4 left; Inky's pivot: 2 up and 2 left): players who
know the arcade know this Pinky. A ghost never reverses by choice; at a tile centre it takes the
open exit whose next tile is nearest its target (squared distance), ties broken up, left, down,
right. Frightened ghosts pick a random exit from the game's seeded generator instead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from enum import Enum

from edgepac.game.direction import TIE_ORDER, Direction
from edgepac.game.maze import (
    HALF,
    HOUSE_CENTRE_Y,
    HOUSE_EXIT,
    HOUSE_X,
    NO_UP_TILES,
    SCATTER_TARGETS,
    UNIT,
    WIDTH,
    Maze,
)
from edgepac.game.pacman import to_centre

NAMES = ("blinky", "pinky", "inky", "clyde")
HOME_TILES = ((13, 11), (14, 11))  # eyes reaching either tile above the door go in
EYES_TARGET = (13, 11)

Tile = tuple[int, int]


class State(Enum):
    HOUSE = "house"  # waiting inside, bobbing up and down
    LEAVING = "leaving"  # on the way out through the door
    ACTIVE = "active"  # in the maze: scatter, chase or frightened
    EYES = "eyes"  # eaten: eyes hurrying back to the house
    ENTERING = "entering"  # eyes going down through the door to revive


def ahead(tile: Tile, facing: Direction, n: int, arcade_bug: bool = True) -> Tile:
    """The tile n ahead of Pac-Man; facing up the arcade also adds n to the left."""
    x, y = tile[0] + facing.dx * n, tile[1] + facing.dy * n
    if arcade_bug and facing is Direction.UP:
        x -= n
    return x, y


def chase_target(
    name: str,
    pac_tile: Tile,
    pac_facing: Direction,
    blinky_tile: Tile,
    own_tile: Tile,
    arcade_bug: bool = True,
) -> Tile:
    """Where ghost ``name`` aims in chase mode."""
    if name == "blinky":
        return pac_tile
    if name == "pinky":
        return ahead(pac_tile, pac_facing, 4, arcade_bug)
    if name == "inky":
        px, py = ahead(pac_tile, pac_facing, 2, arcade_bug)
        return 2 * px - blinky_tile[0], 2 * py - blinky_tile[1]
    if name == "clyde":
        dx, dy = own_tile[0] - pac_tile[0], own_tile[1] - pac_tile[1]
        return pac_tile if dx * dx + dy * dy > 64 else SCATTER_TARGETS["clyde"]
    raise ValueError(f"unknown ghost {name!r}")


def exits(maze: Maze, tile: Tile, heading: Direction, no_up_zones: bool) -> list[Direction]:
    """Open ways out of a tile for a ghost moving ``heading``, in tie order, never reversing."""
    x, y = tile
    found = [
        d
        for d in TIE_ORDER
        if d is not heading.opposite
        and maze.exit_open(x, y, d)
        and not (no_up_zones and d is Direction.UP and tile in NO_UP_TILES)
    ]
    return found or [heading.opposite]  # a dead end (none in this maze): turn back


def choose_exit(
    maze: Maze, tile: Tile, heading: Direction, target: Tile, no_up_zones: bool = True
) -> Direction:
    """The exit whose next tile is nearest the target; the first in tie order wins ties."""
    best, best_d2 = heading.opposite, -1
    for d in exits(maze, tile, heading, no_up_zones):
        nx, ny = tile[0] + d.dx, tile[1] + d.dy
        d2 = (nx - target[0]) ** 2 + (ny - target[1]) ** 2
        if best_d2 < 0 or d2 < best_d2:
            best, best_d2 = d, d2
    return best


def random_exit(maze: Maze, tile: Tile, heading: Direction, rng: random.Random) -> Direction:
    """Frightened: a random direction; if it is closed, the first open one in tie order."""
    options = exits(maze, tile, heading, no_up_zones=False)
    pick = TIE_ORDER[rng.randrange(4)]
    return pick if pick in options else options[0]


class Ghost:
    def __init__(self, name: str) -> None:
        if name not in NAMES:
            raise ValueError(f"ghost name must be one of {', '.join(NAMES)}; got {name!r}")
        self.name = name
        self.dots = 0  # personal dot counter while waiting in the house
        self.reset()

    def reset(self) -> None:
        """Back to the start of a life: Blinky outside the door, the others in the house."""
        if self.name == "blinky":
            self.x, self.y = HOUSE_EXIT
            self.state = State.ACTIVE
            self.direction = Direction.LEFT
        else:
            self.x, self.y = HOUSE_X[self.name], HOUSE_CENTRE_Y
            self.state = State.HOUSE
            self.direction = Direction.UP if self.name == "pinky" else Direction.DOWN
        self.frightened = False
        self.points_shown = 0  # the score shown where he was eaten, for the renderer

    @property
    def tile(self) -> Tile:
        return (self.x // UNIT) % WIDTH, self.y // UNIT

    def reverse(self) -> None:
        if self.state is State.ACTIVE:
            self.direction = self.direction.opposite

    def advance_maze(
        self, maze: Maze, distance: int, choose: Callable[[Ghost, Tile], Direction]
    ) -> None:
        """Move through the maze; at every tile centre ask ``choose`` for the way on."""
        left = distance
        while left > 0:
            gap = to_centre(self.x, self.y, self.direction)
            if gap == 0:
                tile = self.tile
                if self.state is State.EYES and tile in HOME_TILES:
                    self.state = State.ENTERING
                    self.x = HOUSE_EXIT[0]
                    return
                self.direction = choose(self, tile)
                gap = UNIT
            step = min(left, gap)
            self.x = (self.x + self.direction.dx * step) % (WIDTH * UNIT)
            self.y += self.direction.dy * step
            left -= step

    def advance_house(self, distance: int) -> None:
        """Bob in the house, walk out through the door, or (as eyes) walk in and revive."""
        if self.state is State.HOUSE:
            top, bottom = HOUSE_CENTRE_Y - HALF // 2, HOUSE_CENTRE_Y + HALF // 2
            self.y += distance if self.direction is Direction.DOWN else -distance
            if self.y <= top:
                self.y, self.direction = top, Direction.DOWN
            elif self.y >= bottom:
                self.y, self.direction = bottom, Direction.UP
        elif self.state is State.LEAVING:
            # First line up with the door, then go straight up and out, heading left.
            if self.x != HOUSE_EXIT[0]:
                dx = HOUSE_EXIT[0] - self.x
                self.direction = Direction.RIGHT if dx > 0 else Direction.LEFT
                self.x += max(-distance, min(distance, dx))
            else:
                self.direction = Direction.UP
                self.y = max(HOUSE_EXIT[1], self.y - distance)
                if self.y == HOUSE_EXIT[1]:
                    self.state = State.ACTIVE
                    self.direction = Direction.LEFT
        elif self.state is State.ENTERING:
            home_x = HOUSE_X[self.name]
            if self.y < HOUSE_CENTRE_Y:
                self.direction = Direction.DOWN
                self.y = min(HOUSE_CENTRE_Y, self.y + distance)
            elif self.x != home_x:
                dx = home_x - self.x
                self.direction = Direction.RIGHT if dx > 0 else Direction.LEFT
                self.x += max(-distance, min(distance, dx))
            else:
                self.state = State.LEAVING  # revived: straight back out
                self.frightened = False
