"""Pacman: pure game rules (no pygame) plus a pygame renderer and sound."""
