"""A panel mounted turned: where a point of the window is on the picture the pages drew.

``display.rotate`` turns the picture and the touch together; this is the touch side, with no
pygame in it (the config reads ``ROTATIONS`` without starting SDL). The picture side is
``edgepac.app.present``.
"""

from __future__ import annotations

ROTATIONS = (0, 90, 180, 270)


class Rotation:
    """How the picture is turned on the panel: ``degrees`` clockwise, for a ``window`` of
    (width, height) pixels. The pages draw a ``logical`` surface (width and height swapped at
    90 and 270); ``to_logical`` takes a point on the window to that surface."""

    def __init__(self, degrees: int, window: tuple[int, int]) -> None:
        if degrees not in ROTATIONS:
            raise ValueError(f"display.rotate must be one of 0, 90, 180, 270; got {degrees}")
        self.degrees = degrees
        self.window = (int(window[0]), int(window[1]))
        w, h = self.window
        self.logical = (h, w) if degrees in (90, 270) else (w, h)

    def to_logical(self, x: float, y: float) -> tuple[float, float]:
        """A point in window pixels -> the same spot of the picture, in logical pixels."""
        w, h = self.window
        if self.degrees == 90:  # the picture's top is on the window's right edge
            return y, w - x
        if self.degrees == 180:
            return w - x, h - y
        if self.degrees == 270:  # the picture's top is on the window's left edge
            return h - y, x
        return x, y

    def to_window(self, x: float, y: float) -> tuple[float, float]:
        """A point of the picture (logical pixels) -> where it shows on the window."""
        w, h = self.window
        if self.degrees == 90:
            return w - y, x
        if self.degrees == 180:
            return w - x, h - y
        if self.degrees == 270:
            return y, h - x
        return x, y
