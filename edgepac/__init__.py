"""EdgePac: a camera-controlled Pacman arcade that learns the player's poses on the device."""

__version__ = "0.1.0"
