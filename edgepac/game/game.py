"""The rules of Pac-Man, stepped one tick (1/60 s) at a time; pure and deterministic for a seed.

    game = Game(seed=0)
    while not game.game_over:
        game.step(controller.request(game))   # Direction or None ("keep going")

Nothing here draws, plays sound or reads the clock; ``game.events`` lists what happened in the
last tick ("dot", "energizer", "ghost", "fruit", "death", "extra_life", "level_clear", ...) for
the renderer and the sound to react to.
"""

from __future__ import annotations

import random
from enum import Enum

from edgepac.game.direction import Direction
from edgepac.game.ghosts import (
    EYES_TARGET,
    NAMES,
    Ghost,
    GhostState,
    chase_target,
    choose_exit,
    random_exit,
)
from edgepac.game.levels import FULL_SPEED, TICKS_PER_SECOND, Level, difficulty_factor, level
from edgepac.game.maze import (
    DOT,
    ENERGIZER,
    FRUIT_TILES,
    SCATTER_TARGETS,
    Maze,
    in_tunnel,
)
from edgepac.game.pacman import PacMan

START_LIVES = 3
EXTRA_LIFE_AT = 10_000
DOT_POINTS, ENERGIZER_POINTS = 10, 50
GHOST_POINTS = (200, 400, 800, 1600)
FRUIT_AT_DOTS = (70, 170)
# After a death the house uses one shared dot counter: Pinky out at 7, Inky at 17; at 32 with
# Clyde still inside it only hands back to the personal counters (Dossier; ROM 0x20BB-0x20C8).
GLOBAL_RELEASE = {"pinky": 7, "inky": 17}
GLOBAL_OFF_AT = 32
FLASH_TICKS = 14  # half a flash: 14 ticks white, 14 blue
# Eyes move 2 whole pixels every tick (160% of 1.25 px); in the house ghosts walk 0.5 px a tick
# (40%: the level-1 tunnel pattern at every level, shaunlebron/pacman Ghost.getNumSteps).
EYES_SPEED, HOUSE_SPEED = 160, 40  # % of full speed

# The sequences around play, in seconds (the arcade's, as timed in shaunlebron/pacman's states):
START_S = 4.0  # a new game: "PLAYER ONE" and READY! for 2 s, then the actors with READY! for 2 s
PLAYER_ONE_S = 2.0
READY_S = 2.0  # a new life or level: READY! for 2 s
# A death: 1 s frozen, 1 s with the ghosts gone, the 1.25 s collapse, then 0.75 s of empty maze.
DEATH_FREEZE_S, DEATH_ALONE_S, DEATH_COLLAPSE_S, DEATH_S = 1.0, 1.0, 1.25, 4.0
# A cleared board: 2 s frozen, then the maze flashes white 4 times (12 ticks white, 12 blue).
CLEAR_FREEZE_S, CLEAR_FLASHES, CLEAR_FLASH_TICKS = 2.0, 4, 12


def _seq(seconds: float) -> int:
    """A start, death or clear sequence's length in ticks (not stretched by the difficulty)."""
    return round(seconds * TICKS_PER_SECOND)


class Phase(Enum):
    READY = "ready"  # READY! shown, nothing moves
    PLAYING = "playing"
    GHOST_EATEN = "ghost_eaten"  # a short freeze showing the points
    DYING = "dying"
    LEVEL_CLEAR = "level_clear"  # the maze flashes
    GAME_OVER = "game_over"


class Game:
    """One game of Pac-Man. ``difficulty`` slows the whole arcade evenly (see levels.py)."""

    def __init__(
        self,
        seed: int = 0,
        difficulty: str = "normal",
        start_level: int = 1,
        arcade_bug: bool = True,
    ) -> None:
        self.seed = seed
        self.difficulty = difficulty
        self.factor = difficulty_factor(difficulty)
        self.arcade_bug = arcade_bug
        self.rng = random.Random(seed)
        self.maze = Maze()
        self.pacman = PacMan()
        self.ghosts = [Ghost(name) for name in NAMES]
        self.blinky, self.pinky, self.inky, self.clyde = self.ghosts
        self.score = 0
        self.lives = START_LIVES
        self.extra_life_given = False
        self.ticks = 0
        self.levels_cleared = 0
        self.events: list[str] = []
        self.phase = Phase.READY
        self.phase_ticks = 0  # ticks spent in the present phase
        self.elroy_suspended = False  # after a death, until Clyde is out again
        self._start_level(start_level)
        self.phase_left = _seq(START_S)  # a new game's READY! lasts the whole jingle

    # ----------------------------------------------------------------- public state
    @property
    def game_over(self) -> bool:
        return self.phase is Phase.GAME_OVER

    @property
    def mode(self) -> str:
        """'scatter' or 'chase' (the schedule; frightened ghosts are flagged one by one)."""
        return "chase" if self.mode_index % 2 else "scatter"

    @property
    def frightened(self) -> bool:
        return self.fright_left > 0

    def fright_white(self) -> bool:
        """Are the blue ghosts showing white this tick (flashing as fright runs out)?"""
        if not self.frightened or self.fright_left > self.flash_ticks:
            return False
        return (self.fright_left // FLASH_TICKS) % 2 == 1

    @property
    def player_one(self) -> bool:
        """The first 2 s of a new game: "PLAYER ONE" shows and the actors are not on the board."""
        return self.phase is Phase.READY and self.ticks < _seq(PLAYER_ONE_S)

    def death_stage(self) -> tuple[str, float]:
        """While dying: "freeze", "alone" (the ghosts gone), "collapse" or "gone", and how far
        into the collapse (0..1)."""
        t = self.phase_ticks
        freeze = _seq(DEATH_FREEZE_S)
        alone = freeze + _seq(DEATH_ALONE_S)
        collapse = _seq(DEATH_COLLAPSE_S)
        if t < freeze:
            return "freeze", 0.0
        if t < alone:
            return "alone", 0.0
        if t < alone + collapse:
            return "collapse", (t - alone) / collapse
        return "gone", 1.0

    def level_clear_flashing(self) -> bool:
        """Past the 2 s freeze of a cleared board: the ghosts are gone, the maze flashes."""
        return self.phase is Phase.LEVEL_CLEAR and self.phase_ticks >= _seq(CLEAR_FREEZE_S)

    def maze_white(self) -> bool:
        """Is the cleared maze showing white this tick (the 4 flashes after a 2 s freeze)?"""
        if self.phase is not Phase.LEVEL_CLEAR:
            return False
        t = self.phase_ticks - _seq(CLEAR_FREEZE_S)
        return t >= 0 and (t // CLEAR_FLASH_TICKS) % 2 == 0

    @property
    def dots_eaten(self) -> int:
        return self.maze.total - self.maze.left

    # ----------------------------------------------------------------- set-up
    def _ticks(self, seconds: float) -> int:
        """A duration in ticks; slower difficulties stretch time as they slow movement."""
        return max(1, round(seconds * TICKS_PER_SECOND / self.factor)) if seconds else 0

    def _speed(self, percent: int) -> int:
        return int(FULL_SPEED * percent * self.factor) // 100

    def _start_level(self, n: int) -> None:
        self.level = n
        self.spec: Level = level(n)
        s = self.spec
        self.maze.reset()
        self.speed_pacman = self._speed(s.pacman)
        self.speed_pacman_fright = self._speed(s.pacman_fright)
        self.speed_ghost = self._speed(s.ghost)
        self.speed_ghost_fright = self._speed(s.ghost_fright)
        self.speed_ghost_tunnel = self._speed(s.ghost_tunnel)
        self.speed_elroy = (self._speed(s.elroy[0][1]), self._speed(s.elroy[1][1]))
        self.speed_eyes = self._speed(EYES_SPEED)
        self.speed_house = self._speed(HOUSE_SPEED)
        # Mode changes at these tick counts: scatter until the first, chase until the second...
        bounds, t = [], 0
        for seconds in s.schedule:
            t += self._ticks(seconds)
            bounds.append(t)
        self.mode_bounds = bounds
        self.fright_ticks = self._ticks(s.fright_s)
        self.flash_ticks = 2 * FLASH_TICKS * s.flashes
        self.idle_limit = self._ticks(s.idle_release_s)
        for g in self.ghosts:
            g.dots = 0
        self.global_dots: int | None = None  # the shared counter after a death
        self.fruit_left = 0  # ticks the fruit stays on show (0: none)
        self.fruit_points_left = 0  # ticks the eaten fruit's points stay on show
        self._start_life()

    def _start_life(self) -> None:
        # The frightened ghosts' generator starts again each level and life, as the ROM's does
        # (0x2A23's state is zeroed): a pattern that worked once works again.
        self.fright_rng = random.Random(self.seed)
        self.pacman.reset()
        for g in self.ghosts:
            g.reset()
        self.mode_index = 0
        self.mode_ticks = 0
        self.fright_left = 0
        self.ghosts_eaten = 0  # since the last energizer
        self.idle = 0  # ticks since Pac-Man last ate
        self.fruit_left = 0
        self._set_phase(Phase.READY, READY_S)

    def _set_phase(self, phase: Phase, seconds: float) -> None:
        self.phase = phase
        # The start, death and clear sequences keep the arcade's time at every difficulty (the
        # jingle and the death sound go with them); the points freeze is play, and stretches.
        self.phase_left = self._ticks(seconds) if phase is Phase.GHOST_EATEN else _seq(seconds)
        self.phase_ticks = 0

    # ----------------------------------------------------------------- the tick
    def step(self, request: Direction | None = None) -> None:
        """Advance one tick. ``request`` is the player's direction (None: no new request)."""
        self.events.clear()
        self.ticks += 1
        if request is not None:
            self.pacman.wish = request
        if self.fruit_points_left:
            self.fruit_points_left -= 1
        phase = self.phase
        self.phase_ticks += 1
        if phase is Phase.PLAYING:
            self._play()
            return
        if phase is Phase.GAME_OVER:
            return
        if phase is Phase.DYING and self.phase_ticks == _seq(DEATH_FREEZE_S + DEATH_ALONE_S):
            self.events.append("collapse")  # the shrinking and its sound start now
        if phase is Phase.GHOST_EATEN:
            # The points show and everyone waits, except eyes already on their way home.
            for g in self.ghosts:
                if g.state in (GhostState.EYES, GhostState.ENTERING) and not g.points_shown:
                    self._move_ghost(g)
        self.phase_left -= 1
        if self.phase_left > 0:
            return
        if phase is Phase.READY or phase is Phase.GHOST_EATEN:
            self.phase = Phase.PLAYING
            self.phase_ticks = 0
            for g in self.ghosts:
                g.points_shown = 0
        elif phase is Phase.DYING:
            self.lives -= 1
            if self.lives <= 0:
                self.phase = Phase.GAME_OVER
                self.events.append("game_over")
            else:
                self._start_life()
                self.global_dots = 0
                self.elroy_suspended = True
        elif phase is Phase.LEVEL_CLEAR:
            self._start_level(self.level + 1)
            self.events.append("level_start")

    def _play(self) -> None:
        pac = self.pacman
        if pac.pause:
            pac.pause -= 1
        else:
            pac.advance(
                self.maze, self.speed_pacman_fright if self.frightened else self.speed_pacman
            )
        self._eat()
        if self.phase is not Phase.PLAYING:
            return
        self._fruit()
        self._modes()
        self._release()
        for g in self.ghosts:
            self._move_ghost(g)
        self._collide()

    # ----------------------------------------------------------------- eating
    def _add(self, points: int) -> None:
        self.score += points
        if not self.extra_life_given and self.score >= EXTRA_LIFE_AT:
            self.extra_life_given = True
            self.lives += 1
            self.events.append("extra_life")

    def _eat(self) -> None:
        what = self.maze.eat(*self.pacman.tile)
        if not what:
            self.idle += 1
            return
        self.idle = 0
        if what == DOT:
            self._add(DOT_POINTS)
            self.pacman.pause = 1
            self.events.append("dot")
        elif what == ENERGIZER:
            self._add(ENERGIZER_POINTS)
            self.pacman.pause = 3
            self.events.append("energizer")
            self._frighten()
        self._count_dot()
        if self.dots_eaten in FRUIT_AT_DOTS:
            # The arcade leaves it out for between 9 1/3 and 10 seconds.
            self.fruit_left = self.rng.randint(self._ticks(9 + 1 / 3), self._ticks(10))
            self.events.append("fruit_shown")
        if self.maze.left == 0:
            flashes = 2 * CLEAR_FLASHES * CLEAR_FLASH_TICKS
            self._set_phase(Phase.LEVEL_CLEAR, CLEAR_FREEZE_S)
            self.phase_left += flashes
            self.levels_cleared += 1
            self.events.append("level_clear")

    def _fruit(self) -> None:
        if not self.fruit_left:
            return
        if self.pacman.tile in FRUIT_TILES:
            self.fruit_left = 0
            self._add(self.spec.fruit_points)
            self.fruit_points_left = self._ticks(2.0)
            self.events.append("fruit")
        else:
            self.fruit_left -= 1

    # ----------------------------------------------------------------- modes
    def _frighten(self) -> None:
        self.ghosts_eaten = 0
        for g in self.ghosts:
            g.reverse()  # every ghost in the maze turns round, blue or not
        if not self.fright_ticks:
            return  # late levels: the ghosts only reverse
        self.fright_left = self.fright_ticks
        for g in self.ghosts:
            if g.state not in (GhostState.EYES, GhostState.ENTERING):
                g.frightened = True

    def _modes(self) -> None:
        if self.fright_left:
            self.fright_left -= 1  # the scatter/chase clock stands still meanwhile
            if not self.fright_left:
                for g in self.ghosts:
                    g.frightened = False
                self.events.append("fright_end")
            return
        if self.mode_index >= len(self.mode_bounds):
            return  # chase for ever
        self.mode_ticks += 1
        if self.mode_ticks >= self.mode_bounds[self.mode_index]:
            self.mode_index += 1
            for g in self.ghosts:
                g.reverse()
            self.events.append("mode_" + self.mode)

    # ----------------------------------------------------------------- the house
    def _in_house(self) -> Ghost | None:
        """The ghost next out: the first of Pinky, Inky, Clyde still waiting inside."""
        for g in (self.pinky, self.inky, self.clyde):
            if g.state is GhostState.HOUSE:
                return g
        return None

    def _count_dot(self) -> None:
        if self.global_dots is not None:
            self.global_dots += 1
            return
        g = self._in_house()
        if g is not None:
            g.dots += 1

    def _release(self) -> None:
        g = self._in_house()
        if g is None:
            return
        if self.global_dots is not None:
            if g is self.clyde:
                if self.global_dots >= GLOBAL_OFF_AT:
                    self.global_dots = None  # back to the personal counters; Clyde stays in
            elif self.global_dots >= GLOBAL_RELEASE[g.name]:
                self._let_out(g)
        elif g.dots >= self.spec.dot_limits[g.name]:
            self._let_out(g)
        if self.idle >= self.idle_limit:
            # Pac-Man has stopped eating: send the next ghost out anyway.
            self.idle = 0
            g = self._in_house()
            if g is not None:
                self._let_out(g)

    def _let_out(self, g: Ghost) -> None:
        g.state = GhostState.LEAVING
        self.events.append("release_" + g.name)

    # ----------------------------------------------------------------- ghosts moving
    def elroy(self) -> int:
        """Blinky's "Cruise Elroy" gear: 0, 1 or 2 (faster as the dots run out)."""
        if self.elroy_suspended:
            if self.clyde.state is GhostState.HOUSE:
                return 0
            self.elroy_suspended = False
        left = self.maze.left
        (d1, _), (d2, _) = self.spec.elroy
        return 2 if left <= d2 else 1 if left <= d1 else 0

    def _move_ghost(self, g: Ghost) -> None:
        state = g.state
        if state is GhostState.ACTIVE:
            tile = g.tile
            if in_tunnel(*tile):
                speed = self.speed_ghost_tunnel
            elif g.frightened:
                speed = self.speed_ghost_fright
            elif g is self.blinky and (gear := self.elroy()):
                speed = self.speed_elroy[gear - 1]
            else:
                speed = self.speed_ghost
            g.advance_maze(self.maze, speed, self._choose)
        elif state is GhostState.EYES:
            g.advance_maze(self.maze, self.speed_eyes, self._choose)
        elif state is GhostState.ENTERING:
            g.advance_house(self.speed_eyes)  # eyes go in at their own speed
        else:
            g.advance_house(self.speed_house)

    def _choose(self, g: Ghost, tile: tuple[int, int], heading: Direction) -> Direction:
        if g.state is GhostState.EYES:
            return choose_exit(self.maze, tile, heading, EYES_TARGET, no_up_zones=False)
        if g.frightened:
            return random_exit(self.maze, tile, heading, self.fright_rng)
        return choose_exit(self.maze, tile, heading, self.target(g))

    def target(self, g: Ghost) -> tuple[int, int]:
        """The tile ghost ``g`` is heading for now (scatter corner or its chase target)."""
        if g.state is GhostState.EYES:
            return EYES_TARGET
        elroy_chases = g is self.blinky and self.elroy() > 0
        if self.mode == "scatter" and not elroy_chases:
            return SCATTER_TARGETS[g.name]
        pac = self.pacman
        return chase_target(
            g.name, pac.tile, pac.direction, self.blinky.tile, g.tile, self.arcade_bug
        )

    # ----------------------------------------------------------------- collisions
    def _collide(self) -> None:
        pac_tile = self.pacman.tile
        for g in self.ghosts:
            if g.state is not GhostState.ACTIVE or g.tile != pac_tile:
                continue
            if g.frightened:
                points = GHOST_POINTS[min(self.ghosts_eaten, 3)]
                self.ghosts_eaten += 1
                self._add(points)
                g.frightened = False
                g.state = GhostState.EYES
                g.points_shown = points
                self.events.append("ghost")
                self._set_phase(Phase.GHOST_EATEN, 1.0)
            else:
                self._set_phase(Phase.DYING, DEATH_S)
                self.fruit_left = 0
                self.events.append("death")
                return
