"""What the player did, in the player's words: the same events from GPIO buttons and the keyboard.

The arcade (``edgepac.app.arcade``) takes these events as they are; FPS, a keyboard-only toggle
of the overlay, the app handles itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    HOLD = "hold"  # a class button went down (``name`` is the class)
    RELEASE = "release"  # ...and came up
    TRAIN = "train"
    PLAY = "play"
    BACK = "back"
    CLEAR = "clear"  # TRAIN and PLAY held together for clear_hold_s (the app asks to confirm)
    FPS = "fps"  # show or hide the FPS and latency overlay


@dataclass(frozen=True)
class Event:
    kind: Kind
    name: str | None = None  # the class, for HOLD and RELEASE
