"""The arcade maze: 28x31 tiles drawn from one map, with its dots, tunnel, ghost house and door.

Tile coordinates are (x, y) with x = column 0..27 and y = row 0..30 from the top, the arcade's
playfield without the score rows. Positions of actors are in sub-tile units (``UNIT`` per tile)
so all movement is integer arithmetic and a game replays exactly for a seed.
"""

from __future__ import annotations

from edgepac.game.direction import Direction

# One map, read by the rules and by the renderer.
#   #  wall            .  dot          o  energizer
#   ' ' open, no dot   =  ghost-house door (ghosts only)
#   H  inside the ghost house          V  outside the maze (never walkable, drawn as nothing)
MAP = (
    "############################",
    "#............##............#",
    "#.####.#####.##.#####.####.#",
    "#o####.#####.##.#####.####o#",
    "#.####.#####.##.#####.####.#",
    "#..........................#",
    "#.####.##.########.##.####.#",
    "#.####.##.########.##.####.#",
    "#......##....##....##......#",
    "######.##### ## #####.######",
    "VVVVV#.##### ## #####.#VVVVV",
    "VVVVV#.##          ##.#VVVVV",
    "VVVVV#.## ###==### ##.#VVVVV",
    "######.## #HHHHHH# ##.######",
    "      .   #HHHHHH#   .      ",
    "######.## #HHHHHH# ##.######",
    "VVVVV#.## ######## ##.#VVVVV",
    "VVVVV#.##          ##.#VVVVV",
    "VVVVV#.## ######## ##.#VVVVV",
    "######.## ######## ##.######",
    "#............##............#",
    "#.####.#####.##.#####.####.#",
    "#.####.#####.##.#####.####.#",
    "#o..##.......  .......##..o#",
    "###.##.##.########.##.##.###",
    "###.##.##.########.##.##.###",
    "#......##....##....##......#",
    "#.##########.##.##########.#",
    "#.##########.##.##########.#",
    "#..........................#",
    "############################",
)
WIDTH = 28
HEIGHT = 31

UNIT = 8000  # sub-tile units per tile: 1000 per arcade pixel, 8 pixels a tile
HALF = UNIT // 2

EMPTY, DOT, ENERGIZER = 0, 1, 2

TUNNEL_ROW = 14
# The tunnel runs on past the screen: the arcade's board is 32 columns wide, two unseen tiles
# beyond each side, so an actor in the tunnel vanishes for a moment before it comes out of the
# other side. Tile x runs from -2 to 29; only 0..27 are on the screen.
OFFSCREEN = 2
BOARD_WIDTH = WIDTH + 2 * OFFSCREEN
# Ghosts slow down in the tunnel: the row-14 tiles outside the side walls, the unseen ones too.
TUNNEL_SLOW_X = (6, 21)  # x < 6 or x > 21

# Where the actors start, in sub-tile units (centres are at tile * UNIT + HALF; the house and
# Pac-Man's start sit between two columns, x = 14 * UNIT).
PACMAN_START = (14 * UNIT, 23 * UNIT + HALF)
HOUSE_EXIT = (14 * UNIT, 11 * UNIT + HALF)  # just above the door: where ghosts enter the maze
HOUSE_CENTRE_Y = 14 * UNIT + HALF
HOUSE_X = {"blinky": 14 * UNIT, "pinky": 14 * UNIT, "inky": 12 * UNIT, "clyde": 16 * UNIT}
FRUIT_TILES = ((13, 17), (14, 17))  # the fruit shows between these two, below the house
FRUIT_POS = (14 * UNIT, 17 * UNIT + HALF)

# The arcade's "red zones": in scatter and chase a ghost may not turn up into these tiles' exits.
NO_UP_TILES = frozenset({(12, 11), (15, 11), (12, 23), (15, 23)})

# Scatter targets lie outside the maze, so each ghost circles its own corner.
SCATTER_TARGETS = {
    "blinky": (25, -3),  # top right
    "pinky": (2, -3),  # top left
    "inky": (27, 31),  # bottom right
    "clyde": (0, 31),  # bottom left
}


class Maze:
    """The tile map plus which dots are still there (the only part of it that changes)."""

    def __init__(self) -> None:
        assert len(MAP) == HEIGHT and all(len(row) == WIDTH for row in MAP)
        self.rows = MAP
        # Walkable for Pac-Man and for ghosts in the maze; a flat list indexed y * WIDTH + x.
        self._open = [c in " .o" for row in MAP for c in row]
        self.door = [(x, y) for y, row in enumerate(MAP) for x, c in enumerate(row) if c == "="]
        self._start = bytes(
            DOT if c == "." else ENERGIZER if c == "o" else EMPTY for row in MAP for c in row
        )
        self.food = bytearray(self._start)  # EMPTY / DOT / ENERGIZER per tile
        self.total = sum(1 for b in self._start if b)
        self.left = self.total

    def reset(self) -> None:
        """A fresh board for a new level."""
        self.food[:] = self._start
        self.left = self.total

    def is_open(self, x: int, y: int) -> bool:
        """Can Pac-Man (or a ghost outside the house) stand on tile (x, y)? The tunnel wraps."""
        if y < 0 or y >= HEIGHT:
            return False
        x = wrap_tile(x)
        if x < 0 or x >= WIDTH:
            return y == TUNNEL_ROW  # the unseen tunnel tiles beyond the screen's edges
        return self._open[y * WIDTH + x]

    def exit_open(self, x: int, y: int, d: Direction) -> bool:
        return self.is_open(x + d.dx, y + d.dy)

    def food_at(self, x: int, y: int) -> int:
        if y < 0 or y >= HEIGHT or x < 0 or x >= WIDTH:
            return EMPTY
        return self.food[y * WIDTH + x]

    def eat(self, x: int, y: int) -> int:
        """Remove the dot or energizer on a tile; returns what was there."""
        if x < 0 or x >= WIDTH:
            return EMPTY  # off the screen in the tunnel: nothing to eat
        i = y * WIDTH + x
        what = self.food[i]
        if what:
            self.food[i] = EMPTY
            self.left -= 1
        return what

    def count(self, kind: int) -> int:
        return self.food.count(kind)

    def char(self, x: int, y: int) -> str:
        return self.rows[y][x]


def wrap_tile(x: int) -> int:
    """A tile column wrapped onto the 32-column board (-2..29)."""
    return (x + OFFSCREEN) % BOARD_WIDTH - OFFSCREEN


def wrap_x(x: int) -> int:
    """An actor's x (sub-tile units) wrapped onto the 32-column board."""
    return (x + OFFSCREEN * UNIT) % (BOARD_WIDTH * UNIT) - OFFSCREEN * UNIT


def tile_of(pos: tuple[int, int]) -> tuple[int, int]:
    """The tile an actor's centre is on (x may be -2, -1, 28 or 29 in the unseen tunnel)."""
    return pos[0] // UNIT, pos[1] // UNIT


def in_tunnel(x: int, y: int) -> bool:
    return y == TUNNEL_ROW and (x < TUNNEL_SLOW_X[0] or x > TUNNEL_SLOW_X[1])
