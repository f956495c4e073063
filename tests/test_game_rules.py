"""The arcade's rules against the arcade's numbers: maze, targets, modes, scoring, house, turns."""

from __future__ import annotations

import copy

import pytest
from helpers import centre, playing

from edgepac.errors import EdgePacError
from edgepac.game.direction import Direction
from edgepac.game.game import Game, Phase
from edgepac.game.ghosts import GhostState, chase_target, choose_exit, random_exit
from edgepac.game.maze import (
    DOT,
    ENERGIZER,
    HALF,
    HEIGHT,
    SCATTER_TARGETS,
    UNIT,
    WIDTH,
    Maze,
)

U, L, D, R = Direction.UP, Direction.LEFT, Direction.DOWN, Direction.RIGHT


# ----------------------------------------------------------------------------- the maze
def test_maze_is_the_arcade_board() -> None:
    maze = Maze()
    assert (WIDTH, HEIGHT) == (28, 31)
    assert maze.count(DOT) == 240
    assert maze.count(ENERGIZER) == 4
    assert {(x, y) for y in range(HEIGHT) for x in range(WIDTH) if maze.food_at(x, y) == 2} == {
        (1, 3),
        (26, 3),
        (1, 23),
        (26, 23),
    }
    assert maze.door == [(13, 12), (14, 12)]
    assert not maze.is_open(13, 12)  # Pac-Man cannot go through the door
    assert not maze.is_open(13, 14)  # nor into the house
    assert maze.is_open(0, 14) and maze.is_open(27, 14) and maze.is_open(-1, 14)  # the tunnel


def test_tunnel_wraps_pacman_to_the_other_side() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    pac.x, pac.y = centre(1, 14)
    pac.direction, pac.wish = L, L
    for g in game.ghosts:
        g.state = GhostState.HOUSE  # keep them out of the way
    seen = set()
    for _ in range(60):
        game.step()
        seen.add(pac.tile)
    assert (0, 14) in seen and (27, 14) in seen and (26, 14) in seen
    assert pac.direction is L and pac.tile[1] == 14


def test_ghosts_slow_down_in_the_tunnel() -> None:
    game = playing(Game(seed=0))
    blinky = game.blinky
    blinky.x, blinky.y = centre(4, 14)
    blinky.direction = blinky.plan = L
    x0 = blinky.x
    game.pacman.pause = 10**6
    game.step()
    tunnel_step = x0 - blinky.x
    blinky.x, blinky.y = centre(1, 5)
    blinky.direction = blinky.plan = R
    x0 = blinky.x
    game.step()
    assert blinky.x - x0 == game.speed_ghost
    assert tunnel_step == game.speed_ghost_tunnel
    assert tunnel_step / game.speed_ghost == pytest.approx(40 / 75, abs=0.01)


# ----------------------------------------------------------------------------- targeting
def test_blinky_aims_at_pacman() -> None:
    assert chase_target("blinky", (10, 20), L, (3, 3), (3, 3)) == (10, 20)


@pytest.mark.parametrize(
    ("facing", "bug", "expected"),
    [
        (L, True, (6, 20)),
        (R, True, (14, 20)),
        (D, True, (10, 24)),
        (U, False, (10, 16)),
        (U, True, (6, 16)),  # the arcade's overflow: four up *and* four left
    ],
)
def test_pinky_aims_four_ahead(facing: Direction, bug: bool, expected: tuple[int, int]) -> None:
    assert chase_target("pinky", (10, 20), facing, (0, 0), (0, 0), arcade_bug=bug) == expected


def test_inky_doubles_the_vector_from_blinky() -> None:
    # Pac-Man at (10, 20) facing right: the pivot is (12, 20). Blinky at (6, 18) -> (18, 22).
    assert chase_target("inky", (10, 20), R, (6, 18), (0, 0)) == (18, 22)
    # Facing up, the arcade's pivot is 2 up and 2 left: (8, 18); from Blinky (8, 10) -> (8, 26).
    assert chase_target("inky", (10, 20), U, (8, 10), (0, 0)) == (8, 26)
    assert chase_target("inky", (10, 20), U, (8, 10), (0, 0), arcade_bug=False) == (12, 26)


def test_clyde_switches_at_eight_tiles() -> None:
    """The Dossier (Clyde): "eight tiles or more" from Pac-Man he chases; nearer, his corner."""
    pac = (10, 20)
    assert chase_target("clyde", pac, L, (0, 0), (10, 11)) == pac  # 9 away: chase
    assert chase_target("clyde", pac, L, (0, 0), (10, 12)) == pac  # exactly 8: chase
    assert chase_target("clyde", pac, L, (0, 0), (12, 27)) == SCATTER_TARGETS["clyde"]  # 7.3
    assert chase_target("clyde", pac, L, (0, 0), (15, 26)) == SCATTER_TARGETS["clyde"]  # 7.8
    assert chase_target("clyde", pac, L, (0, 0), (16, 26)) == pac  # 8.5
    assert SCATTER_TARGETS["clyde"][0] < 5 and SCATTER_TARGETS["clyde"][1] > 25  # bottom left


def test_scatter_corners() -> None:
    corners = {name: (x < 14, y < 15) for name, (x, y) in SCATTER_TARGETS.items()}
    assert corners == {
        "blinky": (False, True),  # top right
        "pinky": (True, True),  # top left
        "inky": (False, False),  # bottom right
        "clyde": (True, False),  # bottom left
    }


def test_intersection_choice_nearest_never_reverse_ties_up_left_down_right() -> None:
    maze = Maze()
    crossing = (6, 5)  # open on all four sides
    assert all(maze.exit_open(6, 5, d) for d in Direction)
    assert choose_exit(maze, crossing, R, (6, -20)) is U
    assert choose_exit(maze, crossing, R, (30, 5)) is R
    # Target straight behind: it may not reverse; up and down tie, up wins.
    assert choose_exit(maze, crossing, R, (-50, 5)) is U
    # Heading up with the target straight below: left and right tie, left wins.
    assert choose_exit(maze, crossing, U, (6, 60)) is L


def test_ghosts_may_not_turn_up_in_the_red_zones_unless_frightened() -> None:
    maze = Maze()
    assert choose_exit(maze, (12, 11), L, (12, -10)) is L
    assert choose_exit(maze, (12, 11), L, (12, -10), no_up_zones=False) is U


def test_frightened_turns_are_random_but_seeded() -> None:
    import random

    maze = Maze()
    picks = [random_exit(maze, (6, 5), R, random.Random(s)) for s in range(40)]
    assert set(picks) == {U, D, R}  # never back the way it came
    again = [random_exit(maze, (6, 5), R, random.Random(s)) for s in range(40)]
    assert picks == again


def test_elroy_speeds_blinky_up_and_chases_in_scatter() -> None:
    game = playing(Game(seed=0))
    assert game.mode == "scatter"
    assert game.target(game.blinky) == SCATTER_TARGETS["blinky"]
    food = game.maze.food
    eaten = 0
    for i in range(len(food)):
        if food[i] and game.maze.left > 20:
            food[i] = 0
            game.maze.left -= 1
            eaten += 1
    assert game.elroy() == 1
    assert game.target(game.blinky) == game.pacman.tile
    game.maze.left = 10
    assert game.elroy() == 2
    assert game.speed_elroy == (game._speed(80), game._speed(85))


# ----------------------------------------------------------------------------- modes
def test_level_one_schedule_in_ticks() -> None:
    game = Game(seed=0)
    seconds = [7, 20, 7, 20, 5, 20, 5]
    bounds = [60 * sum(seconds[: i + 1]) for i in range(len(seconds))]
    assert game.mode_bounds == bounds
    assert Game(start_level=5).mode_bounds[0] == 5 * 60


def reversals(game: Game, before: dict[str, Direction]) -> dict[str, bool]:
    """For each ghost that was in the maze heading ``before``: is its next change of direction,
    within a tile's travel, a reversal? (The game is copied: the caller's goes on untouched.)"""
    game = copy.deepcopy(game)
    turned: dict[str, bool] = {}
    for _ in range(UNIT // game.speed_ghost_tunnel + 2):
        for g in game.ghosts:
            if g.name in before and g.name not in turned and g.direction is not before[g.name]:
                turned[g.name] = g.direction is before[g.name].opposite
        game.pacman.pause = 2
        game.step()
    return turned


def _mode_change_tick(game: Game, energizer_at: int | None = None) -> tuple[int, dict]:
    """Step with Pac-Man parked until scatter turns to chase; returns the tick and reversals."""
    for t in range(1, 60 * 30):
        game.pacman.x, game.pacman.y = centre(1, 29)  # parked in a corner, harmless
        game.pacman.pause = 2
        if t == energizer_at:
            game.pacman.x, game.pacman.y = centre(26, 23)
            game.pacman.pause = 0
        before = {g.name: g.direction for g in game.ghosts if g.state is GhostState.ACTIVE}
        game.step()
        if game.mode == "chase":
            return t, reversals(game, before)
    raise AssertionError("no change to chase")


def test_scatter_turns_to_chase_after_7s_and_every_ghost_reverses() -> None:
    t, flipped = _mode_change_tick(playing(Game(seed=0)))
    assert t == 7 * 60
    assert flipped and all(flipped.values()) and len(flipped) == 3  # Inky left at 4 s


def test_fright_stops_the_mode_clock() -> None:
    t, _ = _mode_change_tick(playing(Game(seed=0)), energizer_at=100)
    assert t == 7 * 60 + 6 * 60


def test_energizer_frightens_reverses_and_flashes() -> None:
    game = playing(Game(seed=0))
    game.pacman.pause = 10**6
    game.step()
    headings = {g.name: g.direction for g in game.ghosts if g.state is GhostState.ACTIVE}
    pac = game.pacman
    pac.x, pac.y = centre(1, 23)  # the energizer bottom left
    score = game.score
    game.step()
    assert game.score - score == 50
    assert game.frightened and game.fright_left == 6 * 60 - 1  # this tick counted already
    assert all(g.frightened for g in game.ghosts)
    assert reversals(game, headings) == dict.fromkeys(headings, True)
    whites = []
    while game.frightened:
        whites.append(game.fright_white())
        game.step()
    assert len(whites) == 6 * 60 - 1
    assert not any(whites[: -5 * 28])  # steady blue at first
    assert sum(whites[-5 * 28 :]) == 5 * 14  # then five white flashes
    assert not game.frightened and not any(g.frightened for g in game.ghosts)
    assert Game(start_level=2).fright_ticks == 5 * 60  # shorter on later levels
    assert Game(start_level=19).fright_ticks == 0


def test_successive_ghosts_score_200_400_800_1600() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    pac.x, pac.y = centre(1, 23)
    pac.pause = 0
    game.step()  # eats the energizer
    pac.pause = 10**6
    gains = []
    for g in game.ghosts:
        g.state, g.frightened = GhostState.ACTIVE, True
        g.x, g.y = pac.x, pac.y
        score = game.score
        game.step()
        gains.append(game.score - score)
        assert g.state is GhostState.EYES and game.phase is Phase.GHOST_EATEN
        while game.phase is not Phase.PLAYING:
            game.step()
        g.x, g.y = centre(26, 1)  # out of the way
    assert gains == [200, 400, 800, 1600]


def test_eaten_ghost_returns_as_eyes_and_revives() -> None:
    game = playing(Game(seed=0))
    game.pacman.pause = 10**6
    pinky = game.pinky
    pinky.state, pinky.direction = GhostState.EYES, L
    pinky.x, pinky.y = centre(6, 5)
    states = set()
    for _ in range(60 * 10):
        game.step()
        states.add(pinky.state)
        if pinky.state is GhostState.ACTIVE:
            break
    assert {GhostState.ENTERING, GhostState.LEAVING, GhostState.ACTIVE} <= states
    assert not pinky.frightened


# ----------------------------------------------------------------------------- the house
def test_house_releases_pinky_then_inky_at_30_then_clyde_at_60() -> None:
    game = playing(Game(seed=0))
    dots = [
        (x, y)
        for y in (29, 26, 20, 8, 5, 1)
        for x in range(1, 27)
        if game.maze.food_at(x, y) == DOT
    ]
    released = {}
    game.step()
    assert game.pinky.state is not GhostState.HOUSE  # at once on level 1
    for n, (x, y) in enumerate(dots[:95], start=1):
        game.pacman.x, game.pacman.y = centre(x, y)
        for g in game.ghosts:  # ghosts pass through harmlessly for this test
            if g.state is GhostState.ACTIVE:
                g.x, g.y = centre(26, 1) if g.tile == (x, y) else (g.x, g.y)
        game.step()
        assert game.phase is Phase.PLAYING
        for g in (game.inky, game.clyde):
            if g.state is not GhostState.HOUSE:
                released.setdefault(g.name, n)
    # Only the next ghost out counts dots: Clyde's 60 start once Inky has gone.
    assert released == {"inky": 30, "clyde": 30 + 60}


def test_idle_timer_releases_ghosts_when_pacman_stops_eating() -> None:
    game = playing(Game(seed=0))
    game.pacman.pause = 10**6
    out = {}
    for t in range(1, 600):
        game.step()
        for g in game.ghosts[1:]:
            if g.state is not GhostState.HOUSE:
                out.setdefault(g.name, t)
    assert out["pinky"] == 1
    assert out["inky"] == 4 * 60
    assert out["clyde"] == 8 * 60


# ----------------------------------------------------------------------------- Pac-Man
def test_buffered_turn_waits_for_the_opening_and_pre_turns() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    for g in game.ghosts:
        g.state = GhostState.HOUSE
    assert pac.tile == (14, 23) and pac.direction is L
    game.step(U)  # up is a wall at (14, 23) and (13, 23): keep going left, remember the wish
    turned_at = None
    for _ in range(120):
        game.step(None)
        if pac.direction is U and turned_at is None:
            turned_at = (pac.tile, pac.x)
    assert turned_at is not None
    tile, x = turned_at
    assert tile == (12, 23)
    assert x > 12 * UNIT + HALF  # turned before reaching the centre: cut the corner
    assert pac.x == 12 * UNIT + HALF  # and ended up on the centre line going up
    assert pac.tile[1] < 23


def test_pacman_stops_at_a_wall() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    for g in game.ghosts:
        g.state = GhostState.HOUSE
    for _ in range(400):
        game.step()
    assert pac.tile == (6, 23) and not pac.moving
    assert (pac.x, pac.y) == centre(6, 23)
    game.step(U)
    game.step()
    assert pac.moving and pac.direction is U


def test_reverse_is_immediate() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    game.step()
    x = pac.x
    game.step(R)
    assert pac.direction is R and pac.x > x


# ----------------------------------------------------------------------------- scoring, lives
def test_dots_energizers_fruit_and_extra_life() -> None:
    game = playing(Game(seed=0))
    for g in game.ghosts:
        g.state = GhostState.HOUSE
    pac = game.pacman
    pac.pause = 0
    pac.x, pac.y = centre(1, 1)
    score = game.score
    game.step()
    assert game.score - score == 10
    # Fruit: after 70 dots a cherry worth 100 on level 1.
    game.maze.left = game.maze.total - 69
    pac.x, pac.y = centre(2, 1)
    game.step()
    assert "fruit_shown" in game.events and game.fruit_left >= 9 * 60
    pac.x, pac.y = centre(13, 17)
    score = game.score
    game.step()
    assert game.score - score == 100 and "fruit" in game.events
    assert Game(start_level=2).spec.fruit_points == 300
    assert Game(start_level=13).spec.fruit == "key"
    # One extra life at 10,000.
    lives = game.lives
    game.score = 9995
    pac.x, pac.y = centre(3, 1)
    game.step()
    assert game.lives == lives + 1 and "extra_life" in game.events
    game.score = 19995
    pac.x, pac.y = centre(4, 1)
    game.step()
    assert game.lives == lives + 1


def test_three_lives_then_game_over() -> None:
    game = playing(Game(seed=0))
    assert game.lives == 3
    deaths = 0
    for _ in range(60 * 60):
        if game.game_over:
            break
        if game.phase is Phase.PLAYING:
            game.blinky.x, game.blinky.y = game.pacman.x, game.pacman.y
        game.step()
        deaths += "death" in game.events
    assert game.game_over and deaths == 3 and game.lives == 0


def test_clearing_the_board_starts_a_faster_level() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    for i in range(len(game.maze.food)):
        game.maze.food[i] = 0
    game.maze.food[1 * WIDTH + 1] = DOT
    game.maze.left = 1
    pac.x, pac.y = centre(1, 1)
    game.step()
    assert game.phase is Phase.LEVEL_CLEAR and game.levels_cleared == 1
    for _ in range(216):  # 2 s frozen, 4 flashes of 24 ticks
        game.step()
    assert game.level == 2 and game.maze.left == 244
    assert game.speed_pacman > Game().speed_pacman
    assert game.speed_ghost > Game().speed_ghost


def test_difficulty_slows_everything_evenly() -> None:
    easy, normal = Game(difficulty="easy"), Game()
    assert easy.speed_pacman == pytest.approx(0.75 * normal.speed_pacman, abs=1)
    assert easy.mode_bounds[0] == round(normal.mode_bounds[0] / 0.75)
    with pytest.raises(EdgePacError, match="difficulty"):
        Game(difficulty="insane")


def test_same_seed_same_game() -> None:
    moves = [U, L, D, R, None, None, L, U] * 200

    def run(seed: int) -> tuple:
        game = Game(seed=seed)
        for m in moves:
            game.step(m)
        return game.score, game.pacman.tile, [(g.x, g.y, g.state) for g in game.ghosts]

    assert run(3) == run(3)


def _die(game: Game) -> None:
    while game.phase is not Phase.DYING:
        game.blinky.state = GhostState.ACTIVE
        game.blinky.frightened = False
        game.blinky.x, game.blinky.y = game.pacman.x, game.pacman.y
        game.step()
    while game.phase is not Phase.PLAYING:
        game.step()


def test_after_a_death_the_house_uses_one_counter_7_17_then_32_hands_back() -> None:
    """Dossier (Home Sweet Home); ROM 0x20BB-0x20C8: the shared counter lets Pinky out at 7 and
    Inky at 17; at 32 with Clyde inside it only switches back to the personal counters."""
    game = playing(Game(seed=0))
    _die(game)
    assert game.lives == 2 and game.global_dots == 0
    dots = [
        (x, y)
        for y in (29, 26, 20, 8, 5, 1)
        for x in range(1, 27)
        if game.maze.food_at(x, y) == DOT
    ]
    out = {}
    shared_off = None
    for n, (x, y) in enumerate(dots[:45], start=1):
        game.pacman.x, game.pacman.y = centre(x, y)
        for g in game.ghosts:
            if g.state is GhostState.ACTIVE and g.tile == (x, y):
                g.x, g.y = centre(26, 1)
        game.step()
        for g in game.ghosts[1:]:
            if g.state is not GhostState.HOUSE:
                out.setdefault(g.name, n)
        if game.global_dots is None and shared_off is None:
            shared_off = n
    assert out == {"pinky": 7, "inky": 17}  # Clyde is still in at 45 dots
    assert shared_off == 32
    assert game.clyde.dots == 45 - 32  # his own counter (60 on level 1) runs again


def test_elroy_waits_for_clyde_after_a_death() -> None:
    game = playing(Game(seed=0))
    game.maze.left = 15
    assert game.elroy() == 1
    _die(game)
    assert game.clyde.state is GhostState.HOUSE and game.elroy() == 0
    game.clyde.state = GhostState.LEAVING
    assert game.elroy() == 1


def test_during_the_points_freeze_only_earlier_eyes_move() -> None:
    game = playing(Game(seed=0))
    pac = game.pacman
    pac.x, pac.y = centre(1, 23)
    game.step()  # the energizer
    pac.pause = 10**6
    first, second = game.pinky, game.inky
    for g in (first, second):
        g.state, g.frightened = GhostState.ACTIVE, True
    first.x, first.y = pac.x, pac.y
    first.direction = R
    game.step()
    assert first.state is GhostState.EYES
    while game.phase is not Phase.PLAYING:
        game.step()
    second.x, second.y = pac.x, pac.y
    game.step()
    assert game.phase is Phase.GHOST_EATEN
    before = [(g.x, g.y) for g in game.ghosts]
    game.step()
    after = [(g.x, g.y) for g in game.ghosts]
    moved = {g.name for g, b, a in zip(game.ghosts, before, after, strict=True) if b != a}
    assert moved == {"pinky"}
