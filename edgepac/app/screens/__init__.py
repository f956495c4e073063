"""What the visitor sees, drawn with pygame from a ``View`` (``edgepac.app.view``), never from App.

Made for a visitor a metre from the official 7-inch panel (800x480, 1 px = 0.19 mm): every page
has ONE big next-step prompt (capitals 24-28 px high at 800x480, never under 18) saying what
to do now, and everything else is smaller. Each pose keeps one colour on every page (tile,
bar, arrow).

COLLECT   the camera (the square the model sees outlined, a REC cue while recording), four
          pose tiles (thumbnail, count, what to press), the model's state, the prompt.
TRAINING  the camera and the live guesses stay; a progress bar and a curve of how wrong the
          model still is (rescaled as it falls); then the result in plain words and PLAY.
PLAYING   the maze (the game's Renderer) and, in the panel beside or under it, the camera, a bar per
          pose, the direction sent, the score, and how to go back and teach more.
ATTRACT   the autopilot plays; the panel shows the title, the high-score table and the steps.
INITIALS  NEW HIGH SCORE: three letters chosen with the buttons.
PROBLEM   the arcade cannot run: what is wrong and the one thing to do.
WELCOME   a returning player: the camera and the pose tiles, each ticked once held for a
          second (a bar fills while it is held); "hold each button for a second to refresh".
PLAYING also shows a pose being taught in the game (the maze dimmed, PAUSED), a refresh running
in the background, and, when the model has been unsure for a while, the suggestion to refresh.
Over any page: error banners (they stay), passing messages, the "clear everything?" question,
the fps overlay.

One module per page (``collect``, ``training``...), registered in ``PAGES``, each drawing into
the ``Layout`` of the screen's shape (``layout``: landscape or portrait); the drawing kit (font,
palette, prompt, camera preview, banners, touch targets) is ``canvas``, the pieces pages share
``parts``. ``Screen.targets`` after a draw: the on-screen buttons a touch acts on.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

import pygame

from edgepac.app.screens import (
    attract,
    collect,
    initials,
    overlays,
    playing,
    problem,
    training,
    welcome,
)
from edgepac.app.screens.canvas import (  # the palette is re-exported: tests check pixels by it
    AMBER,
    BG,
    GREEN,
    PINK,
    RED,
    WHITE,
    YELLOW,
    lit_fill,
)
from edgepac.app.screens.layout import Layout, game_renderer, layout_for
from edgepac.app.screens.parts import Parts
from edgepac.app.view import Page, View

__all__ = [
    "AMBER",
    "BG",
    "GREEN",
    "PAGES",
    "PINK",
    "RED",
    "WHITE",
    "YELLOW",
    "Layout",
    "Screen",
    "game_renderer",
    "layout_for",
    "lit_fill",
]

# Which module draws which page: each has ``draw(screen, surface, view, layout)``.
PAGES: dict[Page, ModuleType] = {
    Page.COLLECT: collect,
    Page.TRAINING: training,
    Page.PLAYING: playing,
    Page.ATTRACT: attract,
    Page.INITIALS: initials,
    Page.PROBLEM: problem,
    Page.WELCOME: welcome,
}


class Screen(Parts):
    """Draws a ``View``: the page's module, then what goes over any page."""

    def __init__(
        self,
        size: tuple[int, int],
        renderer: Any,
        class_names: Sequence[str],
        button_names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(size, renderer, class_names, button_names)
        self._backdrop: pygame.Surface | None = None  # the page dimmed under a question

    def draw(self, surface: pygame.Surface, view: View) -> None:
        self.prompt_rects = []
        self.regions = {}
        self.targets = {}
        self.said.clear()
        self.clipped = []
        self.prompt_text = ""
        page = view.page
        if view.confirm_clear is None:
            self._backdrop = None
        elif self._backdrop is not None and self._backdrop.get_size() == surface.get_size():
            # The question is modal: the page under it stays as it was when it was asked
            # (dimming the whole screen again is 10 ms a frame at full HD).
            surface.blit(self._backdrop, (0, 0))
            overlays.confirm(self, surface, view)
            overlays.banners(self, surface, view, errors=False, message=True)
            return
        PAGES.get(page, collect).draw(self, surface, view, self.layout)
        if view.overlay is not None:  # under the messages: they matter more
            overlays.figures(self, surface, view)
        if view.confirm_clear is None:
            overlays.banners(self, surface, view, errors=True, message=True)
        else:  # the errors stay under the question, the message comes over it
            overlays.banners(self, surface, view, errors=True, message=False)
            surface.blit(self.shade((self.w, self.h), 170), (0, 0))
            self._backdrop = surface.copy()
            self.targets = {}  # the question is modal: only its answers take a touch
            self.regions = {k: r for k, r in self.regions.items() if not k.startswith("banner")}
            overlays.confirm(self, surface, view)
            overlays.banners(self, surface, view, errors=False, message=True)
