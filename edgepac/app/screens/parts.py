"""The pieces several pages share: the header, the pose tiles, the bars, the score table, the
small hint under the prompt and the game's maze. Each page module draws with these."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pygame

from edgepac.app.screens.canvas import (
    AMBER,
    BG,
    BLACK,
    DIM,
    EDGE,
    GREEN,
    PANEL,
    RED,
    TEXT,
    WHITE,
    YELLOW,
    Canvas,
    lit_fill,
    mix,
)
from edgepac.app.screens.layout import layout_for
from edgepac.app.view import Bars, Colour, ModelStatus, Page, Pose, Score, View


class Parts(Canvas):
    """The drawing kit plus the pieces pages share (``Screen`` adds the dispatch).

    ``renderer``: the game's Renderer, or None for no maze; one made for another area than
    this layout's maze is replaced by one that is (``game_renderer(size)`` makes the right one).
    """

    def __init__(
        self,
        size: tuple[int, int],
        renderer: Any,
        class_names: Sequence[str],
        button_names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(size, class_names, button_names)
        self.layout = layout_for(size)
        self.u = self.layout.u
        if renderer is not None and tuple(renderer.screen_size) != self.layout.maze.size:
            renderer = type(renderer)(screen_size=self.layout.maze.size)
        self.renderer = renderer  # the game's Renderer: the maze and its sprites
        # Per pose: (what it showed, the tile drawn, the texts on it, its picture).
        self._tiles: dict[str, tuple[tuple[Any, ...], pygame.Surface, list[str], Any]] = {}
        self._maze_of: pygame.Surface | None = None  # the surface the maze area is part of
        self._maze_area: pygame.Surface | None = None

    def header(self, surface: pygame.Surface, view: View, title: str) -> None:
        u = self.u
        if view.model is ModelStatus.NONE:
            chip, color = "NO MODEL YET", DIM
        elif view.model is ModelStatus.OUT_OF_DATE:
            chip, color = "MODEL OUT OF DATE: TRAIN AGAIN", AMBER
        elif view.model_accuracy is not None:
            chip, color = f"MODEL READY: {view.model_accuracy:.0%} RIGHT", GREEN
        else:
            chip, color = "MODEL READY", GREEN
        if self.width_of(title, 16) + self.width_of(chip, 10) + 80 * u > self.w:
            # A narrow screen: the chip's short form leaves the title its size.
            chip = chip.replace("MODEL OUT OF DATE: TRAIN AGAIN", "OUT OF DATE")
            chip = chip.replace("MODEL READY", "READY").replace(" RIGHT", "")
        img = self.render(chip, 10, color)
        r = img.get_rect(topright=(self.w - round(24 * u), round(14 * u)))
        chip_box = r.inflate(round(16 * u), round(10 * u))
        self.box(surface, chip_box, BLACK, color, 2)
        surface.blit(img, r)
        self.said.append(chip)
        if view.model_label:  # where the model came from, when it is not the arcade's own
            at = (self.w - 24 * u, chip_box.bottom + 3 * u)
            room = self.w / 2
            label = self.text(surface, view.model_label, at, 7, DIM, "topright", bg=BG, width=room)
            self.regions["model_label"] = label
        room = chip_box.x - 28 * u  # the title never runs under the chip
        self.text(surface, title, (16 * u, 12 * u), 16, YELLOW, bg=BG, width=room)

    def camera_and_tiles(self, surface: pygame.Surface, view: View, title: str) -> pygame.Rect:
        """The teaching layout (COLLECT, WELCOME): the camera and a tile per pose."""
        surface.fill(BG)
        self.header(surface, view, title)
        cam = self.layout.teach_camera
        self.preview(surface, view, cam)
        self.tiles(surface, view, self.layout.teach_tiles)
        return cam

    def tiles(self, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
        """The poses in a 2x2 grid (a row of tiles when there are not four)."""
        u = self.u
        gap = 10 * u
        n = len(view.poses)
        cols = 2 if n == 4 else max(1, n)
        rows = (n + cols - 1) // cols
        tw = (area.w - (cols - 1) * gap) / cols
        th = (area.h - (rows - 1) * gap) / max(1, rows)
        for i, pose in enumerate(view.poses):
            x = area.x + (i % cols) * (tw + gap)
            y = area.y + (i // cols) * (th + gap)
            self.tile(surface, view, pose, pygame.Rect(round(x), round(y), round(tw), round(th)))

    def tile(self, surface: pygame.Surface, view: View, pose: Pose, at: pygame.Rect) -> None:
        """A pose's tile, drawn again only when what it shows changes (its count does 30 times
        a second while recording; the other three stay as they are)."""
        self.regions[f"tile:{pose.name}"] = at
        self.target(pose.name, at)
        lit = view.recording == pose.name
        # On a touchscreen the tile is the button: the player's words for a finger on it.
        press = "OR TAP" if view.touch else self.press(view, pose)
        goal = view.press_goal
        key = (pose.count, lit, press, at.size, pose.colour, pose.presses, pose.weak, goal)
        cached = self._tiles.get(pose.name)
        if cached is None or cached[0] != key or cached[3] is not pose.thumbnail:
            img = cached[1] if cached is not None and cached[1].get_size() == at.size else None
            img = img or pygame.Surface(at.size)
            img.fill(BG)
            said = len(self.said)
            self.draw_tile(img, pose, img.get_rect(), lit, press, goal)
            cached = (key, img, self.said[said:], pose.thumbnail)
            self._tiles[pose.name] = cached
        else:
            self.said.extend(cached[2])
        surface.blit(cached[1], at)

    def draw_tile(
        self,
        surface: pygame.Surface,
        pose: Pose,
        rect: pygame.Rect,
        lit: bool,
        press: str,
        goal: int = 0,
    ) -> None:
        """Its name and arrow, its picture, its count; a dot per press asked for (``goal``),
        filled as they are made; a weak pose (the coach's mark) framed amber: TEACH AGAIN."""
        u = self.u
        colour = pose.colour
        edge = AMBER if pose.weak and not lit else colour
        width = 5 if lit or pose.weak else 2
        self.box(surface, rect, lit_fill(colour) if lit else PANEL, edge, width)
        band = round(30 * u)
        name = pose.name.upper()
        self.text(
            surface, name, (rect.x + 12 * u, rect.y + band / 2 + 2 * u), 14, colour, "midleft"
        )
        self.arrow(surface, pose.name, (rect.right - 22 * u, rect.y + band / 2 + 2 * u), 11, colour)
        side = round(min(rect.w * 0.5, rect.h - band - 34 * u))
        tb = pygame.Rect(rect.x + round(10 * u), rect.y + band + round(4 * u), side, side)
        thumb = self.thumbnail(pose, side)
        if thumb is not None:
            surface.blit(thumb, tb)
        else:
            pygame.draw.rect(surface, BG, tb)
            self.text(surface, "?", tb.center, 16, EDGE, "center")
        cx = (tb.right + rect.right) / 2
        self.text(surface, f"{pose.count}", (cx, tb.y + 4 * u), 20, TEXT, "midtop")
        compact = self.layout.compact  # a 3.5" screen: the number and the picture say it
        if not compact:
            self.text(surface, "SAMPLES", (cx, tb.y + 36 * u), 8, DIM, "midtop")
        if goal > 0:
            self.press_dots(surface, pose, goal, (cx, tb.y + (58 if not compact else 44) * u))
        label_y = rect.bottom - 14 * u
        if lit:
            img = self.render("REC", 11, WHITE)
            r = img.get_rect(midleft=(rect.x + round(14 * u), round(label_y)))
            back = r.inflate(round(12 * u), round(8 * u))
            pygame.draw.rect(surface, RED, back, border_radius=round(4 * u))
            surface.blit(img, r)
            if not compact:
                where = (back.right + 8 * u, label_y)
                self.text(surface, "RECORDING", where, 10, WHITE, "midleft")
        elif pose.weak:
            where = (rect.x + 12 * u, label_y)
            self.text(surface, "TEACH AGAIN", where, 10, AMBER, "midleft", width=rect.w - 20 * u)
        elif not compact:
            label = f"HOLD {press}"
            self.text(
                surface, label, (rect.x + 12 * u, label_y), 9, DIM, "midleft", width=rect.w - 20 * u
            )

    def teach_more(self, surface: pygame.Surface, view: View, area: pygame.Rect) -> pygame.Rect:
        """TRAINING done and GAME OVER: back to the teaching page by touch (a kiosk's only way
        there is holding a pose's button). The button stands for BACK (Esc), which goes back to
        COLLECT from both; drawn where a finger or the mouse can press it (a touchscreen, or a
        desktop). Framed in the middle of ``area``, as large as fits, at least 48 px at 800x480;
        returns its rect (empty when not drawn)."""
        if not (view.touch or view.keyboard):
            return pygame.Rect(area.x, area.y, 0, 0)
        u = self.u
        least = round(48 * u)
        cap = 14.0
        words = ["TEACH MORE"]
        while self.width_of(words[0], cap) + 24 * u > area.w and cap > 10:
            cap -= 1  # a narrow column: smaller, then on two lines
        if self.width_of(words[0], cap) + 24 * u > area.w:
            words = ["TEACH", "MORE"]
        line_h = self.line_height(self.font(cap))
        w = max(least, min(area.w, max(self.width_of(x, cap) for x in words) + round(32 * u)))
        h = max(least, min(area.h, line_h * len(words) + round(20 * u)))
        button = pygame.Rect(0, 0, w, h)
        button.center = area.center
        button = self.target("back", button)
        self.box(surface, button, BLACK, WHITE, 3)
        y = button.centery - line_h * len(words) / 2
        for i, line in enumerate(words):
            self.text(surface, line, (button.centerx, y + i * line_h), cap, WHITE, "midtop")
        self.regions["teach_more"] = button
        return button

    def countdown(self, surface: pygame.Surface, view: View) -> None:
        """A hands-free burst over the camera: the seconds to go, big, in the pose's colour,
        then the REC badge counting the frames recorded and a bar of the time left."""
        cd = view.countdown
        cam = self.regions.get("camera")
        if cd is None or cam is None:
            return
        u = self.u
        colour = self.colour(view, cd.pose)
        self.regions["countdown"] = cam
        if cd.phase == "record":
            self.rec_cue(surface, replace(view, recording=cd.pose, burst=cd.frames), cam)
            left = pygame.Rect(cam.x, cam.bottom - round(14 * u), cam.w, round(14 * u))
            share = max(0.0, min(1.0, cd.seconds_left / max(cd.seconds_left, 2.0)))
            fill = left.copy()
            fill.w = round(left.w * share)
            pygame.draw.rect(surface, BLACK, left)
            pygame.draw.rect(surface, colour, fill)
            return
        surface.blit(self.shade(cam.size, 120), cam.topleft)
        pygame.draw.rect(surface, colour, cam, max(3, round(5 * u)))
        n = max(1, math.ceil(cd.seconds_left))
        big = min(cam.h * 0.45, cam.w * 0.4) / u
        self.text(surface, f"{n}", cam.center, big, colour, "center")
        self.text(surface, "GET READY", (cam.centerx, cam.y + 12 * u), 14, WHITE, "midtop")
        name = cd.pose.upper()
        self.text(surface, name, (cam.centerx, cam.bottom - 12 * u), 16, colour, "midbottom")

    def press_hint(self, surface: pygame.Surface, view: View) -> None:
        """How to pose better (e.g. "A BIT CLOSER"): amber, over the bottom of the camera."""
        cam = self.regions.get("camera")
        if view.press_hint is None or cam is None:
            return
        u = self.u
        img = self.render(view.press_hint.upper(), 12, AMBER)
        r = img.get_rect(midbottom=(cam.centerx, cam.bottom - round(12 * u)))
        back = r.inflate(round(16 * u), round(10 * u))
        if back.w > cam.w:
            return
        self.box(surface, back, BLACK, AMBER, 2)
        surface.blit(img, r)
        self.said.append(view.press_hint.upper())
        self.regions["press_hint"] = back

    def press_dots(
        self, surface: pygame.Surface, pose: Pose, goal: int, centre: tuple[float, float]
    ) -> None:
        """A dot per press COLLECT asks for: filled in the pose's colour once made."""
        u = self.u
        r = max(2, round(4 * u))
        step = min(12 * u, 90 * u / max(1, goal))
        x0 = centre[0] - step * (goal - 1) / 2
        for i in range(goal):
            at = (round(x0 + i * step), round(centre[1]))
            if i < pose.presses:
                pygame.draw.circle(surface, pose.colour, at, r)
            else:
                pygame.draw.circle(surface, DIM, at, r, max(1, round(1.5 * u)))
        self.said.append(f"{min(pose.presses, goal)}/{goal}")

    def thumbnail(self, pose: Pose, side: int) -> pygame.Surface | None:
        """The pose's picture scaled to ``side``, kept until the picture changes."""
        if pose.thumbnail is None:
            return None
        key = (pose.name, side)
        cached = self._thumbs.get(key)
        if cached is None or cached[0] is not pose.thumbnail:
            small = pygame.surfarray.make_surface(
                np.ascontiguousarray(pose.thumbnail.swapaxes(0, 1))
            )
            cached = (pose.thumbnail, pygame.transform.smoothscale(small, (side, side)))
            self._thumbs[key] = cached
        return cached[1]

    def footer(
        self, surface: pygame.Surface, hint: str, size: int = 9, lift: int = 8
    ) -> pygame.Rect:
        """The small hint under the page's big prompt: what else the visitor can do (``lift``:
        its baseline above the bottom edge, in the screen's units)."""
        u = self.u
        where = (self.w / 2, self.h - lift * u)
        rect = self.text(surface, hint, where, size, DIM, "midbottom", bg=BG, width=self.w - 32 * u)
        self.regions["hint"] = rect
        return rect

    def bars(
        self, surface: pygame.Surface, view: View, bars: Bars, area: pygame.Rect, cap: float
    ) -> None:
        """One bar per pose in its colour; the percentage outside the bar, always readable."""
        u = self.u
        self.regions["bars"] = area
        n = max(1, len(bars.names))
        row = area.h / n
        bar_h = min(row * 0.72, cap * 2.6 * u)
        label_w = max(self.width_of(name.upper(), cap) for name in bars.names) + 10 * u
        pct_w = self.width_of("100%", cap) + 8 * u
        for i, name in enumerate(bars.names):
            p = float(bars.values[i]) if i < len(bars.values) else 0.0
            p = max(0.0, min(1.0, p))
            cy = area.y + row * i + row / 2
            c = self.colour(view, name)
            chosen = bars.chosen == name
            self.text(
                surface, name.upper(), (area.x, cy), cap, c if chosen else TEXT, "midleft", bg=BG
            )
            back = pygame.Rect(
                round(area.x + label_w),
                round(cy - bar_h / 2),
                round(area.w - label_w - pct_w),
                round(bar_h),
            )
            pygame.draw.rect(surface, PANEL, back, border_radius=round(4 * u))
            self.regions[f"bar:{name}"] = back
            front = back.copy()
            front.w = round(back.w * p)
            if front.w:
                shade = c if chosen else mix(c, BG, 0.55)
                pygame.draw.rect(surface, shade, front, border_radius=round(4 * u))
            if chosen:
                pygame.draw.rect(surface, WHITE, back, max(1, round(2 * u)), round(4 * u))
            pct = self.text(
                surface, f"{p:.0%}", (area.right, cy), cap, c if chosen else DIM, "midright", BG
            )
            self.regions[f"pct:{name}"] = pct

    def score_table(
        self,
        surface: pygame.Surface,
        scores: Sequence[Score],
        mine: int | None,
        area: pygame.Rect,
        rows: int,
        cap: float,
        bg: Colour = BG,
    ) -> None:
        """Rank, initials, score; the row at rank ``mine`` (just reached) in yellow."""
        u = self.u
        row_h = min(area.h / max(1, rows), cap * 2.6 * u)
        for i, s in enumerate(scores[:rows]):
            y = area.y + i * row_h + row_h / 2
            c = YELLOW if s.rank == mine else (TEXT if i else WHITE)
            name = (s.name or "---").upper()
            self.text(surface, f"{s.rank}.", (area.x + 30 * u, y), cap, c, "midright", bg)
            self.text(surface, name, (area.x + 44 * u, y), cap, c, "midleft", bg)
            self.text(surface, f"{s.score}", (area.right, y), cap, c, "midright", bg)

    def draw_game(self, surface: pygame.Surface, view: View) -> pygame.Rect:
        """The game through the game's Renderer, in the layout's maze area; returns the panel
        left for the app."""
        maze = self.layout.maze
        if self.renderer is None or view.game is None:
            pygame.draw.rect(surface, BLACK, maze)
            return self.layout.panel
        self.renderer.high_score = view.high_score
        self.renderer.score_counts = view.page is not Page.ATTRACT  # the autopilot sets no record
        if self._maze_of is not surface:  # the maze area of this surface, made once
            self._maze_of, self._maze_area = surface, surface.subsurface(maze)
        self.renderer.draw(self._maze_area, view.game)
        return self.layout.panel

