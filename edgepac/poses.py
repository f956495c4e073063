"""The four poses a player teaches, one for each joystick direction: the one list every area reads.

The order is the game's and the buttons' (UP, DOWN, LEFT, RIGHT): a head's class order, the
tiles on COLLECT, the bars while playing and the LEDs all follow it. Each pose has one colour,
the same on every screen (tile, bar, arrow), and one arrow (dx, dy in screen coordinates, y
growing downwards). A class that is not a pose (a Teachable Machine "Nothing" class, say) gets
a spare colour.
"""

from __future__ import annotations

Colour = tuple[int, int, int]

POSES: tuple[str, ...] = ("up", "down", "left", "right")

# A visitor who learned "UP is green" on COLLECT finds it green while playing. Chosen apart
# from the game's own colours (maze blue, Pac-Man yellow) and from each other for colour-blind
# eyes.
POSE_COLOURS: dict[str, Colour] = {
    "up": (80, 220, 120),  # green
    "down": (255, 140, 40),  # orange
    "left": (70, 170, 255),  # sky blue
    "right": (235, 90, 200),  # magenta
}
SPARE_COLOURS: tuple[Colour, ...] = ((240, 240, 90), (160, 120, 255), (120, 230, 230))

POSE_ARROWS: dict[str, tuple[int, int]] = {
    "up": (0, -1),
    "down": (0, 1),
    "left": (-1, 0),
    "right": (1, 0),
}


def pose_colour(name: str, index: int = 0) -> Colour:
    """The colour of pose ``name`` (a class without its own colour gets a spare one)."""
    return POSE_COLOURS.get(name, SPARE_COLOURS[index % len(SPARE_COLOURS)])
