"""What the player sees: the maze, dots, sprites and text, at the Pi display's size and HDMI's."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from edgepac.errors import EdgePacError
from edgepac.game.direction import Direction
from edgepac.game.game import Game, Phase
from edgepac.game.ghosts import State
from edgepac.game.maze import HALF, UNIT
from edgepac.game.render import DOOR, DOT_COLOUR, FRIGHT_BODY, PUPIL, WALL, YELLOW, Renderer

MARK = (1, 2, 3)  # what the app would have drawn in its panel


@pytest.fixture(scope="module", autouse=True)
def _pygame() -> None:
    pygame.display.init()
    pygame.font.init()


def colour(img: pygame.Surface, xy: tuple[int, int]) -> tuple[int, int, int]:
    return tuple(img.get_at(xy))[:3]


@pytest.mark.parametrize(
    ("size", "panel", "tile"), [((800, 480), 320, 13), ((1920, 1080), 600, 30)]
)
def test_frame_shows_the_maze(size: tuple[int, int], panel: int, tile: int, tmp_path: Path) -> None:
    renderer = Renderer(size, panel_width=panel)
    game = Game(seed=0)
    surface = pygame.Surface(size)
    surface.fill(MARK)
    renderer.draw(surface, game)
    png = tmp_path / f"frame_{size[0]}x{size[1]}.png"
    pygame.image.save(surface, str(png))
    img = pygame.image.load(str(png))  # check what was saved, not what is in memory

    t = renderer.tile
    assert t == tile  # integer pixels per tile, as big as fits
    g = renderer.game_rect
    assert g.size == (28 * t, 36 * t)
    assert abs(g.left - (size[0] - panel - g.right)) <= 1  # centred left of the panel
    assert renderer.panel_rect == pygame.Rect(size[0] - panel, 0, panel, size[1])
    assert colour(img, (size[0] - 5, size[1] // 2)) == MARK  # the panel is left for the app
    ox, oy = g.x, g.y + 3 * t
    width = max(1, round(t / 7))
    # The outer wall: a blue line half a tile into the top row; black just inside it.
    assert colour(img, (ox + 5 * t, oy + t // 2 - width)) == WALL
    assert colour(img, (ox + 5 * t, oy + t // 2 + 1)) == (0, 0, 0)
    # A wall block's edge: the block at tiles (2..5, 2..4) is outlined half a tile in.
    assert colour(img, (ox + 4 * t, oy + 5 * t // 2)) == WALL
    assert colour(img, (ox + 4 * t, oy + 5 * t // 2 - 1)) == (0, 0, 0)
    # Dots at their tile centres; the tunnel is open; the pink door; Pac-Man at the start.
    for x, y in ((1, 1), (12, 5), (26, 29), (6, 14)):
        assert colour(img, (ox + x * t + t // 2, oy + y * t + t // 2)) == DOT_COLOUR
    assert colour(img, (ox + 1 * t + t // 2, oy + 3 * t + t // 2)) == DOT_COLOUR  # energizer
    assert colour(img, (ox + 1, oy + 14 * t + t // 2)) == (0, 0, 0)  # tunnel mouth
    assert colour(img, (ox + 14 * t, oy + 12 * t + t // 2)) == DOOR
    assert colour(img, (ox + 14 * t, oy + 23 * t + t // 2)) == YELLOW
    # READY! in yellow below the house.
    row = [colour(img, (x, oy + 17 * t + t // 2)) for x in range(ox + 11 * t, ox + 17 * t)]
    assert YELLOW in row


def test_eaten_dots_disappear_and_frightened_ghosts_turn_blue() -> None:
    renderer = Renderer((800, 480), panel_width=320)
    surface = pygame.Surface((800, 480))
    game = Game(seed=0)
    while game.phase is Phase.READY:
        game.step()
    t, (ox, oy) = renderer.tile, renderer.origin
    dot = (ox + t + t // 2, oy + t + t // 2)
    renderer.draw(surface, game)
    assert colour(surface, dot) == DOT_COLOUR
    game.pacman.x, game.pacman.y = UNIT + HALF, UNIT + HALF
    game.step()
    renderer.draw(surface, game)
    assert colour(surface, dot) != DOT_COLOUR
    # Energizer: the ghosts go blue.
    game.pacman.x, game.pacman.y = UNIT + HALF, 3 * UNIT + HALF
    game.step()
    assert game.frightened
    renderer.draw(surface, game)
    b = game.blinky
    centre = (ox + b.x * t // UNIT, oy + b.y * t // UNIT + t // 2)
    assert colour(surface, centre) == FRIGHT_BODY


def test_ghost_eyes_look_where_they_go() -> None:
    renderer = Renderer((800, 480))

    def pupil_centre(d: Direction) -> tuple[float, float]:
        sprite = renderer._eyes[d]
        pts = [
            (x, y)
            for x in range(sprite.get_width())
            for y in range(sprite.get_height())
            if tuple(sprite.get_at((x, y)))[:3] == PUPIL and sprite.get_at((x, y)).a
        ]
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)

    left, right = pupil_centre(Direction.LEFT), pupil_centre(Direction.RIGHT)
    up, down = pupil_centre(Direction.UP), pupil_centre(Direction.DOWN)
    assert left[0] < right[0] - 1 and up[1] < down[1] - 1


def test_game_over_and_eyes_frames_draw() -> None:
    renderer = Renderer((800, 480))
    surface = pygame.Surface((800, 480))
    game = Game(seed=0)
    game.pinky.state = State.EYES
    renderer.draw(surface, game)
    game.phase = Phase.GAME_OVER
    renderer.draw(surface, game)
    t, (ox, oy) = renderer.tile, renderer.origin
    row = [colour(surface, (x, oy + 17 * t + t // 2)) for x in range(ox + 9 * t, ox + 19 * t)]
    assert (255, 0, 0) in row  # GAME OVER in red


def test_too_small_a_screen_is_a_clear_error() -> None:
    with pytest.raises(EdgePacError, match="too small"):
        Renderer((200, 150))
    with pytest.raises(EdgePacError, match="panel_width"):
        Renderer((800, 480), panel_width=900)


def test_cleared_maze_flashes_white() -> None:
    renderer = Renderer((800, 480))
    surface = pygame.Surface((800, 480))
    game = Game(seed=0)
    t, (ox, oy) = renderer.tile, renderer.origin
    wall = (ox + 5 * t, oy + t // 2 - 1)
    game.phase = Phase.LEVEL_CLEAR
    seen = set()
    for left in range(1, 121):
        game.phase_left = left
        renderer.draw(surface, game)
        seen.add(colour(surface, wall))
    assert seen == {WALL, (255, 255, 255)}
