"""Pacman: pure game rules (no pygame) plus a pygame renderer and sound."""

import os

# pygame prints a greeting on import; keep stdout clean for `edgepac play --json`.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
