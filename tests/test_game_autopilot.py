"""Attract mode: the autopilot clears level 1 by itself, the same way every time for a seed."""

from __future__ import annotations

import pytest

from edgepac.game.controllers import Autopilot, Controller
from edgepac.game.game import Game


def play_level_one(seed: int) -> Game:
    game, pilot = Game(seed=seed), Autopilot()
    while not game.game_over and game.levels_cleared == 0 and game.ticks < 60 * 60 * 3:
        game.step(pilot.request(game))
    return game


@pytest.mark.slow
def test_autopilot_clears_level_one_and_replays_exactly() -> None:
    first = play_level_one(seed=0)
    assert first.levels_cleared == 1 and not first.game_over
    assert first.score >= 2600  # every dot and energizer, at least
    again = play_level_one(seed=0)
    assert (again.score, again.ticks, again.lives) == (first.score, first.ticks, first.lives)


def test_autopilot_eats_blue_ghosts() -> None:
    game, pilot = Game(seed=1), Autopilot()
    eaten = 0
    while not game.game_over and game.levels_cleared == 0:
        game.step(pilot.request(game))
        eaten += "ghost" in game.events
    assert eaten >= 2


def test_autopilot_is_a_controller() -> None:
    assert isinstance(Autopilot(), Controller)
    with pytest.raises(ValueError, match="margin"):
        Autopilot(margin=-1)
