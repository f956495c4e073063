"""Putting the picture on the panel, turned as ``display.rotate`` says.

The pages always draw an unrotated LOGICAL surface (width and height swapped at 90 and 270, so a
portrait panel mounted landscape gets the landscape layout); ``present()`` turns it into the
display surface before the flip. Nothing is allocated per frame: the logical surface is made
once, and the turn is one NumPy copy from a rotated view of its pixels into the display's. The
touch side of the same turn is ``edgepac.controls.touch.Rotation`` (this object's ``rotation``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pygame

from edgepac.controls.rotation import Rotation


class Presenter:
    """The surface the pages draw on, and how it reaches the ``display`` surface."""

    def __init__(self, display: Any, degrees: int = 0) -> None:
        self.display = display
        self.rotation = Rotation(degrees, display.get_size())
        self.degrees = degrees
        # Drawn into directly when the picture is not turned: no copy at all.
        logical = self.rotation.logical
        self.surface = display if degrees == 0 else pygame.Surface(logical, 0, display)
        self._turns = degrees // 90  # np.rot90's quarter turns of an [x, y] array: clockwise

    @property
    def size(self) -> tuple[int, int]:
        """The logical surface's (width, height): what the pages lay out for."""
        return self.rotation.logical

    def present(self) -> None:
        """Turn the logical picture onto the display (call before ``pygame.display.flip``)."""
        if self.degrees == 0:
            return
        try:
            dst = pygame.surfarray.pixels2d(self.display)
            src = pygame.surfarray.pixels2d(self.surface)
        except ValueError:  # a 24-bit display has no 2-D pixel view: SDL turns it (allocates)
            self.display.blit(pygame.transform.rotate(self.surface, -self.degrees), (0, 0))
            return
        try:
            dst[...] = np.rot90(src, self._turns)
        finally:
            del dst, src  # unlocks both surfaces for the flip and the next frame's drawing
