"""An arcade-style pixel font, drawn here (7x7 glyphs in an 8x8 cell, thick strokes like the
1980 Namco screens); our own design, so it ships under the project's licence.

    font = arcade_font(13)                  # 13 screen pixels per character cell (one maze tile)
    surface = font.render("HIGH SCORE", True, (255, 255, 255))

``ArcadeFont`` answers ``render``, ``size``, ``get_height`` and ``get_linesize`` like a
``pygame.font.Font``, so a screen can use either. Lower case prints as upper case; a character
it has no glyph for prints as a space. Each arcade pixel becomes a block whose edges are rounded
to whole screen pixels, so text fills the cell at any size and stays crisp.
"""

from __future__ import annotations

from functools import lru_cache

import pygame

CELL = 8  # arcade pixels per character cell; a glyph uses the top-left 7x7

# Each glyph: 7 rows of 7, "#" lit. Rows are separated by spaces to keep one glyph a line.
_GLYPHS = {
    "0": "..###.. .#..##. ##...## ##...## ##...## .##..#. ..###..",
    "1": "...##.. ..###.. ...##.. ...##.. ...##.. ...##.. .######",
    "2": ".#####. ##...## ....### ..####. .####.. ###.... #######",
    "3": ".###### ....##. ...##.. ..####. .....## ##...## .#####.",
    "4": "...###. ..####. .##.##. ##..##. ####### ....##. ....##.",
    "5": "######. ##..... ######. .....## .....## ##...## .#####.",
    "6": "..####. .##.... ##..... ######. ##...## ##...## .#####.",
    "7": "####### ##...## ....##. ...##.. ..##... ..##... ..##...",
    "8": ".####.. ##...#. ###..#. .####.. #..#### #....## .#####.",
    "9": ".#####. ##...## ##...## .###### .....## ....##. .####..",
    "A": "..###.. .##.##. ##...## ##...## ####### ##...## ##...##",
    "B": "######. ##...## ##...## ######. ##...## ##...## ######.",
    "C": "..####. .##..## ##..... ##..... ##..... .##..## ..####.",
    "D": "#####.. ##..##. ##...## ##...## ##...## ##..##. #####..",
    "E": "####### ##..... ##..... ######. ##..... ##..... #######",
    "F": "####### ##..... ##..... ######. ##..... ##..... ##.....",
    "G": "..##### .##.... ##..... ##..### ##...## .##..## ..#####",
    "H": "##...## ##...## ##...## ####### ##...## ##...## ##...##",
    "I": ".###### ...##.. ...##.. ...##.. ...##.. ...##.. .######",
    "J": ".....## .....## .....## .....## .....## ##...## .#####.",
    "K": "##...## ##..##. ##.##.. ####... #####.. ##.###. ##..###",
    "L": ".##.... .##.... .##.... .##.... .##.... .##.... .######",
    "M": "##...## ###.### ####### ####### ##.#.## ##...## ##...##",
    "N": "##...## ###..## ####.## ####### ##.#### ##..### ##...##",
    "O": ".#####. ##...## ##...## ##...## ##...## ##...## .#####.",
    "P": "######. ##...## ##...## ##...## ######. ##..... ##.....",
    "Q": ".#####. ##...## ##...## ##...## ##.#### ##..##. .####.#",
    "R": "######. ##...## ##...## ##..### #####.. ##.###. ##..###",
    "S": ".####.. ##..##. ##..... .#####. .....## ##...## .#####.",
    "T": "###### ..##.. ..##.. ..##.. ..##.. ..##.. ..##..",
    "U": "##...## ##...## ##...## ##...## ##...## ##...## .#####.",
    "V": "##...## ##...## ##...## ###.### .#####. ..###.. ...#...",
    "W": "##...## ##...## ##.#.## ####### ####### ###.### ##...##",
    "X": "##...## ###.### .#####. ..###.. .#####. ###.### ##...##",
    "Y": "##..## ##..## ##..## .####. ..##.. ..##.. ..##..",
    "Z": "####### ....### ...###. ..###.. .###... ###.... #######",
    "!": "..##... ..##... ..##... ..##... ..##... ....... ..##...",
    "-": "....... ....... ....... .#####. ....... ....... .......",
    ".": "....... ....... ....... ....... ....... ..##... ..##...",
    ",": "....... ....... ....... ....... ..##... ..##... .##....",
    ":": "....... ..##... ..##... ....... ..##... ..##... .......",
    "'": "..##... ..##... .##.... ....... ....... ....... .......",
    '"': ".##.##. .##.##. .#..#.. ....... ....... ....... .......",
    "/": ".....## ....##. ...##.. ..##... .##.... ##..... .......",
    "%": "##...## ##..##. ...##.. ..##... .##.... ##..##. #...##.",
    "?": ".#####. ##...## ....##. ...##.. ...##.. ....... ...##..",
    "=": "....... ....... .#####. ....... .#####. ....... .......",
    "<": "....##. ...##.. ..##... .##.... ..##... ...##.. ....##.",
    ">": ".##.... ..##... ...##.. ....##. ...##.. ..##... .##....",
    "(": "...##.. ..##... .##.... .##.... .##.... ..##... ...##..",
    ")": "..##... ...##.. ....##. ....##. ....##. ...##.. ..##...",
    "+": "....... ...##.. ...##.. ####### ...##.. ...##.. .......",
    "©": "..###.. .#...#. #..##.# #.#...# #..##.# .#...#. ..###..",
    " ": "....... ....... ....... ....... ....... ....... .......",
}


def _rows(pattern: str) -> list[str]:
    rows = pattern.split()
    # A glyph narrower than 7 (T, Y) sits one pixel in, as the arcade's do.
    return [("." + r).ljust(7, ".") if len(r) < 7 else r for r in rows]


GLYPHS: dict[str, list[str]] = {ch: _rows(p) for ch, p in _GLYPHS.items()}


class ArcadeFont:
    """The pixel font at ``px`` screen pixels per character cell (``px`` >= 6)."""

    def __init__(self, px: int) -> None:
        if px < 6:
            raise ValueError(f"an arcade font cell must be at least 6 pixels; got {px}")
        self.px = int(px)
        # Edge of arcade pixel i, in screen pixels: rounded so every cell is exactly px wide.
        self._edges = [round(i * self.px / CELL) for i in range(CELL + 1)]
        self._glyphs: dict[tuple[str, tuple[int, ...]], pygame.Surface] = {}

    def glyph(self, ch: str, colour: tuple[int, ...]) -> pygame.Surface:
        key = (ch, tuple(colour))
        surf = self._glyphs.get(key)
        if surf is None:
            rows = GLYPHS.get(ch.upper(), GLYPHS[" "])
            surf = pygame.Surface((self.px, self.px), pygame.SRCALPHA)
            e = self._edges
            for y, row in enumerate(rows):
                for x, lit in enumerate(row):
                    if lit == "#":
                        surf.fill(colour, (e[x], e[y], e[x + 1] - e[x], e[y + 1] - e[y]))
            self._glyphs[key] = surf
        return surf

    def render(
        self,
        text: str,
        antialias: bool = False,
        color: tuple[int, ...] = (255, 255, 255),
        background: tuple[int, ...] | None = None,
    ) -> pygame.Surface:
        """``text`` in one line, a cell per character (``antialias`` is ignored: pixels)."""
        surf = pygame.Surface(self.size(text), pygame.SRCALPHA)
        if background is not None:
            surf.fill(background)
        for i, ch in enumerate(text):
            if ch != " ":
                surf.blit(self.glyph(ch, color), (i * self.px, 0))
        return surf

    def size(self, text: str) -> tuple[int, int]:
        return max(1, len(text) * self.px), self.px

    def get_height(self) -> int:
        return self.px

    def get_linesize(self) -> int:
        return self.px


@lru_cache(maxsize=32)
def arcade_font(px: int) -> ArcadeFont:
    """The arcade font at ``px`` pixels per character cell (shared: glyphs are drawn once)."""
    return ArcadeFont(px)
