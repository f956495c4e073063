"""The last differences from the arcade (issue 10), each against its source.

Sources: The Pac-Man Dossier (J. Pittman), the ROM disassembly (addresses as in the commented
disassemblies shipped with shaunlebron/pacman, doc/disasm/) and shaunlebron/pacman's source, an
arcade-accurate remake.
"""

from __future__ import annotations

import pytest
from helpers import centre, playing

from edgepac.game.direction import Direction
from edgepac.game.game import Game, Phase
from edgepac.game.ghosts import Ghost, GhostState, random_exit
from edgepac.game.maze import HALF, HOUSE_EXIT, UNIT, Maze, in_tunnel

U, L, D, R = Direction.UP, Direction.LEFT, Direction.DOWN, Direction.RIGHT


def park(game: Game) -> None:
    """Pac-Man stands still in the bottom-left corner, out of everyone's way."""
    game.pacman.x, game.pacman.y = centre(1, 29)
    game.pacman.pause = 2


def put(ghost: Ghost, tile: tuple[int, int], heading: Direction) -> None:
    ghost.state = GhostState.ACTIVE
    ghost.x, ghost.y = centre(*tile)
    ghost.direction = ghost.plan = heading


# ----------------------------------------------------------------------------- 1. the house door
def _side_taken_on_leaving(game: Game, ghost: Ghost, ticks: int = 60 * 30) -> Direction:
    """Run with Pac-Man parked until ``ghost`` comes out; which way is it going 40 ticks later?"""
    for _ in range(ticks):
        park(game)
        was_out = ghost.state is GhostState.ACTIVE
        game.step()
        if ghost.state is GhostState.ACTIVE and not was_out:
            for _ in range(40):
                park(game)
                game.step()
            return R if ghost.x > HOUSE_EXIT[0] else L
    raise AssertionError(f"{ghost.name} never came out")


def test_a_ghost_inside_at_a_mode_change_leaves_to_the_right() -> None:
    """ROM 0x0E62: a mode change sets the reverse flag of all four ghosts (0x4DB1-0x4DB4), in
    the house or not; it is acted on at the first tile centre in the maze (0x1EFE), so a ghost
    that was inside leaves heading left and turns right (the Dossier: "...exit to the right")."""
    game = playing(Game(seed=0))
    # Pac-Man eats nothing: Inky is let out at 4 s (before the change to chase at 7 s), Clyde at
    # 8 s, after it.
    assert _side_taken_on_leaving(game, game.inky) is L
    assert game.mode == "scatter"
    assert _side_taken_on_leaving(game, game.clyde) is R
    assert game.mode == "chase"


def test_a_revived_ghost_leaves_right_after_a_mode_change_inside() -> None:
    """The same flag for eyes in the house (ROM 0x0E62): revived after a mode change, right."""
    sides = {}
    for change_while_inside in (False, True):
        game = playing(Game(seed=0))
        pinky = game.pinky
        put(pinky, (10, 11), R)
        pinky.state = GhostState.EYES
        while pinky.state is GhostState.EYES:
            park(game)
            game.step()
        assert pinky.state is GhostState.ENTERING
        if change_while_inside:
            game.mode_ticks = game.mode_bounds[0] - 1  # scatter ends on the next tick
        sides[change_while_inside] = _side_taken_on_leaving(game, pinky)
    assert sides == {False: L, True: R}


# ----------------------------------------------------------------------------- 2. the tunnel
def test_the_tunnel_runs_two_unseen_tiles_past_each_edge() -> None:
    """shaunlebron/pacman src/Map.js (parseTunnels: marginTiles = 2): the board is 32 columns
    wide, so Pac-Man is off the screen for a moment on his way through."""
    game = playing(Game(seed=0))
    for g in game.ghosts:
        g.state = GhostState.HOUSE
    pac = game.pacman
    pac.x, pac.y = centre(2, 14)
    pac.direction, pac.wish = L, L
    columns = []
    for _ in range(60):
        game.step()
        if not columns or columns[-1] != pac.tile[0]:
            columns.append(pac.tile[0])
    assert columns[:8] == [2, 1, 0, -1, -2, 29, 28, 27]
    assert Maze().is_open(-2, 14) and Maze().is_open(29, 14) and not Maze().is_open(-1, 13)


def test_ghosts_spend_a_third_longer_slowed_in_the_tunnel() -> None:
    """With 2 unseen tiles a side, the slow stretch is 8 tiles a side, not 6 (Dossier, Speed:
    ghosts slow in the tunnel; shaunlebron/pacman Map.isTunnelTile)."""
    game = playing(Game(seed=0))
    for g in game.ghosts[1:]:
        g.state = GhostState.HOUSE
        g.dots = -(10**6)  # nobody is let out meanwhile
    game.idle_limit = 10**6
    blinky = game.blinky
    put(blinky, (6, 14), L)
    slow = 0
    while blinky.tile != (21, 14):
        park(game)
        game.step()
        slow += in_tunnel(*blinky.tile)
    assert slow == pytest.approx(16 * UNIT / game.speed_ghost_tunnel, abs=2)  # 16 tiles, not 12


# ----------------------------------------------------------------------------- 3. reversals
def test_a_reversal_waits_for_the_next_tile_centre() -> None:
    """ROM 0x0E62 sets the flags; 0x1EFE acts on them only at a tile centre: a ghost ordered to
    reverse carries on into the next tile and turns there, not on the spot."""
    game = playing(Game(seed=0))
    blinky = game.blinky
    put(blinky, (20, 5), L)
    blinky.x -= 1000  # one pixel past the centre of (20, 5), heading left
    park(game)
    game.mode_ticks = game.mode_bounds[0] - 1
    game.step()
    assert game.mode == "chase"
    assert blinky.direction is L  # not on the spot
    path = []
    while blinky.direction is L:
        park(game)
        game.step()
        path.append(blinky.x)
    assert blinky.direction is R
    assert min(path) < 19 * UNIT + HALF + game.speed_ghost  # it reached the centre of (19, 5)
    assert blinky.tile == (19, 5)


# ----------------------------------------------------------------------------- 4. one tile ahead
def test_ghosts_decide_one_tile_ahead() -> None:
    """Dossier (Looking Ahead); ROM 0x1C19-0x1C33: entering a tile, a ghost fixes the exit it
    will take from the next one. Blinky, two tiles from the crossing (6, 5), plans with Pac-Man
    above it; Pac-Man then jumps below, too late to change that turn."""
    game = playing(Game(seed=0))
    game.mode_index = 1  # chase: Blinky aims at Pac-Man
    blinky = game.blinky
    put(blinky, (8, 5), L)
    pac = game.pacman
    pac.pause = 10**6
    pac.x, pac.y = centre(6, 1)
    while blinky.x > 7 * UNIT + HALF - 1:  # past the centre of (7, 5): the plan for (6, 5) is made
        game.step()
    assert blinky.plan is U
    pac.x, pac.y = centre(6, 29)
    while blinky.tile != (6, 5) or blinky.x > 6 * UNIT + HALF:
        game.step()
    game.step()
    assert blinky.direction is U  # the turn planned a tile before, though Pac-Man is now below


# ----------------------------------------------------------------------------- 5. blue ghosts
class Fixed:
    """A generator whose every pick is ``n`` (for a decision whose result is known)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def randrange(self, _: int) -> int:
        return self.n


def test_blue_ghosts_try_clockwise_from_the_random_pick() -> None:
    """ROM 0x291E-0x2953: the pick (0 right, 1 down, 2 left, 3 up) is tried, then the next code
    up, i.e. clockwise, skipping walls and the way back."""
    maze = Maze()
    # At the crossing (6, 5) heading right: a pick of "left" (the way back) goes on to up.
    assert random_exit(maze, (6, 5), R, Fixed(2)) is U  # (tie order would have said down)
    assert random_exit(maze, (6, 5), R, Fixed(1)) is D
    # At (1, 5) heading left (a wall ahead): a pick of "left" turns clockwise to up.
    assert random_exit(maze, (1, 5), L, Fixed(2)) is U
    assert random_exit(maze, (1, 5), L, Fixed(0)) is D  # right is back: then down


def _blue_blinky_path(game: Game, energizer: tuple[int, int]) -> list[tuple[int, int]]:
    """Blinky's path in the first 4 s after Pac-Man eats an energizer at once (the others held
    in the house so that only Blinky draws random turns)."""
    playing(game)
    path = []
    for t in range(240):
        for g in game.ghosts[1:]:
            g.state = GhostState.HOUSE
        game.pacman.x, game.pacman.y = centre(*energizer) if t == 0 else centre(1, 29)
        game.pacman.pause = 2 if t else 0
        game.step()
        path.append(game.blinky.tile)
    assert game.frightened
    return path


def test_blue_ghosts_repeat_their_turns_each_life() -> None:
    """Dossier (Frightening Behavior): the generator is reset with the same seed at every new
    level and life, so a pattern works in fright too. Here: a game that already had a fright
    and lost a life sees Blinky take the same blue path as on a fresh start."""
    fresh = _blue_blinky_path(Game(seed=4), (1, 3))
    game = Game(seed=4)
    _blue_blinky_path(game, (26, 23))  # a first fright draws from the generator
    while game.phase is not Phase.DYING:
        game.blinky.frightened = False
        game.blinky.state = GhostState.ACTIVE
        game.blinky.x, game.blinky.y = game.pacman.x, game.pacman.y
        game.step()
    while game.phase is Phase.DYING:
        game.step()
    again = _blue_blinky_path(game, (1, 3))
    assert game.lives == 2
    assert again == fresh
    assert len(set(fresh)) > 10  # it really went places


# ----------------------------------------------------------------------------- 6. sequences
def test_start_death_and_clear_take_the_arcades_time() -> None:
    """shaunlebron/pacman src/states.js: a new game shows PLAYER ONE 2 s then READY! 2 s (the
    jingle); a death freezes 1 s, hides the ghosts 1 s, collapses, and ends after 4 s; a
    cleared board freezes 2 s then flashes 4 times (12 ticks white, 12 blue)."""
    game = Game(seed=0)
    shown = []
    while game.phase is Phase.READY:
        shown.append(game.player_one)
        game.step()
    assert len(shown) == 240 and shown.index(False) == 120  # 4 s, PLAYER ONE for the first 2
    game.blinky.x, game.blinky.y = game.pacman.x, game.pacman.y
    game.step()
    assert game.phase is Phase.DYING
    stages, collapse_at, t = [], None, 0
    while game.phase is Phase.DYING:
        stages.append(game.death_stage()[0])
        game.step()
        t += 1
        if "collapse" in game.events:
            collapse_at = t
    assert len(stages) == 240 and collapse_at == 120
    assert [stages.count(s) for s in ("freeze", "alone", "collapse", "gone")] == [60, 60, 75, 45]
    ready = 0
    while game.phase is Phase.READY:
        assert not game.player_one
        game.step()
        ready += 1
    assert ready == 120  # a new life: READY! for 2 s
    for i in range(len(game.maze.food)):
        game.maze.food[i] = 0
    game.maze.food[23 * 28 + 12] = 1
    game.maze.left = 1
    game.pacman.x, game.pacman.y = centre(12, 23)
    game.step()
    assert game.phase is Phase.LEVEL_CLEAR
    whites = []
    while game.phase is Phase.LEVEL_CLEAR:
        whites.append(game.maze_white())
        game.step()
    assert len(whites) == 216 and not any(whites[:120])
    flashes = sum(1 for a, b in zip([False, *whites], whites, strict=False) if b and not a)
    assert flashes == 4


def test_the_sequences_keep_the_arcades_time_at_every_difficulty() -> None:
    """The kiosk plays slowed down ("easy"), but the start still lasts the jingle's 4 s and a
    death 4 s, in step with their sounds; play itself (the mode clock) is stretched."""
    game = Game(seed=0, difficulty="easy")
    ready = 0
    while game.phase is Phase.READY:
        game.step()
        ready += 1
    assert ready == 240 and game.mode_bounds[0] == round(7 * 60 / 0.75)
    game.blinky.x, game.blinky.y = game.pacman.x, game.pacman.y
    game.step()
    dying = 0
    while game.phase is Phase.DYING:
        game.step()
        dying += 1
    assert dying == 240


# ----------------------------------------------------------------------------- 9. speeds
def test_speeds_are_the_step_tables_figures() -> None:
    """Dossier (Speed) and the 16-tick step patterns (shaunlebron/pacman src/Actor.js): 100% is
    20 px in 16 ticks; level 1 Pac-Man (80%) moves exactly 1 px a tick, ghosts (75%) 15 in 16."""
    game = Game()
    assert game.speed_pacman == 1000  # units are 1/1000 px
    assert game.speed_ghost == 15 * 1000 // 16  # 937.5, to the unit below


def test_ghosts_walk_out_of_the_house_at_half_a_pixel_a_tick() -> None:
    """shaunlebron/pacman src/Ghost.js (getNumSteps): leaving or pacing in the house, a ghost
    takes the level-1 tunnel pattern (8 px in 16 ticks) at every level."""
    for level in (1, 5):
        game = playing(Game(seed=0, start_level=level))
        inky = game.inky
        inky.state = GhostState.LEAVING
        x0 = inky.x
        park(game)
        game.step()
        assert inky.x - x0 == 500


def test_eyes_run_home_at_two_pixels_a_tick_also_through_the_door() -> None:
    """shaunlebron/pacman src/Ghost.js (getNumSteps): eyes, going home and entering it, move 2
    px every tick (160%, the Dossier's "about 150-160%")."""
    game = playing(Game(seed=0))
    pinky = game.pinky
    put(pinky, (6, 5), L)
    pinky.state = GhostState.EYES
    park(game)
    x0 = pinky.x
    game.step()
    assert x0 - pinky.x == 2000
    pinky.state = GhostState.ENTERING
    pinky.x, pinky.y = HOUSE_EXIT
    y0 = pinky.y
    park(game)
    game.step()
    assert pinky.y - y0 == 2000
