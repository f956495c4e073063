"""The four ghosts: where each one aims, and how any ghost picks its way through the maze.

Targets (chase mode), all in tiles:
- Blinky aims at Pac-Man's tile.
- Pinky aims four tiles ahead of Pac-Man.
- Inky takes the tile two ahead of Pac-Man and doubles the vector from Blinky to it.
- Clyde aims at Pac-Man while eight tiles away or more (Euclidean), else at his own corner.

With ``arcade_bug=True`` (the default) "ahead" while Pac-Man faces up also goes as far left, as
the arcade's overflow does (Pinky: 4 up and 4 left; Inky's pivot: 2 up and 2 left): players who
know the arcade know this Pinky.

A ghost decides one tile ahead, as the arcade does (ROM 0x1BED-0x1C33): at each tile centre it
turns the way it planned, then plans the exit of the next tile on its way - the open exit
whose following tile is nearest its target (squared distance), never back the way it came,
ties broken up, left, down, right. A reversal the game orders (a mode change, an energizer) is
remembered and carried out at the next tile centre (ROM 0x0E62 sets a flag per ghost, consumed
at 0x1EFE), also by a ghost still in the house: it leaves heading left and turns right.
Frightened ghosts plan a random exit: a random pick, then the next direction clockwise until
one is open (ROM 0x291E), from a generator the game resets at each level and life.
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
    Maze,
    wrap_tile,
    wrap_x,
)
from edgepac.game.pacman import to_centre

NAMES = ("blinky", "pinky", "inky", "clyde")
HOME_TILES = ((13, 11), (14, 11))  # eyes reaching either tile above the door go in
EYES_TARGET = (13, 11)
# The ROM's direction codes 0-3 are right, down, left, up: counting up turns clockwise.
CLOCKWISE = (Direction.RIGHT, Direction.DOWN, Direction.LEFT, Direction.UP)

Tile = tuple[int, int]


class GhostState(Enum):
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
        # The Dossier: eight tiles or more away he chases (the ROM compares squares with 64).
        return pac_tile if dx * dx + dy * dy >= 64 else SCATTER_TARGETS["clyde"]
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
    """Frightened: a random direction; if it is closed (or back), the next one clockwise."""
    options = exits(maze, tile, heading, no_up_zones=False)
    pick = rng.randrange(4)
    for turn in range(4):
        d = CLOCKWISE[(pick + turn) % 4]
        if d in options:
            return d
    return options[0]  # unreachable: options is never empty


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
            self.state = GhostState.ACTIVE
            self.direction = Direction.LEFT
        else:
            self.x, self.y = HOUSE_X[self.name], HOUSE_CENTRE_Y
            self.state = GhostState.HOUSE
            self.direction = Direction.UP if self.name == "pinky" else Direction.DOWN
        self.plan = self.direction  # the exit it will take at the next tile centre
        self.reverse_pending = False  # a reversal ordered, not yet carried out
        self.frightened = False
        self.points_shown = 0  # the score shown where he was eaten, for the renderer

    @property
    def tile(self) -> Tile:
        return self.x // UNIT, self.y // UNIT

    def reverse(self) -> None:
        """Order a reversal: carried out at the next tile centre in the maze (ROM 0x1EFE)."""
        self.reverse_pending = True

    def advance_maze(
        self, maze: Maze, distance: int, choose: Callable[[Ghost, Tile, Direction], Direction]
    ) -> None:
        """Move through the maze; at every tile centre turn as planned and plan the next tile.

        ``choose(ghost, tile, heading)`` is the exit to take from ``tile`` arriving ``heading``.
        """
        left = distance
        while left > 0:
            gap = to_centre(self.x, self.y, self.direction)
            if gap == 0:
                tile = self.tile
                if self.state is GhostState.EYES and tile in HOME_TILES:
                    self.state = GhostState.ENTERING
                    self.x = HOUSE_EXIT[0]
                    return
                if self.reverse_pending:
                    self.reverse_pending = False
                    self.plan = self.direction.opposite
                self.direction = d = self.plan
                ahead = (wrap_tile(tile[0] + d.dx), tile[1] + d.dy)
                self.plan = choose(self, ahead, d)
                gap = UNIT
            step = min(left, gap)
            self.x = wrap_x(self.x + self.direction.dx * step)
            self.y += self.direction.dy * step
            left -= step

    def advance_house(self, distance: int) -> None:
        """Bob in the house, walk out through the door, or (as eyes) walk in and revive."""
        if self.state is GhostState.HOUSE:
            top, bottom = HOUSE_CENTRE_Y - HALF // 2, HOUSE_CENTRE_Y + HALF // 2
            self.y += distance if self.direction is Direction.DOWN else -distance
            if self.y <= top:
                self.y, self.direction = top, Direction.DOWN
            elif self.y >= bottom:
                self.y, self.direction = bottom, Direction.UP
        elif self.state is GhostState.LEAVING:
            # First line up with the door, then go straight up and out, heading left.
            if self.x != HOUSE_EXIT[0]:
                dx = HOUSE_EXIT[0] - self.x
                self.direction = Direction.RIGHT if dx > 0 else Direction.LEFT
                self.x += max(-distance, min(distance, dx))
            else:
                self.direction = Direction.UP
                self.y = max(HOUSE_EXIT[1], self.y - distance)
                if self.y == HOUSE_EXIT[1]:
                    # Out of the door heading left (ROM), but a reversal ordered while it was
                    # inside is still pending: then it turns right at the first tile centre.
                    self.state = GhostState.ACTIVE
                    self.direction = self.plan = Direction.LEFT
        elif self.state is GhostState.ENTERING:
            home_x = HOUSE_X[self.name]
            if self.y < HOUSE_CENTRE_Y:
                self.direction = Direction.DOWN
                self.y = min(HOUSE_CENTRE_Y, self.y + distance)
            elif self.x != home_x:
                dx = home_x - self.x
                self.direction = Direction.RIGHT if dx > 0 else Direction.LEFT
                self.x += max(-distance, min(distance, dx))
            else:
                self.state = GhostState.LEAVING  # revived: straight back out
                self.frightened = False
