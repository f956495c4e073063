"""What the player sees: the maze, dots, sprites and text, at the Pi display's size and HDMI's."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest
from helpers import playing

from edgepac.errors import EdgePacError
from edgepac.game.direction import Direction
from edgepac.game.game import Game, Phase
from edgepac.game.ghosts import GhostState
from edgepac.game.maze import HALF, PACMAN_START, UNIT
from edgepac.game.render import DOOR, DOT_COLOUR, FRIGHT_BODY, PUPIL, WALL, YELLOW, Renderer

MARK = (1, 2, 3)  # what the app would have drawn in its panel


@pytest.fixture(scope="module", autouse=True)
def _pygame() -> None:
    pygame.display.init()
    pygame.font.init()


def colour(img: pygame.Surface, xy: tuple[int, int]) -> tuple[int, int, int]:
    return tuple(img.get_at(xy))[:3]


def wall_runs(img: pygame.Surface, x: int, ys: range) -> list[tuple[int, int]]:
    """The (first, last) y of each stretch of wall colour down column x."""
    runs: list[tuple[int, int]] = []
    for y in ys:
        if colour(img, (x, y)) == WALL:
            if runs and runs[-1][1] == y - 1:
                runs[-1] = (runs[-1][0], y)
            else:
                runs.append((y, y))
    return runs


@pytest.mark.parametrize(
    ("size", "panel", "tile"), [((800, 480), 320, 13), ((1920, 1080), 600, 30)]
)
def test_frame_shows_the_maze(size: tuple[int, int], panel: int, tile: int, tmp_path: Path) -> None:
    renderer = Renderer(size, panel_width=panel)
    game = Game(seed=0)
    for _ in range(121):  # past "PLAYER ONE": the actors are on the board, READY! still shows
        game.step()
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
    # The outer wall: a double line in the top row, its inner line half a tile in; an inner
    # block (tiles 2..5, 2..4) a single line, half a tile in. Lines at least 2 px (a 7" panel).
    top = wall_runs(img, ox + 5 * t, range(oy, oy + t))
    assert len(top) == 2 and top[-1][1] == oy + t // 2 - 1
    block = wall_runs(img, ox + 4 * t, range(oy + t, oy + 3 * t))
    assert len(block) == 1 and block[0][0] == oy + 5 * t // 2
    assert all(end - start + 1 >= max(2, t // 6) for start, end in top + block)
    assert colour(img, (ox + 5 * t, oy + t // 2 + 1)) == (0, 0, 0)
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
    game.pinky.state = GhostState.EYES
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


def test_cleared_maze_freezes_then_flashes_white_four_times() -> None:
    """shaunlebron/pacman src/states.js (finishState): 2 s frozen with the ghosts, then the
    ghosts gone and the maze flashing white 4 times."""
    renderer = Renderer((800, 480))
    surface = pygame.Surface((800, 480))
    game = playing(Game(seed=0))
    t, (ox, oy) = renderer.tile, renderer.origin
    wall = (ox + 5 * t, oy + t // 2 - 1)
    for i in range(len(game.maze.food)):
        game.maze.food[i] = 0
    game.maze.food[23 * 28 + 12] = 1
    game.maze.left = 1
    game.pacman.x, game.pacman.y = 12 * UNIT + HALF, 23 * UNIT + HALF
    game.step()
    walls, blinky_seen = [], []
    b = game.blinky
    while game.phase is Phase.LEVEL_CLEAR:
        renderer.draw(surface, game)
        walls.append(colour(surface, wall))
        blinky_seen.append(colour(surface, renderer._to_screen((b.x, b.y))) == (255, 0, 0))
        game.step()
    assert set(walls[:120]) == {WALL} and all(blinky_seen[:120])
    assert not any(blinky_seen[120:])
    whites = [c == (255, 255, 255) for c in walls]
    assert sum(1 for a, b in zip([False, *whites], whites, strict=False) if b and not a) == 4


def has(surface: pygame.Surface, rect: pygame.Rect, rgb: tuple[int, int, int]) -> bool:
    """Is any pixel of ``rect`` exactly ``rgb``?"""
    return any(
        colour(surface, (x, y)) == rgb
        for x in range(rect.left, rect.right)
        for y in range(rect.top, rect.bottom)
    )


def test_a_new_game_says_player_one_then_shows_the_actors() -> None:
    """shaunlebron/pacman src/states.js (newGameState): PLAYER ONE and READY! for 2 s with no
    actors, then READY! with them for 2 s more."""
    renderer = Renderer((800, 480), panel_width=320)
    surface = pygame.Surface((800, 480))
    t, (ox, oy) = renderer.tile, renderer.origin
    player_one_row = pygame.Rect(ox + 9 * t, oy + 11 * t, 10 * t, t)
    start = pygame.Rect(renderer._to_screen(PACMAN_START), (0, 0)).inflate(t, t)
    game = Game(seed=0)
    renderer.draw(surface, game)
    assert has(surface, player_one_row, (0, 255, 255)) and not has(surface, start, YELLOW)
    for _ in range(121):
        game.step()
    renderer.draw(surface, game)
    assert not has(surface, player_one_row, (0, 255, 255)) and has(surface, start, YELLOW)
    assert game.phase is Phase.READY


def test_1up_blinks() -> None:
    renderer = Renderer((800, 480), panel_width=320)
    surface = pygame.Surface((800, 480))
    t = renderer.tile
    label = pygame.Rect(renderer.game_rect.x + 3 * t, renderer.game_rect.y, 3 * t, t)
    game = playing(Game(seed=0))
    shown = []
    for _ in range(64):
        game.step()
        renderer.draw(surface, game)
        shown.append(has(surface, label, (255, 255, 255)))
    assert 20 < sum(shown) < 44 and shown.count(True) and shown.count(False)


def test_pacman_vanishes_in_the_unseen_tunnel() -> None:
    """The board is 32 columns (shaunlebron/pacman src/Map.js): in columns -2, -1, 28 and 29
    Pac-Man is off the screen, drawn neither over the maze's edge nor outside it."""
    renderer = Renderer((800, 480), panel_width=320)
    surface = pygame.Surface((800, 480))
    t, oy = renderer.tile, renderer.origin[1]
    game = playing(Game(seed=0))
    row = pygame.Rect(0, oy + 13 * t, 480, 3 * t)
    for x in (1, -2, 29):
        game.pacman.x, game.pacman.y = x * UNIT + HALF, 14 * UNIT + HALF
        renderer.draw(surface, game)
        assert has(surface, row, YELLOW) is (x == 1)


def test_death_freezes_then_the_ghosts_go_and_he_collapses() -> None:
    """shaunlebron/pacman src/states.js (deadState): 1 s frozen, 1 s without the ghosts, the
    collapse, then nothing until the next life."""
    renderer = Renderer((800, 480), panel_width=320)
    surface = pygame.Surface((800, 480))
    game = playing(Game(seed=0))
    game.pacman.pause = 10**6
    game.pacman.x, game.pacman.y = 6 * UNIT + HALF, 20 * UNIT + HALF
    b = game.blinky
    b.x, b.y = game.pacman.x, game.pacman.y
    game.step()
    assert game.phase is Phase.DYING
    t = renderer.tile
    around = pygame.Rect(renderer._to_screen((game.pacman.x, game.pacman.y)), (0, 0)).inflate(
        2 * t, 2 * t
    )
    seen = []
    while game.phase is Phase.DYING:
        renderer.draw(surface, game)
        yellow = sum(
            colour(surface, (x, y)) == YELLOW
            for x in range(around.left, around.right)
            for y in range(around.top, around.bottom)
        )
        seen.append((has(surface, around, (255, 0, 0)), yellow))
        game.step()
    assert len(seen) == 240  # 4 s
    assert all(red for red, _ in seen[:59]) and not any(red for red, _ in seen[61:])
    sizes = [yellow for _, yellow in seen[120:195]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 3 * sizes[-1]  # he shrinks
    assert all(yellow == 0 for _, yellow in seen[196:])


def test_arcade_font_is_pixels_a_tile_a_character() -> None:
    from edgepac.game.font import arcade_font

    font = arcade_font(13)
    assert font is arcade_font(13)  # drawn once, shared
    text = font.render("HIGH SCORE 1UP", False, (255, 255, 255))
    assert text.get_size() == font.size("HIGH SCORE 1UP") == (14 * 13, 13)
    colours = {tuple(text.get_at((x, y))) for x in range(text.get_width()) for y in range(13)}
    assert colours <= {(255, 255, 255, 255), (0, 0, 0, 0)}  # crisp: no antialiased greys
    assert len(colours) == 2
    assert font.render("hi", False, (1, 2, 3)).get_size() == (26, 13)
    with pytest.raises(ValueError, match="at least 6"):
        arcade_font(3)


def test_the_high_score_climbs_with_a_player_but_not_with_the_attract_autopilot() -> None:
    r = Renderer((800, 480))
    game = Game(seed=0)
    game.score = 900
    hud = pygame.Rect(r.game_rect.x + 9 * r.tile, r.game_rect.y + r.tile, 8 * r.tile, r.tile)

    def high_score_shown(best: int, score_counts: bool) -> bytes:  # the HUD's pixels
        surface = pygame.Surface((800, 480))
        r.high_score, r.score_counts = best, score_counts
        r.draw(surface, game)
        return pygame.surfarray.array3d(surface.subsurface(hud)).tobytes()

    shows_900 = high_score_shown(900, score_counts=False)
    assert high_score_shown(500, score_counts=True) == shows_900  # a player beat the record
    assert high_score_shown(500, score_counts=False) != shows_900  # the autopilot did not
