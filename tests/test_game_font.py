"""The arcade pixel font: what the screens say must print, not vanish into spaces."""

from __future__ import annotations

import string

import pygame
import pytest

from edgepac.game.font import arcade_font

# Characters no message of ours uses; they print as a space.
UNUSED = set("`^{|}\\")


@pytest.fixture(scope="module", autouse=True)
def _pygame() -> None:
    pygame.display.init()


def lit(surface: pygame.Surface) -> int:
    return int((pygame.surfarray.pixels_alpha(surface) > 0).sum())


def test_every_character_a_message_can_hold_prints_something() -> None:
    font = arcade_font(16)
    missing = [
        ch
        for ch in string.ascii_letters + string.digits + string.punctuation
        if ch not in UNUSED and lit(font.render(ch, False, (255, 255, 255))) == 0
    ]
    assert missing == []  # e.g. "~/.local/share" once printed as " /.LOCAL/SHARE"


def test_a_path_keeps_its_tilde_and_underscores() -> None:
    font = arcade_font(16)
    white = (255, 255, 255)
    with_tilde = lit(font.render("~/.local/share/edgepac_models", False, white))
    without = lit(font.render(" /.local/share/edgepac models", False, white))
    assert with_tilde > without
