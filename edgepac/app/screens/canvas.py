"""The screens' drawing kit: one font, a palette, text measured in capital heights, the big
prompt, boxes, arrows, banners and the camera preview. ``Screen`` (screen.py) draws pages with it.

Sizes are given as the height of a capital letter at 480 lines (``u`` = one pixel on the
800x480 panel) and scale with the screen, so 1920x1080 is the same picture, larger. All text
goes through ``load_font`` (the game's arcade pixel font): switching typeface is that one line.
Text, scaled camera frames and translucent shades are cached: a frame is mostly blits.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pygame

from edgepac.app.view import Colour, Pose, View
from edgepac.game.font import arcade_font
from edgepac.poses import POSE_ARROWS, pose_colour

BG = (8, 8, 24)
PANEL = (26, 26, 58)
EDGE = (60, 60, 110)
TEXT = (240, 240, 250)
DIM = (160, 160, 190)
YELLOW = (255, 224, 0)
AMBER = (255, 170, 40)
RED = (210, 35, 35)  # fills under white text (contrast 5:1)
PINK = (255, 95, 95)  # red text on the dark background (contrast 6:1)
GREEN = (80, 220, 120)
BLACK = (0, 0, 0)
WHITE = (255, 255, 255)

PROMPT_CAP = 24  # the next-step prompt's capital height at 480 lines
PROMPT_MIN_CAP = 18  # a long prompt shrinks this far before it wraps to a second line
BANNER_CAP = 13  # an error's or a message's capitals at 480 lines
BANNER_MIN_CAP = 10  # they shrink this far to show the whole text, never smaller


def load_font(px: int) -> pygame.font.Font:
    """THE font of every screen at size ``px``: the one place to change the typeface (the
    game's arcade pixel font; ``pygame.font.Font(None, px)`` is pygame's sans)."""
    return arcade_font(max(6, px))  # type: ignore[return-value]


@lru_cache(maxsize=1)
def cap_ratio() -> float:
    """How tall a capital is for a font size of 1, measured on ``load_font``'s own letters
    (7/8 for the pixel font, about 1/2 for pygame's sans), so sizes follow the typeface."""
    letter = load_font(80).render("H", False, WHITE)
    return letter.get_bounding_rect().h / 80


class Canvas:
    """Drawing helpers shared by every page, with their caches and what a frame drew."""

    def __init__(
        self,
        size: tuple[int, int],
        class_names: Sequence[str],
        button_names: dict[str, str] | None = None,
    ) -> None:
        pygame.font.init()
        self.w, self.h = size
        self.class_names = list(class_names)
        self.button_names = button_names or {}
        # One unit is a pixel on the 800x480 panel; a wider or taller screen scales it up.
        self.u = min(self.h / 480.0, self.w / 800.0)
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: dict[tuple[str, int, Colour, Colour | None], pygame.Surface] = {}
        self._camera: pygame.Surface | None = None  # the frame at camera size
        self._camera_image: np.ndarray | None = None
        self._camera_seq = -1
        # Per preview size: (frame seq, the frame scaled in its own format, the same in the
        # screen's format with the sides dimmed), redone once per camera frame, not per frame.
        self._scaled: dict[
            tuple[int, int, int, int], tuple[int, pygame.Surface, pygame.Surface]
        ] = {}
        self._thumbs: dict[tuple[str, int], tuple[np.ndarray, pygame.Surface]] = {}
        self._shades: dict[tuple[int, int, int], pygame.Surface] = {}
        self.prompt_rects: list[pygame.Rect] = []  # where this frame's prompt went (for tests)
        # Where this frame put what a player looks for ("tile:left", "progress", "confirm",
        # "errors"...), so tests check the pixels there without knowing the layout.
        self.regions: dict[str, pygame.Rect] = {}
        self.said: list[str] = []  # every text drawn this frame, in order (for tests)
        # Texts this frame that ran past the edge of what they were drawn on (cut off).
        self.clipped: list[tuple[str, pygame.Rect]] = []
        self.prompt_text = ""
        # On-screen buttons this frame, keyed by the physical button each stands for ("up"...
        # "train", "play"): a touch there acts as a press of that button (touch-input reads it).
        self.targets: dict[str, pygame.Rect] = {}

    # -- building blocks -----------------------------------------------------------------------

    def px(self, cap: float) -> int:
        """The font size whose capitals are ``cap`` units high."""
        return max(8, round(cap * self.u / cap_ratio()))

    def font(self, cap: float) -> pygame.font.Font:
        px = self.px(cap)
        if px not in self._fonts:
            self._fonts[px] = load_font(px)
        return self._fonts[px]

    def render(self, s: str, cap: float, color: Colour, bg: Colour | None = None) -> pygame.Surface:
        """``s`` as a surface, kept. On a known background ``bg`` it is opaque: a tenth of the
        cost of blending a transparent one, which counts for big letters on full HD."""
        key = (s, self.px(cap), color, bg)
        img = self._text.get(key)
        if img is None:
            if len(self._text) > 512:
                self._text.clear()
            img = self.font(cap).render(s, True, color, bg)
            if bg is not None and pygame.display.get_surface() is not None:
                img = img.convert()  # the screen's own pixel format: a plain copy per blit
            self._text[key] = img
        return img

    def text(
        self,
        surface: pygame.Surface,
        s: str,
        pos: tuple[float, float],
        cap: float = 12,
        color: tuple[int, int, int] = TEXT,
        anchor: str = "topleft",
        bg: Colour | None = None,
        width: float | None = None,
    ) -> pygame.Rect:
        """Draw ``s`` with its ``anchor`` at ``pos``; ``bg``: the colour under it, if plain;
        ``width``: smaller letters rather than past it, and where even the smallest letters
        are too wide (a 3.5" screen), the last parts of the line left out, never cut off."""
        while width is not None and cap > 5 and self.width_of(s, cap) > width:
            cap -= 0.5
        if width is not None:
            s = self.shorten(s, cap, width)
        img = self.render(s, cap, color, bg)
        rect = img.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        surface.blit(img, rect)
        self.said.append(s)
        if not surface.get_rect().contains(rect):
            self.clipped.append((s, rect))
        return rect

    def shorten(self, s: str, cap: float, width: float) -> str:
        """``s`` without its last parts until it fits ``width``: a hint's second choice (after
        four spaces) first, then words (an ellipsis says some are left out)."""
        while self.width_of(s, cap) > width and "    " in s.strip():
            s = s.strip().rsplit("    ", 1)[0].rstrip()
        words = s.split(" ")
        while self.width_of(s, cap) > width and len(words) > 1:
            words.pop()
            s = " ".join(words).rstrip(" :,-") + "..."
        return s

    @staticmethod
    def line_height(font: pygame.font.Font) -> int:
        """From one line to the next: a third of a letter apart (a pixel font's cells touch)."""
        return max(font.get_linesize(), round(font.get_height() * 1.33))

    def width_of(self, s: str, cap: float) -> int:
        return self.font(cap).size(s)[0]

    def fit(self, s: str, width: float, cap: float, least: float) -> tuple[float, list[str]]:
        """The largest capital height from ``cap`` down to ``least`` at which each line of
        ``s`` (split at newlines) fits in ``width``; else lines wrapped at ``least``."""
        parts = s.split("\n")
        c = cap
        while c > least and max(self.width_of(p, c) for p in parts) > width:
            c -= 1
        if max(self.width_of(p, c) for p in parts) <= width:
            return c, parts
        font = self.font(least)
        return least, [line for p in parts for line in wrap(p, font, int(width))][:3]

    def prompt(
        self,
        surface: pygame.Surface,
        s: str,
        box: pygame.Rect,
        color: tuple[int, int, int] = YELLOW,
        cap: float = PROMPT_CAP,
        bg: Colour = BG,
        button: str | None = None,
    ) -> None:
        """THE next step, big, centred in ``box`` (the one thing a visitor must read);
        ``button``: it is also the on-screen button standing for that physical one, framed."""
        room = box.w - (56 if button else 24) * self.u  # a button's frame stays on the screen
        c, lines = self.fit(s, room, cap, PROMPT_MIN_CAP)
        line_h = self.line_height(self.font(c))
        y = box.centery - line_h * len(lines) / 2
        self.prompt_text = s
        drawn = []
        for i, line in enumerate(lines):
            r = self.text(surface, line, (box.centerx, y + i * line_h), c, color, "midtop", bg)
            drawn.append(r)
        self.prompt_rects.extend(drawn)
        if button is not None:
            u = self.u
            frame = drawn[0].unionall(drawn).inflate(round(24 * u), round(16 * u))
            frame = self.target(button, frame)
            pygame.draw.rect(surface, color, frame, max(2, round(3 * u)), round(10 * u))

    def target(self, name: str, rect: pygame.Rect) -> pygame.Rect:
        """``rect`` as the on-screen button ``name``: at least 48 px at 800x480 each way (9 mm
        on the 7" panel), kept on the screen. Returns the rect registered."""
        least = round(48 * self.u)
        r = rect.inflate(max(0, least - rect.w), max(0, least - rect.h))
        r = r.clamp(pygame.Rect(0, 0, self.w, self.h))
        self.targets[name] = r
        return r

    def shade(self, size: tuple[int, int], alpha: int) -> pygame.Surface:
        """A translucent black surface, made once per size."""
        key = (*size, alpha)
        surf = self._shades.get(key)
        if surf is None:
            surf = pygame.Surface(size, pygame.SRCALPHA)
            surf.fill((0, 0, 0, alpha))
            self._shades[key] = surf
        return surf

    def box(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        fill: tuple[int, int, int] | None = PANEL,
        edge: tuple[int, int, int] | None = None,
        width: float = 2,
    ) -> None:
        radius = round(8 * self.u)
        if fill is not None:
            pygame.draw.rect(surface, fill, rect, border_radius=radius)
        if edge is not None:
            pygame.draw.rect(surface, edge, rect, max(1, round(width * self.u)), radius)

    def arrow(
        self,
        surface: pygame.Surface,
        name: str | None,
        center: tuple[float, float],
        size: float,
        color: tuple[int, int, int] = YELLOW,
    ) -> None:
        """A fat arrow pointing the pose's way, ``size`` units from centre to tip."""
        if name not in POSE_ARROWS:
            return
        dx, dy = POSE_ARROWS[name]
        cx, cy = center
        s = size * self.u
        tip = (cx + dx * s, cy + dy * s)
        px, py = -dy, dx  # perpendicular: the two corners of the head
        back = (cx - dx * s * 0.05, cy - dy * s * 0.05)
        a = (back[0] + px * s * 0.75, back[1] + py * s * 0.75)
        b = (back[0] - px * s * 0.75, back[1] - py * s * 0.75)
        pygame.draw.polygon(surface, color, [tip, a, b])
        tail = (cx - dx * s, cy - dy * s)
        pygame.draw.line(surface, color, tail, back, max(2, round(s * 0.5)))

    def colour(self, view: View, name: str) -> tuple[int, int, int]:
        pose = view.pose(name)
        if pose is not None:
            return pose.colour
        return pose_colour(name, self.class_names.index(name) if name in self.class_names else 0)

    def press(self, view: View, pose: Pose) -> str:
        """What to press to record ``pose``, as this visitor's controls call it."""
        if pose.press:
            return pose.press
        if view.keyboard:
            return f"{pose.name.upper()} KEY"
        return self.button_names.get(pose.name, f"{pose.name.upper()} BUTTON").upper()

    @staticmethod
    def key(view: View, button: str, key: str) -> str:
        """A control's name: the kiosk's button (on a touchscreen: the on-screen button of the
        same name) or the desktop's key."""
        return key if view.keyboard and not view.touch else button

    # -- the camera ----------------------------------------------------------------------------

    def _camera_surface(self, view: View) -> pygame.Surface | None:
        """The newest frame as a surface that borrows the array's memory (no copy: a 640x480
        ``blit_array`` alone costs 5 ms here). The View keeps the array alive while drawing."""
        image = view.camera
        if image is None:
            return None
        if view.camera_seq != self._camera_seq or view.camera_seq < 0 or self._camera is None:
            h, w = image.shape[:2]
            if self._camera is None or self._camera.get_size() != (w, h):
                self._scaled.clear()
            self._camera_image = np.ascontiguousarray(image)  # the surface's memory: keep it
            self._camera = pygame.image.frombuffer(self._camera_image, (w, h), "RGB")
            self._camera_seq = view.camera_seq
        return self._camera

    def preview(
        self, surface: pygame.Surface, view: View, box: pygame.Rect, square: bool = False
    ) -> pygame.Rect:
        """The camera fitted into ``box``, the square the model sees outlined, the rest dimmed;
        ``square``: only that square, larger. A red frame and REC while recording."""
        cam = self._camera_surface(view)
        if cam is None:
            pygame.draw.rect(surface, BLACK, box)
            self.text(surface, "WAITING FOR THE CAMERA...", box.center, 10, DIM, "center")
            return box
        w, h = cam.get_size()
        src = pygame.Rect(0, 0, w, h)
        if square:
            side = min(w, h)
            src = pygame.Rect((w - side) // 2, (h - side) // 2, side, side)
        scale = min(box.w / src.w, box.h / src.h)
        size = (max(1, int(src.w * scale)), max(1, int(src.h * scale)))
        key = (*size, src.x, src.y)
        seq, scaled, shown = self._scaled.get(key, (-3, None, None))
        if scaled is None or shown is None:
            scaled = pygame.Surface(size, 0, cam)  # scale() writes only into its own format
            shown = pygame.Surface(size)
        side = min(size)
        crop = pygame.Rect(0, 0, side, side)
        crop.center = (size[0] // 2, size[1] // 2)
        if seq != self._camera_seq or self._camera_seq < 0:
            # Nearest-neighbour into surfaces kept per size: a fifth of smoothscale's cost,
            # which counts on a Pi (30 new frames a second on the main thread).
            pygame.transform.scale(cam.subsurface(src), size, scaled)
            shown.blit(scaled, (0, 0))
            if size[0] > side:  # what the model does not see, dimmed
                shade = self.shade((max(1, (size[0] - side) // 2), size[1]), 150)
                shown.blit(shade, (0, 0))
                shown.blit(shade, (crop.right, 0))
            self._scaled[key] = (self._camera_seq, scaled, shown)
        rect = shown.get_rect(center=box.center)
        if rect.size != box.size:  # black bars where the picture does not reach
            pygame.draw.rect(surface, BLACK, box)
        surface.blit(shown, rect)
        self.regions["camera"] = rect
        crop.move_ip(rect.topleft)
        if view.recording:
            self.rec_cue(surface, view, rect)
        else:
            pygame.draw.rect(surface, YELLOW, crop, max(1, round(2 * self.u)))
        return rect

    def rec_cue(self, surface: pygame.Surface, view: View, rect: pygame.Rect) -> None:
        """Recording: a thick red frame round the picture and a white-on-red REC label."""
        u = self.u
        name = view.recording or ""
        pygame.draw.rect(surface, RED, rect, max(3, round(5 * u)))
        label = f"REC  {name.upper()}" + (f"  {view.burst}" if view.burst else "")
        img = self.render(label, 13, WHITE)
        tag = img.get_rect(topleft=(rect.x + round(10 * u), rect.y + round(10 * u)))
        back = tag.inflate(round(20 * u) + tag.h, round(10 * u))
        back.topleft = (rect.x + round(8 * u), rect.y + round(8 * u))
        pygame.draw.rect(surface, RED, back, border_radius=round(6 * u))
        dot = (back.x + round(6 * u) + tag.h // 2, back.centery)
        if blink(view.t, 1.0):
            pygame.draw.circle(surface, WHITE, dot, max(3, tag.h // 2 - round(2 * u)))
        surface.blit(img, img.get_rect(midleft=(dot[0] + tag.h // 2 + round(9 * u), back.centery)))
        self.said.append(label)

    def banners(
        self,
        surface: pygame.Surface,
        items: Sequence[tuple[str, tuple[int, int, int], bool]],
        zones: Sequence[pygame.Rect],
        avoid: Sequence[pygame.Rect] = (),
    ) -> list[pygame.Rect]:
        """Each ``(text, colour, filled)`` in a box, stacked in the first of ``zones`` where
        they all fit whole, in the tallest band of it clear of ``avoid`` (the prompt, the
        buttons): capitals from BANNER_CAP down to BANNER_MIN_CAP, every word, a word too long
        for a line (a path) split. Where none fits, the last lines are left out (an ellipsis
        says so), never cut off at an edge. Returns the boxes, in order."""
        if not items:
            return []
        gap = round(4 * self.u)
        bands = [free_band(z, avoid, gap) for z in zones]
        for band in bands:
            for tenths in range(BANNER_CAP * 10, BANNER_MIN_CAP * 10 - 1, -5):
                laid = self._lay_banners(items, band, tenths / 10)
                if sum(h for *_, h in laid) + gap * (len(laid) - 1) <= band.h:
                    return self._draw_banners(surface, laid, band, tenths / 10)
        band = max(bands, key=lambda b: b.h)
        laid = self._lay_banners(items, band, BANNER_MIN_CAP)
        laid = self._trim_banners(laid, band, gap)
        return self._draw_banners(surface, laid, band, BANNER_MIN_CAP)

    def _lay_banners(
        self,
        items: Sequence[tuple[str, tuple[int, int, int], bool]],
        band: pygame.Rect,
        cap: float,
    ) -> list[tuple[list[str], tuple[int, int, int], bool, int]]:
        """Each banner's lines at ``cap`` in ``band``'s width, and its box's height."""
        font = self.font(cap)
        pad = round(10 * self.u)
        line_h = self.line_height(font)
        out = []
        for text, colour, filled in items:
            lines = wrap(text, font, band.w - 2 * pad, split_words=True)
            out.append((lines, colour, filled, line_h * len(lines) + pad))
        return out

    def _trim_banners(
        self,
        laid: list[tuple[list[str], tuple[int, int, int], bool, int]],
        band: pygame.Rect,
        gap: int,
    ) -> list[tuple[list[str], tuple[int, int, int], bool, int]]:
        """Too much for the room: the last lines go (a banner whose lines all go, too), the
        first banner's first line stays; an ellipsis ends a banner that lost some."""
        line_h = self.line_height(self.font(BANNER_MIN_CAP))
        laid = [(list(lines), c, f, h) for lines, c, f, h in laid]
        cut: set[int] = set()

        def total() -> int:
            return sum(h for *_, h in laid) + gap * (len(laid) - 1)

        while total() > band.h and (len(laid) > 1 or len(laid[0][0]) > 1):
            i = len(laid) - 1
            lines, c, f, h = laid[i]
            if len(lines) == 1:
                laid.pop()
                continue
            lines.pop()
            laid[i] = (lines, c, f, h - line_h)
            cut.add(i)
        pad = round(10 * self.u)
        for i in cut:
            if i < len(laid):
                lines = laid[i][0]
                lines[-1] = self.shorten(lines[-1] + " ...", BANNER_MIN_CAP, band.w - 2 * pad)
        return laid

    def _draw_banners(
        self,
        surface: pygame.Surface,
        laid: list[tuple[list[str], tuple[int, int, int], bool, int]],
        band: pygame.Rect,
        cap: float,
    ) -> list[pygame.Rect]:
        u = self.u
        pad = round(10 * u)
        gap = round(4 * u)
        font = self.font(cap)
        line_h = self.line_height(font)
        screen = pygame.Rect(0, 0, self.w, self.h)
        boxes = []
        y = band.y
        for lines, colour, filled, height in laid:
            box = pygame.Rect(0, 0, band.w, height)  # the band's width: no slivers beside it
            box.midtop = (band.centerx, y)
            box.clamp_ip(screen)
            ink = WHITE if filled else colour
            self.box(surface, box, colour if filled else BLACK, None if filled else colour, 3)
            for i, line in enumerate(lines):
                at = (box.centerx, box.y + pad / 2 + i * line_h)
                self.text(surface, line, at, cap, ink, "midtop", width=box.w - pad)
            boxes.append(box)
            y = box.bottom + gap
        return boxes


def free_band(zone: pygame.Rect, avoid: Sequence[pygame.Rect], gap: int) -> pygame.Rect:
    """The tallest band across ``zone`` that none of ``avoid`` reaches into (``gap`` apart)."""
    cuts = sorted(
        (r.top - gap, r.bottom + gap) for r in avoid if r.colliderect(zone) and r.w and r.h
    )
    best = pygame.Rect(zone.x, zone.y, zone.w, 0)
    y = zone.top
    for top, bottom in [*cuts, (zone.bottom, zone.bottom)]:
        top = min(top, zone.bottom)
        if top - y > best.h:
            best = pygame.Rect(zone.x, y, zone.w, top - y)
        y = max(y, bottom)
    return best


def lit_fill(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """The background of the tile being recorded: its pose's colour, darkened."""
    return mix(colour, BG, 0.35)


def blink(t: float, period: float, on: float = 0.66) -> bool:
    """On for the first ``on`` share of every ``period`` seconds."""
    return (t % period) < period * on


def mix(a: tuple[int, int, int], b: tuple[int, int, int], share_a: float) -> tuple[int, int, int]:
    return tuple(round(x * share_a + y * (1 - share_a)) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def wrap(text: str, font: pygame.font.Font, width: int, split_words: bool = False) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` pixels (a long word gets its own;
    ``split_words``: one wider than ``width``, a path say, is split over lines)."""
    lines: list[str] = []
    line = ""
    words = text.split()
    if split_words:
        words = [part for word in words for part in split_word(word, font, width)]
    for word in words:
        candidate = f"{line} {word}".strip()
        if line and font.size(candidate)[0] > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines or [""]


def split_word(word: str, font: pygame.font.Font, width: int) -> list[str]:
    """``word`` in pieces no wider than ``width`` (at least a letter each)."""
    parts: list[str] = []
    while font.size(word)[0] > width and len(word) > 1:
        n = len(word) - 1
        while n > 1 and font.size(word[:n])[0] > width:
            n -= 1
        parts.append(word[:n])
        word = word[n:]
    return [*parts, word]
