"""Who steers Pac-Man: one small interface the game reads once a tick.

    controller.request(game) -> Direction | None      # None: no new request, keep going

The keyboard (arrow keys), the app's camera predictions and the autopilot all fit it. Difficulty
is the game's (``Game(difficulty=...)``, see levels.py): the kiosk plays ``KIOSK_DIFFICULTY``
because a camera steers later and less surely than a joystick.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol, runtime_checkable

from edgepac.game.direction import TIE_ORDER, Direction
from edgepac.game.game import Game
from edgepac.game.ghosts import GhostState
from edgepac.game.levels import KIOSK_DIFFICULTY
from edgepac.game.maze import HEIGHT, UNIT, WIDTH, Maze

__all__ = ["KIOSK_DIFFICULTY", "ArrowKeys", "Autopilot", "Controller"]


@runtime_checkable
class Controller(Protocol):
    def request(self, game: Game) -> Direction | None: ...


class ArrowKeys:
    """The arrow keys. Feed it pygame events; a tap is remembered until the game reads it."""

    def __init__(self) -> None:
        import pygame

        self._keys = {
            pygame.K_UP: Direction.UP,
            pygame.K_DOWN: Direction.DOWN,
            pygame.K_LEFT: Direction.LEFT,
            pygame.K_RIGHT: Direction.RIGHT,
        }
        self._keydown = pygame.KEYDOWN
        self._pending: Direction | None = None

    def handle_event(self, event: Any) -> bool:
        """Take an arrow-key press; returns True if the event was one."""
        if event.type == self._keydown and event.key in self._keys:
            self._pending = self._keys[event.key]
            return True
        return False

    def request(self, game: Game) -> Direction | None:
        pending, self._pending = self._pending, None
        return pending


# ----------------------------------------------------------------------------- the autopilot
def _neighbours(maze: Maze) -> list[list[tuple[Direction, int]]]:
    """For each tile index, the (direction, tile index) of each open neighbour (tunnel wraps)."""
    out: list[list[tuple[Direction, int]]] = [[] for _ in range(WIDTH * HEIGHT)]
    for y in range(HEIGHT):
        for x in range(WIDTH):
            if not maze.is_open(x, y):
                continue
            for d in TIE_ORDER:
                nx, ny = (x + d.dx) % WIDTH, y + d.dy
                if maze.is_open(nx, ny):
                    out[y * WIDTH + x].append((d, ny * WIDTH + nx))
    return out


def _on_screen(tile: tuple[int, int]) -> tuple[int, int]:
    """The unseen tunnel tiles (x -2, -1, 28, 29) count as the edge tile next to them."""
    return min(max(tile[0], 0), WIDTH - 1), tile[1]


class Autopilot:
    """Plays by itself for attract mode: heads for dots, avoids dangerous ghosts, hunts blue ones.

    Each decision is a breadth-first search over the maze from Pac-Man's tile, allowed only
    through tiles he reaches more than ``margin`` steps before any dangerous ghost could (0:
    first is enough; with the arcade's exact ghosts a bigger margin corners him more often than
    it saves him: 86, 77 and 56 of 100 level-1 clears for 0, 1, 2); if no dot is
    safely reachable he runs to the open neighbour farthest from the ghosts.
    """

    def __init__(self, margin: int = 0, hunt: bool = True) -> None:
        if margin < 0:
            raise ValueError(f"margin must be >= 0; got {margin}")
        self.margin = margin
        self.hunt = hunt
        self._graph: list[list[tuple[Direction, int]]] | None = None
        self._inf = WIDTH * HEIGHT
        self._ghost_dist = [0] * (WIDTH * HEIGHT)
        self._pac_dist = [0] * (WIDTH * HEIGHT)
        self._first = [Direction.LEFT] * (WIDTH * HEIGHT)
        self._key: tuple | None = None
        self._last: Direction | None = None

    def request(self, game: Game) -> Direction | None:
        pac = game.pacman
        ghosts = tuple((g.tile, g.state, g.frightened) for g in game.ghosts)
        key = (pac.tile, ghosts, game.maze.left, game.fright_white())
        if key == self._key:
            return self._last  # nothing moved a tile since last time: same answer
        self._key = key
        self._last = self._decide(game)
        return self._last

    def _decide(self, game: Game) -> Direction | None:
        if self._graph is None:
            self._graph = _neighbours(game.maze)
        graph, inf = self._graph, self._inf
        px, py = _on_screen(game.pacman.tile)
        start = py * WIDTH + px
        if not graph[start]:
            return None
        # Where the dangerous ghosts can be soon: a multi-source BFS from their tiles.
        ghost_dist = self._ghost_dist
        for i in range(len(ghost_dist)):
            ghost_dist[i] = inf
        queue: deque[int] = deque()
        prey = []
        ending = game.fright_white() or game.fright_left < 90
        for g in game.ghosts:
            gx, gy = _on_screen(g.tile)
            heading = g.direction
            if g.state is GhostState.LEAVING:
                (gx, gy), heading = (13, 11), Direction.LEFT
            elif g.state is not GhostState.ACTIVE:
                continue
            if g.reverse_pending:
                heading = heading.opposite  # it turns round at its next tile centre
            if g.frightened and not ending:
                prey.append(gy * WIDTH + gx)
                continue
            i = gy * WIDTH + gx
            if not 0 <= i < len(ghost_dist):
                continue
            ghost_dist[i] = 0
            # A ghost cannot turn back by choice: its first step is never behind it.
            for direction, j in graph[i]:
                if direction is not heading.opposite and ghost_dist[j] > 1:
                    ghost_dist[j] = 1
                    queue.append(j)
        while queue:
            i = queue.popleft()
            d = ghost_dist[i] + 1
            for _, j in graph[i]:
                if ghost_dist[j] > d:
                    ghost_dist[j] = d
                    queue.append(j)
        # Pac-Man's BFS through safe tiles only, remembering each tile's first step.
        pac_dist, first = self._pac_dist, self._first
        for i in range(len(pac_dist)):
            pac_dist[i] = inf
        pac_dist[start] = 0
        margin = self.margin
        food = game.maze.food
        targets = set(prey) if self.hunt and prey else None
        goal = -1
        queue.append(start)
        while queue:
            i = queue.popleft()
            if i != start and (i in targets if targets else food[i]):
                goal = i
                break
            d = pac_dist[i] + 1
            for direction, j in graph[i]:
                if pac_dist[j] <= d or ghost_dist[j] <= d + margin:
                    continue
                pac_dist[j] = d
                first[j] = direction if i == start else first[i]
                queue.append(j)
        queue.clear()
        if goal < 0 and targets:  # no blue ghost safely reachable: eat dots instead
            self._key = None
            self.hunt, hunt = False, self.hunt
            try:
                return self._decide(game)
            finally:
                self.hunt = hunt
        if goal >= 0:
            return first[goal]
        return self._escape(start, graph, ghost_dist)

    def _escape(
        self, start: int, graph: list[list[tuple[Direction, int]]], ghost_dist: list[int]
    ) -> Direction:
        """Cornered: head for the tile he reaches with the biggest lead over every ghost."""
        pac_dist, first, inf = self._pac_dist, self._first, self._inf
        for i in range(len(pac_dist)):
            pac_dist[i] = inf
        pac_dist[start] = 0
        best, best_lead = -1, -inf
        queue = deque([start])
        while queue:
            i = queue.popleft()
            d = pac_dist[i] + 1
            for direction, j in graph[i]:
                if pac_dist[j] <= d or ghost_dist[j] <= d:
                    continue
                pac_dist[j] = d
                first[j] = direction if i == start else first[i]
                queue.append(j)
                lead = ghost_dist[j] - d
                if lead > best_lead:
                    best, best_lead = j, lead
        if best >= 0:
            return first[best]
        return max(graph[start], key=lambda dj: ghost_dist[dj[1]])[0]


def ticks_to_tiles(game: Game, ticks: int) -> float:
    """How many tiles Pac-Man covers in ``ticks`` at his current speed (for tuning and tests)."""
    return ticks * game.speed_pacman / UNIT
