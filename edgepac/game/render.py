"""Draw a Game with pygame: procedural walls and sprites, nothing copied from the arcade's ROMs.

The playfield is the arcade's 28x36 tiles (3 rows of score above the 31-row maze, 2 rows of
lives and fruit below) at an integer number of pixels per tile, centred in the screen left of
a side panel that the app fills (camera preview, predictions). Everything that does not change
from frame to frame - the walls, the dots still there, every sprite pose, the text - is drawn
once to a surface and only blitted per frame, so a frame is a few dozen blits.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache

import numpy as np
import pygame

from edgepac.errors import EdgePacError
from edgepac.game.direction import Direction
from edgepac.game.font import arcade_font
from edgepac.game.game import Game, Phase
from edgepac.game.ghosts import NAMES, GhostState
from edgepac.game.levels import level as level_spec
from edgepac.game.maze import (
    DOT,
    ENERGIZER,
    FRUIT_POS,
    HEIGHT,
    MAP,
    TUNNEL_ROW,
    UNIT,
    WIDTH,
)

BLINK_TICKS = 16  # "1UP" on for 16 ticks, off for 16
COLS, ROWS = WIDTH, HEIGHT + 5  # the arcade screen: 3 score rows above, 2 rows below
TOP = 3
MIN_TILE = 6

BLACK = (0, 0, 0)
WALL = (33, 33, 255)
WALL_FLASH = (255, 255, 255)
DOOR = (255, 184, 255)
DOT_COLOUR = (255, 184, 151)
YELLOW = (255, 255, 0)
WHITE = (255, 255, 255)
RED = (255, 0, 0)
CYAN = (0, 255, 255)
GHOST_COLOURS = {
    "blinky": (255, 0, 0),
    "pinky": (255, 184, 255),
    "inky": (0, 255, 255),
    "clyde": (255, 184, 82),
}
FRIGHT_BODY, FRIGHT_FACE = (33, 33, 255), (255, 184, 151)
FLASH_BODY, FLASH_FACE = (222, 222, 255), (255, 0, 0)
PUPIL = (33, 33, 255)


def layout(screen_size: tuple[int, int], panel_width: int) -> tuple[int, pygame.Rect, pygame.Rect]:
    """Pixels per tile, the playfield's rect and the side panel's rect for a screen size."""
    w, h = screen_size
    if panel_width < 0 or panel_width >= w:
        raise EdgePacError(
            f"panel_width must be between 0 and the screen width {w}; got {panel_width}"
        )
    tile = min(h // ROWS, (w - panel_width) // COLS)
    if tile < MIN_TILE:
        raise EdgePacError(
            f"screen {w}x{h} with a {panel_width}px panel is too small for the maze: "
            f"it needs at least {COLS * MIN_TILE + panel_width}x{ROWS * MIN_TILE}"
        )
    gw, gh = COLS * tile, ROWS * tile
    area_w = w - panel_width
    game_rect = pygame.Rect((area_w - gw) // 2, (h - gh) // 2, gw, gh)
    panel_rect = pygame.Rect(area_w, 0, panel_width, h)
    return tile, game_rect, panel_rect


def _blocked(x: int, y: int) -> bool:
    """Is tile (x, y) wall-like for drawing? Off the board is wall, except the tunnel's mouths."""
    if y < 0 or y >= HEIGHT:
        return True
    if x < 0 or x >= WIDTH:
        return y != TUNNEL_ROW
    return MAP[y][x] in "#VH="


@lru_cache(maxsize=1)
def _quarters() -> dict[tuple[int, int], bool]:
    """Which quarter tiles are solid wall (one tile beyond the board included)."""

    def quarter(hx: int, hy: int) -> bool:
        tx, ty = hx // 2, hy // 2
        sx, sy = (-1 if hx % 2 == 0 else 1), (-1 if hy % 2 == 0 else 1)
        return (
            _blocked(tx, ty)
            and _blocked(tx + sx, ty)
            and _blocked(tx, ty + sy)
            and _blocked(tx + sx, ty + sy)
        )

    return {
        (hx, hy): quarter(hx, hy)
        for hx in range(-2, 2 * WIDTH + 2)
        for hy in range(-2, 2 * HEIGHT + 2)
    }


@lru_cache(maxsize=1)
def _outer_wall() -> frozenset[tuple[int, int]]:
    """The wall tiles joined to the board's edge: the arcade draws these with a double line."""
    ring = [(x, y) for x in (-1, WIDTH) for y in range(-1, HEIGHT + 1)]
    ring += [(x, y) for y in (-1, HEIGHT) for x in range(WIDTH)]
    seen = {xy for xy in ring if _blocked(*xy)}
    todo = list(seen)
    while todo:
        x, y = todo.pop()
        for nx, ny in ((x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)):
            if -1 <= nx <= WIDTH and -1 <= ny <= HEIGHT and (nx, ny) not in seen:
                on_board = 0 <= nx < WIDTH and 0 <= ny < HEIGHT
                if _blocked(nx, ny) and (not on_board or MAP[ny][nx] in "#V"):
                    seen.add((nx, ny))
                    todo.append((nx, ny))
    return frozenset(seen)


def _grow(mask: np.ndarray, r: int) -> np.ndarray:
    """The mask dilated by a disk of radius r: a row-run of the right half-width per dy."""
    if r <= 0:
        return mask.copy()
    w, h = mask.shape
    runs = np.zeros((w + 2 * r + 1, h), np.int16)
    runs[r + 1 : r + 1 + w] = np.cumsum(mask, axis=0, dtype=np.int16)
    runs[r + 1 + w :] = runs[r + w]
    out = np.zeros_like(mask)
    for dy in range(-r, r + 1):
        half = math.isqrt(r * r - dy * dy)
        # Along x: is any pixel within `half` set? (differences of the running count)
        near = (runs[r + 1 + half : r + 1 + half + w] - runs[r - half : r - half + w]) > 0
        if dy >= 0:
            out[:, dy:] |= near[:, : h - dy]
        else:
            out[:, :dy] |= near[:, -dy:]
    return out


def _shrink(mask: np.ndarray, r: int) -> np.ndarray:
    """The mask eroded by a disk of radius r (beyond its edges counts as inside)."""
    return ~_grow(~mask, r)


@lru_cache(maxsize=4)
def _wall_lines(t: int, w: int, gap: int) -> np.ndarray:
    """Where the wall lines are: an (x, y) mask of the board at ``t`` px a tile, lines ``w``
    wide, double lines ``gap`` apart (cached: the same for every Renderer of that size).

    Walls as the arcade draws them: a line half a tile inside the edge of each wall block,
    rounded at its outside corners; the outer wall (and the house) a double line. Each tile
    splits into four quarters; a quarter is solid when its tile and the three tiles next to
    that corner are all wall. The solid quarters make a pixel mask (outside corners cut round),
    and a wall line is the band along the mask's edge; the outer wall's inside corners are
    rounded as well, and its second line is the same band of its mask shrunk by ``gap``.
    The result is read-only: callers colour a copy.
    """
    margin = t  # one tile round the board, so that no line is drawn at the screen's edge
    grid = _quarters()
    outer = _outer_wall()
    solid = np.zeros((WIDTH * t + 2 * margin, HEIGHT * t + 2 * margin), bool)
    border = np.zeros_like(solid)

    def px(h: int) -> int:  # quarter-grid coordinate -> mask pixels
        return margin + h * t // 2

    for (hx, hy), is_solid in grid.items():
        if not is_solid:
            continue
        x0, x1, y0, y1 = px(hx), px(hx + 1), px(hy), px(hy + 1)
        solid[x0:x1, y0:y1] = True
        if (hx // 2, hy // 2) in outer:
            border[x0:x1, y0:y1] = True
        # Outside corners: cut round, as the arcade's walls are.
        for sx, sy in ((-1, -1), (1, -1), (-1, 1), (1, 1)):
            if grid.get((hx + sx, hy), True) or grid.get((hx, hy + sy), True):
                continue
            r = min(x1 - x0, y1 - y0)
            cx, cy = (x1 if sx < 0 else x0), (y1 if sy < 0 else y0)
            xs = np.arange(x0, x1)[:, None] + 0.5 - cx
            ys = np.arange(y0, y1)[None, :] + 0.5 - cy
            outside = xs * xs + ys * ys > r * r
            solid[x0:x1, y0:y1] &= ~outside
            border[x0:x1, y0:y1] &= ~outside
    # The outer wall's inside corners are rounded too (a closing: grow, then shrink back),
    # by less than half a tile so that the tunnel stays open.
    fillet = max(1, t * 3 // 8)
    border = _shrink(_grow(border, fillet), fillet)
    solid |= border
    lines = solid & ~_shrink(solid, w)
    inner = _shrink(border, gap)
    lines |= inner & ~_shrink(inner, w)
    # The ghost house: a second line round its inside, and the door.
    hx0, hy0 = margin + 11 * t - gap, margin + 13 * t - gap
    house = np.zeros_like(solid)
    house[hx0 : margin + 17 * t + gap, hy0 : margin + 16 * t + gap] = True
    lines |= house & ~_shrink(house, w)
    lines[margin + 13 * t : margin + 15 * t, margin + 12 * t : margin + 13 * t + gap] = False
    lines = lines[margin:-margin, margin:-margin]
    lines.flags.writeable = False
    return lines


class Renderer:
    """Draws a Game onto a surface of ``screen_size``; ``game_rect`` and ``panel_rect`` say where.

    ``high_score`` is shown at the top (the app sets it from the high-score table); a player who
    beats it sees it climb with their score, as on the arcade, unless ``score_counts`` is off
    (the attract mode's autopilot sets no records).
    """

    def __init__(self, screen_size: tuple[int, int], panel_width: int = 0) -> None:
        self.screen_size = (int(screen_size[0]), int(screen_size[1]))
        self.tile, self.game_rect, self.panel_rect = layout(self.screen_size, panel_width)
        self.high_score = 0
        self.score_counts = True
        t = self.tile
        self.origin = (self.game_rect.x, self.game_rect.y + TOP * t)
        # The maze itself, where actors show (in the tunnel's unseen tiles they are hidden).
        self.maze_rect = pygame.Rect(self.origin, (WIDTH * t, HEIGHT * t))
        # Lines about 1/6 of a tile (2 px at 13 px tiles, 5 at 30): readable on a 7" panel.
        self.wall_width = max(2, round(t / 6))
        self.wall_gap = self.wall_width + max(1, round(t / 10))  # between the double lines
        self.font = arcade_font(t)  # a character a tile, as on the arcade's screen
        self._text: dict[tuple[str, tuple[int, int, int]], pygame.Surface] = {}
        self.walls = self._draw_walls(WALL)
        self.walls_flash = self._draw_walls(WALL_FLASH)
        self.board = self.walls.copy()  # walls plus the dots still there
        self._food_seen = b""
        self._sprite = max(4, round(t * 1.6))  # actors are about 13 px on the arcade's 8 px tiles
        self._pacman = self._draw_pacman_frames()
        # The collapse: the mouth opens upwards until nothing is left.
        opening = range(15, 181, 15)
        self._dying = [self._pacman_wedge(math.radians(a), Direction.UP) for a in opening]
        self._ghosts = {name: self._draw_ghost_frames(GHOST_COLOURS[name]) for name in NAMES}
        self._fright = self._draw_ghost_frames(FRIGHT_BODY, face=FRIGHT_FACE)
        self._flash = self._draw_ghost_frames(FLASH_BODY, face=FLASH_FACE)
        self._eyes = {d: self._draw_eyes(d) for d in Direction}
        self._fruit: dict[str, pygame.Surface] = {}
        self._energizer = self._draw_energizer()
        self._life = pygame.transform.smoothscale(
            self._pacman[(Direction.LEFT, 1)], (t * 3 // 2,) * 2
        )

    # ------------------------------------------------------------------ the frame
    def draw(self, surface: pygame.Surface, game: Game) -> None:
        t = self.tile
        ox, oy = self.origin
        surface.fill(
            BLACK, (0, 0, self.screen_size[0] - self.panel_rect.width, self.screen_size[1])
        )
        phase = game.phase
        self._sync_board(game)
        if game.maze_white():
            surface.blit(self.walls_flash, (ox, oy))
        else:
            surface.blit(self.board, (ox, oy))
        if phase is not Phase.LEVEL_CLEAR and (
            (game.ticks // 10) % 2 == 0 or phase is not Phase.PLAYING
        ):
            food = game.maze.food
            half = self._energizer.get_width() // 2
            for x, y in ((1, 3), (26, 3), (1, 23), (26, 23)):
                if food[y * WIDTH + x] == ENERGIZER:
                    surface.blit(
                        self._energizer, (ox + x * t + t // 2 - half, oy + y * t + t // 2 - half)
                    )
        if game.fruit_left:
            self._blit_centred(surface, self.fruit(game.spec.fruit), FRUIT_POS)
        elif game.fruit_points_left:
            self._blit_centred(surface, self.text(str(game.spec.fruit_points), DOOR), FRUIT_POS)
        stage = game.death_stage()[0] if phase is Phase.DYING else ""
        clip = surface.get_clip()
        surface.set_clip(self.maze_rect.clip(clip) if clip else self.maze_rect)
        if not (
            game.player_one
            or stage in ("alone", "collapse", "gone")
            or game.level_clear_flashing()
            or phase is Phase.GAME_OVER
        ):
            self._draw_ghosts(surface, game)
        if not game.player_one:
            self._draw_pacman(surface, game, stage)
        surface.set_clip(clip)
        self._draw_hud(surface, game)

    # ------------------------------------------------------------------ actors
    def _to_screen(self, pos: tuple[int, int]) -> tuple[int, int]:
        t = self.tile
        return self.origin[0] + pos[0] * t // UNIT, self.origin[1] + pos[1] * t // UNIT

    def _blit_centred(
        self, surface: pygame.Surface, sprite: pygame.Surface, pos: tuple[int, int]
    ) -> None:
        sx, sy = self._to_screen(pos)
        surface.blit(sprite, (sx - sprite.get_width() // 2, sy - sprite.get_height() // 2))

    def _draw_ghosts(self, surface: pygame.Surface, game: Game) -> None:
        skirt = (game.ticks // 8) % 2
        white = game.fright_white()
        for g in game.ghosts:
            pos = (g.x, g.y)
            if g.points_shown and game.phase is Phase.GHOST_EATEN:
                self._blit_centred(surface, self.text(str(g.points_shown), CYAN), pos)
                continue
            # In the maze the eyes look the way it has planned to go (a tile ahead).
            planning = g.state is GhostState.ACTIVE or g.state is GhostState.EYES
            look = g.plan if planning else g.direction
            if g.state is GhostState.EYES or g.state is GhostState.ENTERING:
                self._blit_centred(surface, self._eyes[look], pos)
                continue
            if g.frightened:
                body = (self._flash if white else self._fright)[skirt]
                self._blit_centred(surface, body, pos)
            else:
                self._blit_centred(surface, self._ghosts[g.name][skirt], pos)
                self._blit_centred(surface, self._eyes[look], pos)

    def _draw_pacman(self, surface: pygame.Surface, game: Game, stage: str) -> None:
        pac = game.pacman
        pos = (pac.x, pac.y)
        if game.phase is Phase.GHOST_EATEN or game.phase is Phase.GAME_OVER or stage == "gone":
            return  # the arcade hides him while the points show
        if stage == "collapse":
            done = game.death_stage()[1]
            i = min(len(self._dying) - 1, int(done * len(self._dying)))
            self._blit_centred(surface, self._dying[i], pos)
            return
        if game.phase is Phase.READY or stage:
            frame = 0  # a whole yellow disc before the start (and frozen as he is caught)
        else:
            frame = (pac.travelled // (UNIT // 4)) % 4 if pac.moving else 1
        self._blit_centred(surface, self._pacman[(pac.direction, frame)], pos)

    # ------------------------------------------------------------------ score, lives, messages
    def text(self, s: str, colour: tuple[int, int, int]) -> pygame.Surface:
        key = (s, colour)
        surf = self._text.get(key)
        if surf is None:
            if len(self._text) > 256:
                self._text.clear()
            surf = self.font.render(s, False, colour)
            self._text[key] = surf
        return surf

    def _draw_hud(self, surface: pygame.Surface, game: Game) -> None:
        t = self.tile
        gx, gy = self.game_rect.topleft
        if game.phase is Phase.GAME_OVER or (game.ticks // BLINK_TICKS) % 2 == 0:
            surface.blit(self.text("1UP", WHITE), (gx + 3 * t, gy))  # blinks while playing
        score = self.text(str(game.score).rjust(2, "0"), WHITE)
        surface.blit(score, (gx + 7 * t - score.get_width(), gy + t))
        surface.blit(self.text("HIGH SCORE", WHITE), (gx + 9 * t, gy))
        best = max(self.high_score, game.score) if self.score_counts else self.high_score
        high = self.text(str(best) if best else "", WHITE)
        surface.blit(high, (gx + 17 * t - high.get_width(), gy + t))
        # Lives in reserve bottom left, this level's fruit (and the six before) bottom right.
        by = gy + (TOP + HEIGHT) * t + t // 4
        for i in range(min(game.lives - 1, 6)):  # the one playing is not shown
            surface.blit(self._life, (gx + (2 + 2 * i) * t, by))
        first = max(1, game.level - 6)
        for i, n in enumerate(range(game.level, first - 1, -1)):
            sprite = self.fruit(level_spec(n).fruit)
            surface.blit(sprite, (gx + (24 - 2 * i) * t, by))
        if game.player_one:
            self._message(surface, "PLAYER ONE", CYAN, 11)
        if game.phase is Phase.READY:
            self._message(surface, "READY!", YELLOW, 17)
        elif game.phase is Phase.GAME_OVER:
            self._message(surface, "GAME  OVER", RED, 17)

    def _message(
        self, surface: pygame.Surface, s: str, colour: tuple[int, int, int], row: int
    ) -> None:
        """A line of text centred on the maze at a maze row (READY! sits below the house)."""
        t = self.tile
        ox, oy = self.origin
        msg = self.text(s, colour)
        surface.blit(msg, (ox + 14 * t - msg.get_width() // 2, oy + row * t))

    # ------------------------------------------------------------------ the board
    def _sync_board(self, game: Game) -> None:
        """Keep the pre-drawn board's dots in step with the maze (usually: nothing to do)."""
        food = game.maze.food
        if food == self._food_seen:
            return
        t = self.tile
        size = max(2, t // 4 + (t % 2 == 0 and t // 4 % 2 == 1))
        off = (t - size) // 2
        if len(self._food_seen) != len(food) or sum(food) > sum(self._food_seen):
            self.board.blit(self.walls, (0, 0))  # a new board: draw every dot
            seen = bytes(len(food))
        else:
            seen = self._food_seen
        for i, (now, before) in enumerate(zip(food, seen, strict=True)):
            if now == before:
                continue
            x, y = i % WIDTH, i // WIDTH
            rect = (x * t + off, y * t + off, size, size)
            self.board.fill(DOT_COLOUR if now == DOT else BLACK, rect)
        self._food_seen = bytes(food)

    def _draw_walls(self, colour: tuple[int, int, int], fresh: bool = False) -> pygame.Surface:
        """The walls in ``colour`` (the pink door too, on the blue maze); ``fresh`` traces them
        again instead of reusing the lines traced for this tile size."""
        t, w = self.tile, self.wall_width
        trace = _wall_lines.__wrapped__ if fresh else _wall_lines
        lines = trace(t, w, self.wall_gap)
        pixels = np.zeros((*lines.shape, 3), np.uint8)
        pixels[lines] = colour
        surf = pygame.surfarray.make_surface(pixels)
        if colour == WALL:
            door = pygame.Rect(13 * t, 12 * t + t // 2 - w // 2, 2 * t, max(2, w - 1))
            surf.fill(DOOR, door)
        return surf

    # ------------------------------------------------------------------ sprites
    def _pacman_wedge(self, half_angle: float, facing: Direction) -> pygame.Surface:
        s = self._sprite
        surf = pygame.Surface((s, s), pygame.SRCALPHA)
        r = s / 2
        if half_angle <= 0:
            pygame.draw.circle(surf, YELLOW, (r, r), r)
            return surf
        base = {
            Direction.RIGHT: 0.0,
            Direction.UP: -90.0,
            Direction.LEFT: 180.0,
            Direction.DOWN: 90.0,
        }[facing]
        a0 = math.radians(base) + half_angle
        a1 = math.radians(base) + 2 * math.pi - half_angle
        steps = 24
        points = [(r, r)]
        for k in range(steps + 1):
            a = a0 + (a1 - a0) * k / steps
            points.append((r + r * math.cos(a), r + r * math.sin(a)))
        if len(points) >= 3 and half_angle < math.pi:
            pygame.draw.polygon(surf, YELLOW, points)
        return surf

    def _draw_pacman_frames(self) -> dict[tuple[Direction, int], pygame.Surface]:
        angles = (0.0, 22.0, 44.0, 22.0)  # closed, half, wide, half: the chomp
        return {
            (d, i): self._pacman_wedge(math.radians(a), d)
            for d in Direction
            for i, a in enumerate(angles)
        }

    def _ghost_body(self, colour: tuple[int, int, int], skirt: int) -> pygame.Surface:
        s = self._sprite
        surf = pygame.Surface((s, s), pygame.SRCALPHA)
        r = s / 2
        points = []
        for k in range(17):  # the round head
            a = math.pi + math.pi * k / 16
            points.append((r + r * math.cos(a), r + r * math.sin(a)))
        bottom = s - 1
        waves = 4
        step = s / waves
        points.append((s, bottom))
        for k in range(waves, 0, -1):  # the wavy skirt, alternating two frames
            x_hi = k * step
            mid = x_hi - step / 2
            points.append((mid + (step / 4 if skirt else 0), bottom - s * 0.18))
            points.append((x_hi - step, bottom))
        pygame.draw.polygon(surf, colour, points)
        return surf

    def _draw_ghost_frames(
        self, colour: tuple[int, int, int], face: tuple[int, int, int] | None = None
    ) -> list[pygame.Surface]:
        frames = []
        s = self._sprite
        for skirt in (0, 1):
            body = self._ghost_body(colour, skirt)
            if face is not None:  # frightened: little eyes and a wobbly mouth
                e = max(1, s // 9)
                pygame.draw.rect(body, face, (s * 0.3 - e / 2, s * 0.38, e + 1, e + 1))
                pygame.draw.rect(body, face, (s * 0.7 - e / 2, s * 0.38, e + 1, e + 1))
                zig = [(s * (0.18 + 0.64 * k / 6), s * (0.7 if k % 2 else 0.62)) for k in range(7)]
                pygame.draw.lines(body, face, False, zig, max(1, s // 14))
            frames.append(body)
        return frames

    def _draw_eyes(self, d: Direction) -> pygame.Surface:
        """Two eyes whose pupils look the way the ghost is going (also the eaten ghost's sprite)."""
        s = self._sprite
        surf = pygame.Surface((s, s), pygame.SRCALPHA)
        ew, eh = s * 0.24, s * 0.3
        look_x, look_y = d.dx * s * 0.06, d.dy * s * 0.08
        for cx in (s * 0.32, s * 0.68):
            cy = s * 0.42
            pygame.draw.ellipse(surf, WHITE, (cx - ew / 2 + look_x, cy - eh / 2 + look_y, ew, eh))
            p = s * 0.13
            px = cx - p / 2 + look_x + d.dx * ew * 0.3
            py = cy - p / 2 + look_y + d.dy * eh * 0.3
            pygame.draw.ellipse(surf, PUPIL, (px, py, p, p))
        return surf

    def _draw_energizer(self) -> pygame.Surface:
        t = self.tile
        size = max(3, round(t * 0.9))
        surf = pygame.Surface((size, size), pygame.SRCALPHA)
        pygame.draw.circle(surf, DOT_COLOUR, (size / 2, size / 2), size / 2)
        return surf

    def fruit(self, name: str) -> pygame.Surface:
        """The bonus symbol for a level, drawn from circles and polygons."""
        surf = self._fruit.get(name)
        if surf is None:
            surf = _draw_fruit(name, self._sprite)
            self._fruit[name] = surf
        return surf


def _draw_fruit(name: str, s: int) -> pygame.Surface:
    surf = pygame.Surface((s, s), pygame.SRCALPHA)
    green, brown = (0, 200, 0), (222, 151, 81)
    if name == "cherry":
        r = s * 0.2
        pygame.draw.line(surf, brown, (s * 0.3, s * 0.7), (s * 0.75, s * 0.12), max(1, s // 12))
        pygame.draw.line(surf, brown, (s * 0.7, s * 0.75), (s * 0.75, s * 0.12), max(1, s // 12))
        pygame.draw.circle(surf, RED, (s * 0.3, s * 0.72), r)
        pygame.draw.circle(surf, RED, (s * 0.68, s * 0.76), r)
    elif name == "strawberry":
        pygame.draw.polygon(
            surf, RED, [(s * 0.1, s * 0.35), (s * 0.9, s * 0.35), (s * 0.5, s * 0.95)]
        )
        pygame.draw.circle(surf, RED, (s * 0.3, s * 0.42), s * 0.2)
        pygame.draw.circle(surf, RED, (s * 0.7, s * 0.42), s * 0.2)
        for x, y in ((0.35, 0.5), (0.6, 0.45), (0.5, 0.68), (0.4, 0.75)):
            surf.fill(WHITE, (s * x, s * y, max(1, s // 14), max(1, s // 14)))
        pygame.draw.polygon(
            surf, green, [(s * 0.25, s * 0.25), (s * 0.75, s * 0.25), (s * 0.5, s * 0.4)]
        )
    elif name in ("peach", "apple"):
        colour = (255, 184, 82) if name == "peach" else RED
        pygame.draw.circle(surf, colour, (s * 0.5, s * 0.58), s * 0.38)
        pygame.draw.line(surf, brown, (s * 0.5, s * 0.25), (s * 0.55, s * 0.08), max(1, s // 12))
        pygame.draw.ellipse(surf, green, (s * 0.55, s * 0.08, s * 0.3, s * 0.14))
    elif name == "grapes":
        for x, y in ((0.35, 0.4), (0.65, 0.4), (0.5, 0.55), (0.3, 0.62), (0.7, 0.62), (0.5, 0.78)):
            pygame.draw.circle(surf, (0, 180, 0), (s * x, s * y), s * 0.14)
        pygame.draw.line(surf, brown, (s * 0.5, s * 0.3), (s * 0.5, s * 0.05), max(1, s // 12))
    elif name == "galaxian":
        pygame.draw.polygon(
            surf, YELLOW, [(s * 0.5, s * 0.1), (s * 0.9, s * 0.5), (s * 0.1, s * 0.5)]
        )
        pygame.draw.polygon(
            surf, RED, [(s * 0.5, s * 0.5), (s * 0.65, s * 0.9), (s * 0.35, s * 0.9)]
        )
        pygame.draw.polygon(
            surf, (33, 33, 255), [(s * 0.1, s * 0.5), (s * 0.3, s * 0.5), (s * 0.1, s * 0.8)]
        )
        pygame.draw.polygon(
            surf, (33, 33, 255), [(s * 0.9, s * 0.5), (s * 0.7, s * 0.5), (s * 0.9, s * 0.8)]
        )
    elif name == "bell":
        pygame.draw.polygon(
            surf,
            YELLOW,
            [
                (s * 0.5, s * 0.1),
                (s * 0.78, s * 0.35),
                (s * 0.9, s * 0.8),
                (s * 0.1, s * 0.8),
                (s * 0.22, s * 0.35),
            ],
        )
        pygame.draw.circle(surf, CYAN, (s * 0.5, s * 0.85), s * 0.1)
    else:  # key
        pygame.draw.ellipse(surf, CYAN, (s * 0.3, s * 0.05, s * 0.4, s * 0.3))
        pygame.draw.ellipse(surf, BLACK, (s * 0.42, s * 0.1, s * 0.16, s * 0.1))
        pygame.draw.rect(surf, WHITE, (s * 0.45, s * 0.33, s * 0.1, s * 0.6))
        pygame.draw.rect(surf, WHITE, (s * 0.55, s * 0.6, s * 0.15, s * 0.08))
        pygame.draw.rect(surf, WHITE, (s * 0.55, s * 0.8, s * 0.15, s * 0.08))
    return surf


def headless() -> None:
    """Use SDL's dummy video and audio drivers (tests, benchmarks, --headless)."""
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ["SDL_AUDIODRIVER"] = "dummy"
