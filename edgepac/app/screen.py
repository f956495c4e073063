"""What the visitor sees, drawn with pygame from a ``View`` (``edgepac.app.view``), never from App.

Made for a visitor a metre from the official 7-inch panel (800x480, 1 px = 0.19 mm): every page
has ONE big next-step prompt (capitals 24-28 px high at 800x480, never under 18) saying what
to do now, and everything else is smaller. Each pose keeps one colour on every page (tile,
bar, arrow).

COLLECT   the camera (the square the model sees outlined, a REC cue while recording), four
          pose tiles (thumbnail, count, what to press), the model's state, the prompt.
TRAINING  the camera and the live guesses stay; a progress bar and a curve of how wrong the
          model still is (rescaled as it falls); then the result in plain words and PLAY.
PLAYING   the maze (the game's Renderer) and, in the panel beside it, the camera, a bar per
          pose, the direction sent, the score, and how to go back and teach more.
ATTRACT   the autopilot plays; the panel shows the title, the high-score table and the steps.
INITIALS  NEW HIGH SCORE: three letters chosen with the buttons.
PROBLEM   the arcade cannot run: what is wrong and the one thing to do.
WELCOME   a returning player: the camera and the pose tiles, each ticked once held for a
          second (a bar fills while it is held); "hold each button for a second to refresh".
PLAYING also shows a pose being taught in the game (the maze dimmed, PAUSED), a refresh running
in the background, and, when the model has been unsure for a while, the suggestion to refresh.
Over any page: error banners (they stay), passing messages, the "clear everything?" question,
the fps overlay.

The drawing kit (font, palette, prompt, camera preview, banners) is ``canvas.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pygame

from edgepac.app.canvas import (  # the palette is re-exported: tests check pixels by it
    AMBER,
    BG,
    BLACK,
    DIM,
    EDGE,
    GREEN,
    PANEL,
    PINK,
    PROMPT_CAP,
    RED,
    TEXT,
    WHITE,
    YELLOW,
    Canvas,
    blink,
    lit_fill,
    mix,
    wrap,
)
from edgepac.app.view import Bars, Colour, ModelStatus, Page, Pose, Score, Severity, View

__all__ = ["BG", "GREEN", "PINK", "RED", "WHITE", "YELLOW", "Screen", "lit_fill", "panel_width"]


def panel_width(size: tuple[int, int]) -> int:
    """The panel beside the maze: everything the maze (integer tiles, full height) leaves.

    No black margins around the maze: at 800x480 the maze is 364 px wide and the panel 436.
    """
    from edgepac.game.render import COLS, MIN_TILE, ROWS

    w, h = size
    tile = max(MIN_TILE, h // ROWS)
    return max(0, min(w - COLS * tile, int(w * 0.6)))


class Screen(Canvas):
    def __init__(
        self,
        size: tuple[int, int],
        renderer: Any,
        class_names: Sequence[str],
        button_names: dict[str, str] | None = None,
    ) -> None:
        super().__init__(size, class_names, button_names)
        self.renderer = renderer  # the game's Renderer: the maze and its sprites
        # Per pose: (what it showed, the tile drawn, the texts on it, its picture).
        self._tiles: dict[str, tuple[tuple[Any, ...], pygame.Surface, list[str], Any]] = {}
        self._backdrop: pygame.Surface | None = None  # the page dimmed under a question
        self._errors_top: float | None = None  # where a page wants its errors (else the top)

    # -- the whole screen ----------------------------------------------------------------------

    def draw(self, surface: pygame.Surface, view: View) -> None:
        self.prompt_rects = []
        self.regions = {}
        self.said.clear()
        self.prompt_text = ""
        self._errors_top = None
        page = view.page
        area = self.content(page)
        if view.confirm_clear is None:
            self._backdrop = None
        elif self._backdrop is not None and self._backdrop.get_size() == surface.get_size():
            # The question is modal: the page under it stays as it was when it was asked
            # (dimming the whole screen again is 10 ms a frame at full HD).
            surface.blit(self._backdrop, (0, 0))
            self.draw_confirm(surface, view)
            self.draw_message(surface, view, area)
            return
        if page is Page.PROBLEM:
            self.draw_problem(surface, view)
        elif page is Page.ATTRACT:
            self.draw_attract(surface, view)
        elif page is Page.INITIALS:
            self.draw_initials(surface, view)
        elif page is Page.TRAINING:
            self.draw_training(surface, view)
        elif page is Page.PLAYING:
            self.draw_playing(surface, view)
        elif page is Page.WELCOME:
            self.draw_welcome(surface, view)
        else:
            self.draw_collect(surface, view)
        if view.overlay is not None:  # under the messages: they matter more
            self.draw_overlay(surface, view)
        self.draw_errors(surface, view, area)
        if view.confirm_clear is not None:
            surface.blit(self.shade((self.w, self.h), 170), (0, 0))
            self._backdrop = surface.copy()
            self.draw_confirm(surface, view)
        self.draw_message(surface, view, area)

    def draw_message(self, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
        message = view.message
        if message is not None:
            # Over the small hint under the prompt, never over the prompt or the maze.
            y = area.bottom - 4 * self.u
            box = self.banner(
                surface, message.text, area, y, AMBER, anchor="bottom", avoid=self.prompt_rects
            )
            self.regions["message"] = box

    def content(self, page: Page) -> pygame.Rect:
        """Where messages may go: beside the maze when there is one (never over its lives row)."""
        if page in (Page.PLAYING, Page.ATTRACT) and self.renderer is not None:
            return pygame.Rect(self.renderer.panel_rect)
        if page in (Page.PLAYING, Page.ATTRACT):
            return pygame.Rect(round(self.w * 0.46), 0, self.w - round(self.w * 0.46), self.h)
        return pygame.Rect(0, 0, self.w, self.h)

    def draw_errors(self, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
        """Errors stay at the top, red, until dealt with; warnings amber. While playing, under
        the camera (over the bars, which mean nothing while the camera is lost): never over the
        score line."""
        y = (area.y if self._errors_top is None else self._errors_top) + 4 * self.u
        for b in view.errors[:3]:
            color = RED if b.severity is Severity.ERROR else AMBER
            box = self.banner(surface, b.text, area, y, color, filled=True, anchor="top")
            self.regions["errors"] = self.regions.get("errors", box).union(box)
            y = box.bottom + 4 * self.u

    # -- COLLECT ---------------------------------------------------------------------------------

    def header(self, surface: pygame.Surface, view: View, title: str) -> None:
        u = self.u
        self.text(surface, title, (16 * u, 12 * u), 16, YELLOW, bg=BG)
        if view.model is ModelStatus.NONE:
            chip, color = "NO MODEL YET", DIM
        elif view.model is ModelStatus.OUT_OF_DATE:
            chip, color = "MODEL OUT OF DATE: TRAIN AGAIN", AMBER
        elif view.model_accuracy is not None:
            chip, color = f"MODEL READY: {view.model_accuracy:.0%} RIGHT", GREEN
        else:
            chip, color = "MODEL READY", GREEN
        size = 10
        if view.model_label and view.model is ModelStatus.TRAINED:  # made elsewhere: whose
            chip, size = view.model_label, 8
        img = self.render(chip, size, color)
        r = img.get_rect(topright=(self.w - round(24 * u), round(14 * u)))
        self.box(surface, r.inflate(round(16 * u), round(10 * u)), BLACK, color, 2)
        surface.blit(img, r)
        self.said.append(chip)

    def collect_prompt(self, view: View) -> tuple[str, str]:
        """The next step on COLLECT, and the smaller line of other choices under it."""
        train = self.key(view, "TRAIN", "T")
        play = self.key(view, "PLAY", "P")
        taught = [p for p in view.poses if p.count > 0]
        pose_word = "AN ARROW KEY" if view.keyboard else "A POSE BUTTON"
        others = (
            "T learn  P play  C clear all  F figures"
            if view.keyboard
            else "TRAIN + PLAY held: clear all"
        )
        if view.recording:
            return "KEEP POSING - LET GO TO STOP", "more frames in more places make it better"
        if view.model is ModelStatus.TRAINED:  # (a Teachable Machine model: before any pose)
            return f"PRESS {play} TO PLAY", f"or hold {pose_word.lower()} to teach more    {others}"
        if not taught:
            return f"HOLD {pose_word} AND POSE", "each pose steers one way: teach two or more"
        if len(taught) == 1:
            return "NOW TEACH A SECOND POSE", others
        return f"PRESS {train} TO LEARN", f"or hold {pose_word.lower()} to teach more    {others}"

    def camera_and_tiles(self, surface: pygame.Surface, view: View, title: str) -> pygame.Rect:
        """The teaching layout (COLLECT, WELCOME): the camera left, a tile per pose right."""
        u = self.u
        surface.fill(BG)
        self.header(surface, view, title)
        top = round(48 * u)
        cam = pygame.Rect(round(16 * u), top, round(self.w * 0.5), round(300 * u))
        cam.w = min(cam.w, round(cam.h * 4 / 3))
        self.preview(surface, view, cam)
        gx = cam.right + 12 * u
        self.tiles(surface, view, pygame.Rect(round(gx), top, round(self.w - gx - 16 * u), cam.h))
        return cam

    def draw_collect(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        cam = self.camera_and_tiles(surface, view, "TEACH ME YOUR MOVES")
        if view.bars is not None and view.recording is None:
            self.guesses(surface, view, view.bars)
        big, small = self.collect_prompt(view)
        area = pygame.Rect(
            0, cam.bottom + round(6 * u), self.w, self.h - cam.bottom - round(34 * u)
        )
        self.prompt(surface, big, area, PINK if view.recording else YELLOW, PROMPT_CAP + 4)
        if view.message is None:  # a message takes the hint's place
            self.footer(surface, small, size=10, lift=12)

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
        lit = view.recording == pose.name
        press = self.press(view, pose)
        key = (pose.count, lit, press, at.size, pose.colour)
        cached = self._tiles.get(pose.name)
        if cached is None or cached[0] != key or cached[3] is not pose.thumbnail:
            img = cached[1] if cached is not None and cached[1].get_size() == at.size else None
            img = img or pygame.Surface(at.size)
            img.fill(BG)
            said = len(self.said)
            self.draw_tile(img, pose, img.get_rect(), lit, press)
            cached = (key, img, self.said[said:], pose.thumbnail)
            self._tiles[pose.name] = cached
        else:
            self.said.extend(cached[2])
        surface.blit(cached[1], at)

    def draw_tile(
        self, surface: pygame.Surface, pose: Pose, rect: pygame.Rect, lit: bool, press: str
    ) -> None:
        u = self.u
        colour = pose.colour
        self.box(surface, rect, lit_fill(colour) if lit else PANEL, colour, 5 if lit else 2)
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
        self.text(surface, "SAMPLES", (cx, tb.y + 36 * u), 8, DIM, "midtop")
        label_y = rect.bottom - 14 * u
        if lit:
            img = self.render("REC", 11, WHITE)
            r = img.get_rect(midleft=(rect.x + round(14 * u), round(label_y)))
            back = r.inflate(round(12 * u), round(8 * u))
            pygame.draw.rect(surface, RED, back, border_radius=round(4 * u))
            surface.blit(img, r)
            self.text(surface, "RECORDING", (back.right + 8 * u, label_y), 10, WHITE, "midleft")
        else:
            label = f"HOLD {press}"
            self.text(
                surface, label, (rect.x + 12 * u, label_y), 9, DIM, "midleft", width=rect.w - 20 * u
            )

    def guesses(self, surface: pygame.Surface, view: View, bars: Bars) -> None:
        """With a model: the tile of the pose it sees now is framed in white and tagged, so a
        visitor can check each pose before PLAY (nothing when it is not sure)."""
        u = self.u
        tile = self.regions.get(f"tile:{bars.chosen}") if bars.chosen else None
        if tile is None or bars.chosen is None:
            return
        frame = tile.inflate(round(8 * u), round(8 * u))
        pygame.draw.rect(surface, WHITE, frame, max(2, round(3 * u)), round(10 * u))
        img = self.render("I SEE THIS", 8, BG)
        tag = img.get_rect(center=(tile.centerx, frame.top))
        pygame.draw.rect(
            surface, WHITE, tag.inflate(round(12 * u), round(6 * u)), border_radius=round(4 * u)
        )
        surface.blit(img, tag)
        self.said.append("I SEE THIS")
        self.regions["seen"] = frame

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

    # -- TRAINING --------------------------------------------------------------------------------

    def draw_training(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        surface.fill(BG)
        tr = view.training
        # Running, or not started yet: until it is done or failed, it is learning.
        running = tr is None or not (tr.done or tr.error is not None)
        failed = tr is not None and tr.error is not None
        title = "TRAINING FAILED" if failed else "LEARNING YOUR MOVES" if running else "LEARNED!"
        self.header(surface, view, title)
        # Left: the visitor still sees themselves and what the model makes of them.
        top = round(48 * u)
        left_w = round(self.w * 0.4)
        cam = pygame.Rect(round(16 * u), top, left_w, round(left_w * 0.75))
        self.preview(surface, view, cam)
        below = pygame.Rect(
            cam.x, cam.bottom + round(8 * u), cam.w, round(self.h * 0.82) - cam.bottom
        )
        if view.bars is not None:
            self.bars(surface, view, view.bars, below, 9)
        else:
            self.counts(surface, view, below)
        # Right: progress and the curve.
        rx = cam.right + round(20 * u)
        rw = self.w - rx - round(16 * u)
        progress = 1.0 if tr is not None and tr.done else tr.progress if tr is not None else 0.0
        bar = pygame.Rect(rx, top, rw, round(28 * u))
        self.regions["progress"] = bar
        pygame.draw.rect(surface, PANEL, bar, border_radius=round(6 * u))
        fill = bar.copy()
        fill.w = round(bar.w * max(0.0, min(1.0, progress)))
        pygame.draw.rect(surface, RED if failed else GREEN, fill, border_radius=round(6 * u))
        self.text(surface, f"{progress:.0%}", bar.center, 12, WHITE, "center")
        plot = pygame.Rect(rx, bar.bottom + round(30 * u), rw, round(150 * u))
        self.text(
            surface,
            "MISTAKES: FALLING MEANS IT IS LEARNING",
            (rx, plot.y - 6 * u),
            9,
            DIM,
            "bottomleft",
            bg=BG,
            width=rw,
        )
        self.loss_curve(surface, plot, tr.losses if tr else (), tr.total_batches if tr else 0)
        y = plot.bottom + 10 * u
        area = pygame.Rect(0, round(self.h * 0.82), self.w, round(self.h * 0.18))
        if tr is None or running:
            if tr is not None and tr.frames:
                info = f"Learning {tr.poses} poses from {tr.frames} pictures."
                self.text(surface, info, (rx, y), 10, TEXT, bg=BG, width=rw)
                if tr.held_out:
                    test = f"{tr.held_out} more are kept aside to test it."
                    self.text(surface, test, (rx, y + 22 * u), 10, DIM, bg=BG, width=rw)
            self.prompt(surface, f"LEARNING... {progress:.0%}", area, GREEN)
            # A kiosk has no BACK button: training is a few seconds' wait there.
            wait = self.key(view, "a few seconds: keep posing to see yourself", "Esc stops it")
            if view.message is None:
                self.footer(surface, wait)
        elif failed:
            kept = "The earlier model still plays." if tr.kept_previous else "Nothing was learned."
            lines = wrap(tr.error or "", self.font(10), rw)[:2]
            for i, line in enumerate(lines):
                self.text(surface, line, (rx, y + i * 22 * u), 10, PINK, bg=BG)
            self.text(surface, kept, (rx, y + 48 * u), 10, TEXT, bg=BG, width=rw)
            self.prompt(surface, "RECORD MORE, THEN TRAIN AGAIN", area, YELLOW)
        else:
            self.text(surface, self.result_words(tr), (rx, y), 11, GREEN, bg=BG, width=rw)
            self.text(
                surface, "Pose in front of the camera:", (rx, y + 26 * u), 10, TEXT, bg=BG, width=rw
            )
            self.text(
                surface, "the bars show what it sees.", (rx, y + 48 * u), 10, TEXT, bg=BG, width=rw
            )
            play = self.key(view, "PLAY", "P")
            colour = YELLOW if blink(view.t, 1.2, 0.75) else WHITE
            self.prompt(surface, f"PRESS {play} TO PLAY!", area, colour, PROMPT_CAP + 4)
            if view.message is None:
                pose_word = "an arrow key" if view.keyboard else "a pose button"
                self.footer(surface, f"or hold {pose_word} to teach me more")

    def footer(self, surface: pygame.Surface, hint: str, size: int = 9, lift: int = 8) -> None:
        """The small hint under the page's big prompt: what else the visitor can do (``lift``:
        its baseline above the bottom edge, in the screen's units)."""
        u = self.u
        where = (self.w / 2, self.h - lift * u)
        self.text(surface, hint, where, size, DIM, "midbottom", bg=BG, width=self.w - 32 * u)

    @staticmethod
    def result_words(tr: Any) -> str:
        """How well it did, in words a visitor uses."""
        if tr.accuracy is None or not tr.held_out:
            return "Too few pictures to test it: just try it!"
        right = round(tr.accuracy * tr.held_out)
        return f"Tested on {tr.held_out} new pictures: {right} right ({tr.accuracy:.0%})"

    def counts(self, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
        """What is being learned, one coloured row per pose (before any model exists)."""
        u = self.u
        rows = max(1, len(view.poses))
        row_h = min(area.h / rows, 30 * u)
        for i, pose in enumerate(view.poses):
            y = area.y + i * row_h + row_h / 2
            self.arrow(surface, pose.name, (area.x + 12 * u, y), 8, pose.colour)
            self.text(
                surface, pose.name.upper(), (area.x + 30 * u, y), 11, pose.colour, "midleft", bg=BG
            )
            self.text(
                surface, f"{pose.count} pictures", (area.right, y), 10, DIM, "midright", bg=BG
            )

    def loss_curve(
        self, surface: pygame.Surface, plot: pygame.Rect, losses: Sequence[float], total: int = 0
    ) -> None:
        """The loss per batch, left to right over ``total`` batches, on a log scale from the
        highest to the lowest loss so far: it keeps falling visibly instead of lying flat
        along the bottom once it is a tenth of where it started."""
        u = self.u
        self.regions["plot"] = plot
        pygame.draw.rect(surface, PANEL, plot, border_radius=round(6 * u))
        values = np.asarray(losses[-4000:], dtype=np.float64)
        values = values[np.isfinite(values) & (values > 0)]
        if len(values) == 0:
            self.text(surface, "starting...", plot.center, 10, DIM, "center")
            return
        logs = np.log(values)
        hi, lo = float(logs.max()), float(logs.min())
        span = max(hi - lo, 1e-6)
        inner = plot.inflate(-round(12 * u), -round(12 * u))
        count = max(total, len(values))
        k = min(len(values), inner.w)
        cols = np.linspace(0, len(values) - 1, k).astype(int)
        xs = inner.x + cols * ((inner.w - 1) / max(1, count - 1))
        ys = inner.y + (hi - logs[cols]) / span * (inner.h - 1)
        if k == 1:
            pygame.draw.circle(surface, YELLOW, (round(xs[0]), round(ys[0])), max(2, round(3 * u)))
        else:
            points = list(zip(xs.tolist(), ys.tolist(), strict=True))
            pygame.draw.lines(surface, YELLOW, False, points, max(2, round(3 * u)))

    # -- PLAYING -------------------------------------------------------------------------------

    def draw_game(self, surface: pygame.Surface, view: View) -> pygame.Rect:
        """The game through the game's Renderer; returns the panel left for the app."""
        if self.renderer is None or view.game is None:
            area = self.content(Page.PLAYING)
            pygame.draw.rect(surface, BLACK, (0, 0, area.x, self.h))
            return area
        self.renderer.high_score = view.high_score
        self.renderer.score_counts = view.page is not Page.ATTRACT  # the autopilot sets no record
        self.renderer.draw(surface, view.game)
        return pygame.Rect(self.renderer.panel_rect)

    def draw_playing(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        panel = self.draw_game(surface, view)
        surface.fill(BG, panel)  # the Renderer paints the rest
        pad = round(12 * u)
        x, w = panel.x + pad, panel.w - 2 * pad
        score = getattr(view.game, "score", 0)
        self.text(surface, "SCORE", (x, pad), 9, DIM, bg=BG)
        self.text(surface, f"{score}", (x, pad + 16 * u), 20, WHITE, bg=BG)
        best = max(view.high_score, score)  # as on the arcade: beaten, it climbs with you
        self.text(surface, "HIGH SCORE", (panel.right - pad, pad), 9, DIM, "topright", bg=BG)
        self.text(surface, f"{best}", (panel.right - pad, pad + 16 * u), 20, DIM, "topright", bg=BG)
        top = round(pad + 58 * u)
        self.regions["score"] = pygame.Rect(panel.x, panel.y, panel.w, top - panel.y)
        side = round(min(w * 0.55, self.h * 0.40))
        cam = pygame.Rect(x, top, side, side)
        self._errors_top = cam.bottom + 4 * u
        self.preview(surface, view, cam, square=True)
        # Beside the camera: the direction being sent, big, in its pose's colour.
        sx = (cam.right + panel.right - pad) / 2
        self.text(surface, "STEERING", (sx, cam.y), 9, DIM, "midtop", bg=BG)
        sending = view.bars.sending if view.bars is not None else None
        teaching = view.refresh.teaching if view.refresh is not None else None
        if teaching:  # nothing is sent while the game waits
            self.text(surface, "II", (sx, cam.centery), 28, DIM, "center", bg=BG)
            self.text(surface, "PAUSED", (sx, cam.bottom), 11, DIM, "midbottom", bg=BG)
        elif sending:
            c = self.colour(view, sending)
            self.arrow(surface, sending, (sx, cam.centery), 28, c)
            self.text(surface, sending.upper(), (sx, cam.bottom), 14, c, "midbottom", bg=BG)
        else:
            self.text(surface, "?", (sx, cam.centery), 28, DIM, "center", bg=BG)
            self.text(surface, "NOT SURE", (sx, cam.bottom), 11, DIM, "midbottom", bg=BG)
        area = pygame.Rect(x, cam.bottom + round(8 * u), w, round(self.h * 0.80) - cam.bottom)
        if view.game_over and view.scores:
            self.score_table(surface, view.scores, view.new_rank, area, rows=4, cap=10)
        elif view.bars is not None:
            self.bars(surface, view, view.bars, area, 11)
        bottom = pygame.Rect(panel.x, round(self.h * 0.82), panel.w, round(self.h * 0.12))
        pose_word = "an arrow key" if view.keyboard else "a pose button"
        refresh = view.refresh
        if view.game_over:
            play = self.key(view, "PLAY", "P")
            self.prompt(surface, f"PRESS {play} AGAIN", bottom, YELLOW, 20)
            hint = f"or hold {pose_word} to teach me more"
        elif refresh is not None and refresh.teaching:
            self.paused(surface, view, refresh.teaching)
            self.prompt(surface, "LET GO TO PLAY", bottom, PINK, 20)
            hint = "keep posing: the game waits while you teach"
        elif refresh is not None and refresh.suggest:
            button = "AN ARROW" if view.keyboard else "A BUTTON"
            self.prompt(surface, f"NOT SURE? HOLD {button}", bottom, AMBER, 20)
            hint = "a second of each pose refreshes me for this light"
        else:
            self.prompt(surface, "MOVE TO STEER!", bottom, YELLOW, 20)
            hint = f"hold {pose_word} to teach me more" + ("   Esc: back" if view.keyboard else "")
        if refresh is not None and refresh.running and not refresh.teaching:
            hint = "REFRESHING YOUR MOVES... play on"
        if view.message is None:
            self.text(
                surface,
                hint,
                (panel.centerx, self.h - 8 * u),
                9,
                DIM,
                "midbottom",
                bg=BG,
                width=panel.w - 16 * u,
            )

    def paused(self, surface: pygame.Surface, view: View, pose: str) -> None:
        """A pose taught in the game: the maze dimmed under PAUSED and what is being taught."""
        maze = self.content(Page.PLAYING)
        maze = pygame.Rect(0, 0, maze.x, self.h)
        surface.blit(self.shade(maze.size, 150), maze.topleft)
        u = self.u
        self.regions["paused"] = maze
        self.text(surface, "PAUSED", (maze.centerx, maze.centery - 30 * u), 26, YELLOW, "center")
        colour = self.colour(view, pose)
        self.text(
            surface,
            f"TEACHING {pose.upper()}",
            (maze.centerx, maze.centery + 24 * u),
            16,
            colour,
            "center",
            width=maze.w - 16 * u,
        )

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

    # -- WELCOME (a returning player) ----------------------------------------------------------

    def draw_welcome(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        cam = self.camera_and_tiles(surface, view, "WELCOME BACK!")
        welcome = view.welcome
        done = welcome.done if welcome is not None else ()
        for pose in view.poses:
            tile = self.regions.get(f"tile:{pose.name}")
            if tile is None:
                continue
            if pose.name in done:
                self.tick_mark(surface, tile)
            elif view.recording == pose.name and welcome is not None:
                self.hold_bar(surface, tile, welcome.held, pose.colour)
        area = pygame.Rect(
            0, cam.bottom + round(6 * u), self.w, self.h - cam.bottom - round(34 * u)
        )
        if view.recording and welcome is not None and welcome.held >= 1.0:
            self.prompt(surface, "GOT IT! LET GO", area, GREEN, PROMPT_CAP + 4)
        elif view.recording:
            self.prompt(surface, "KEEP POSING...", area, PINK, PROMPT_CAP + 4)
        else:
            prompt = "HOLD EACH BUTTON FOR A SECOND TO REFRESH"
            if view.keyboard:
                prompt = "HOLD EACH ARROW KEY FOR A SECOND TO REFRESH"
            self.prompt(surface, prompt, area, YELLOW, PROMPT_CAP + 4)
        if view.message is None:
            left = len(welcome.poses) - len(done) if welcome is not None else 0
            play = self.key(view, "PLAY", "P")
            small = f"{play} skips: yesterday's moves still play    {left} to go, in any order"
            self.footer(surface, small, size=10, lift=12)

    def tick_mark(self, surface: pygame.Surface, tile: pygame.Rect) -> None:
        """A pose refreshed on WELCOME: a big green tick over its picture, DONE under it."""
        u = self.u
        band = round(30 * u)  # where draw_tile puts the picture: under the name band
        side = round(min(tile.w * 0.5, tile.h - band - 34 * u))
        cx, cy = tile.x + round(10 * u) + side / 2, tile.y + band + round(4 * u) + side / 2
        r = round(min(side * 0.42, 28 * u))
        pygame.draw.circle(surface, GREEN, (round(cx), round(cy)), r)
        points = [(cx - r * 0.5, cy), (cx - r * 0.12, cy + r * 0.4), (cx + r * 0.55, cy - r * 0.4)]
        pygame.draw.lines(surface, BG, False, points, max(3, round(6 * u)))
        label = pygame.Rect(
            tile.x + round(6 * u),
            tile.bottom - round(26 * u),
            tile.w - round(12 * u),
            round(22 * u),
        )
        surface.fill(PANEL, label)
        self.text(surface, "DONE", (tile.x + 12 * u, label.centery), 9, GREEN, "midleft", PANEL)
        self.regions["done"] = self.regions.get("done", tile).union(tile)

    def hold_bar(
        self, surface: pygame.Surface, tile: pygame.Rect, held: float, colour: Colour
    ) -> None:
        """The pose being held on WELCOME: a bar along the tile that is full after a second."""
        u = self.u
        bar = pygame.Rect(
            tile.x + round(10 * u),
            tile.bottom - round(34 * u),
            tile.w - round(20 * u),
            round(10 * u),
        )
        pygame.draw.rect(surface, BG, bar, border_radius=round(4 * u))
        fill = bar.copy()
        fill.w = round(bar.w * max(0.0, min(1.0, held)))
        if fill.w:
            pygame.draw.rect(surface, colour, fill, border_radius=round(4 * u))
        self.regions["hold"] = bar

    # -- ATTRACT, high scores, initials --------------------------------------------------------

    def draw_attract(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        panel = self.draw_game(surface, view)
        surface.fill(BG, panel)  # the Renderer paints the rest
        cx = panel.centerx
        self.text(surface, "EDGEPAC", (cx, 14 * u), 30, YELLOW, "midtop", bg=BG)
        self.text(surface, "STEER PAC-MAN WITH YOUR BODY", (cx, 80 * u), 11, TEXT, "midtop", bg=BG)
        area = pygame.Rect(
            panel.x + round(24 * u),
            round(120 * u),
            panel.w - round(48 * u),
            round(self.h * 0.82) - round(120 * u),
        )
        # Arcade convention: the high-score table and the how-to take turns.
        if view.scores and int(view.t // 6) % 2 == 0:
            self.text(surface, "HIGH SCORES", (cx, area.y), 14, WHITE, "midtop", bg=BG)
            table = area.copy()
            table.y += round(32 * u)
            table.h -= round(32 * u)
            self.score_table(surface, view.scores, view.new_rank, table, rows=5, cap=12)
        else:
            self.how_to(surface, view, area)
        bottom = pygame.Rect(panel.x, round(self.h * 0.82), panel.w, round(self.h * 0.16))
        if blink(view.t, 1.0, 0.7):
            self.prompt(surface, "PRESS ANY BUTTON", bottom, YELLOW)

    def how_to(self, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
        u = self.u
        pose_word = "AN ARROW KEY" if view.keyboard else "A BUTTON"
        steps = [
            ("1", f"HOLD {pose_word}", "and pose: that teaches one way"),
            ("2", f"PRESS {self.key(view, 'TRAIN', 'T')}", "it learns your poses"),
            ("3", f"PRESS {self.key(view, 'PLAY', 'P')}", "and steer with your body"),
        ]
        row = area.h / len(steps)
        for i, (n, big, small) in enumerate(steps):
            y = area.y + i * row + 4 * u
            pygame.draw.circle(
                surface, YELLOW, (area.x + round(16 * u), round(y + 16 * u)), round(16 * u)
            )
            self.text(surface, n, (area.x + 16 * u, y + 16 * u), 14, BG, "center")
            self.text(surface, big, (area.x + 44 * u, y + 2 * u), 14, WHITE, bg=BG)
            self.text(
                surface,
                small,
                (area.x + 44 * u, y + 32 * u),
                9,
                DIM,
                bg=BG,
                width=area.right - area.x - 44 * u,
            )

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

    def draw_initials(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        surface.fill(BLACK)
        ini = view.initials
        colour = YELLOW if blink(view.t, 0.6, 0.5) else PINK
        self.text(surface, "NEW HIGH SCORE!", (self.w / 2, 12 * u), 26, colour, "midtop", bg=BLACK)
        if ini is None:
            return
        points = f"{ini.score} POINTS  -  No. {ini.rank}"
        self.text(surface, points, (self.w / 2, 60 * u), 13, WHITE, "midtop", bg=BLACK)
        letters = ini.letters.upper().ljust(ini.length, " ")[: ini.length]
        cur = min(len(ini.letters), ini.length) - 1
        side, gap = round(64 * u), round(18 * u)
        x0 = self.w / 2 - (ini.length * side + (ini.length - 1) * gap) / 2
        y = round(112 * u)
        for i, ch in enumerate(letters):
            r = pygame.Rect(round(x0 + i * (side + gap)), y, side, side)
            active = i == cur
            edge = YELLOW if active else EDGE
            self.box(surface, r, PANEL if active else BG, edge, 4 if active else 2)
            ink = YELLOW if active else WHITE
            self.text(surface, ch if ch != " " else ".", r.center, 26, ink, "center")
            if active:
                self.arrow(surface, "up", (r.centerx, r.y - 14 * u), 8, YELLOW)
                self.arrow(surface, "down", (r.centerx, r.bottom + 14 * u), 8, YELLOW)
        up_down = self.key(view, "UP / DOWN", "UP / DOWN KEYS")
        area = pygame.Rect(0, round(y + side + 24 * u), self.w, round(46 * u))
        self.prompt(surface, f"{up_down}: CHOOSE A LETTER", area, YELLOW, bg=BLACK)
        nxt = self.key(view, "LEFT / RIGHT: move    PLAY: done", "LEFT / RIGHT: move    P: done")
        self.text(
            surface,
            nxt,
            (self.w / 2, area.bottom + 4 * u),
            11,
            TEXT,
            "midtop",
            bg=BLACK,
            width=self.w - 32 * u,
        )
        # The table as it will be, this score in its place.
        you = Score(ini.rank, ini.score, ini.letters.upper())
        table = [s for s in view.scores if s.rank < ini.rank] + [you]
        table += [replace(s, rank=s.rank + 1) for s in view.scores if s.rank >= ini.rank]
        first = max(0, min(ini.rank - 3, len(table) - 5))
        box = pygame.Rect(0, round(area.bottom + 34 * u), round(340 * u), round(128 * u))
        box.centerx = self.w // 2
        self.score_table(surface, table[first:], ini.rank, box, rows=5, cap=11, bg=BLACK)
        left = f"saved as it is in {ini.seconds_left:.0f} s"
        self.text(surface, left, (self.w / 2, self.h - 6 * u), 9, DIM, "midbottom", bg=BLACK)

    # -- overlays ------------------------------------------------------------------------------

    def draw_problem(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        surface.fill(BG)
        p = view.problem
        if p is None:
            return
        pygame.draw.circle(surface, RED, (round(self.w / 2), round(86 * u)), round(42 * u))
        self.text(surface, "!", (self.w / 2, 86 * u), 40, WHITE, "center")
        self.text(surface, p.title.upper(), (self.w / 2, 150 * u), 24, PINK, "midtop", bg=BG)
        area = pygame.Rect(round(24 * u), round(210 * u), self.w - round(48 * u), round(100 * u))
        self.prompt(surface, p.fix, area, YELLOW, 20)
        # The whole of why, however long the paths in it: as many lines as the page has room
        # for at 10 px capitals, else smaller ones (the fix above is the line to read).
        top, room = 330 * u, self.h - 336 * u
        for cap in (10, 8, 6):
            lines = wrap(p.detail, self.font(cap), self.w - round(64 * u))
            step = self.line_height(self.font(cap))
            if len(lines) * step <= room:
                break
        for i, line in enumerate(lines):
            self.text(surface, line, (self.w / 2, top + i * step), cap, DIM, "midtop", bg=BG)

    def draw_confirm(self, surface: pygame.Surface, view: View) -> None:
        u = self.u
        q = view.confirm_clear
        if q is None:
            return
        box = pygame.Rect(0, 0, round(min(self.w - 40 * u, 600 * u)), round(210 * u))
        box.center = (self.w // 2, self.h // 2)
        self.regions["confirm"] = box
        self.box(surface, box, BLACK, RED, 4)
        self.text(
            surface,
            f"CLEAR ALL {q.samples} SAMPLES?",
            (box.centerx, box.y + 22 * u),
            20,
            WHITE,
            "midtop",
        )
        self.text(
            surface,
            "Your poses will be gone and the model forgotten.",
            (box.centerx, box.y + 70 * u),
            10,
            DIM,
            "midtop",
        )
        yes = self.key(view, "TRAIN = CLEAR THEM", "T = CLEAR THEM")
        no = self.key(view, "PLAY = KEEP THEM", "P = KEEP THEM")
        area = pygame.Rect(box.x, round(box.y + 96 * u), box.w, round(60 * u))
        self.prompt(surface, f"{yes}\n{no}", area, YELLOW, 18, bg=BLACK)
        self.text(
            surface,
            f"no answer in {q.seconds_left:.0f} s keeps them",
            (box.centerx, box.bottom - 14 * u),
            9,
            DIM,
            "midbottom",
        )

    def draw_overlay(self, surface: pygame.Surface, view: View) -> None:
        o = view.overlay
        if o is None:
            return

        def fig(v: float | None, fmt: str) -> str:
            return "-" if v is None else format(v, fmt)

        lines = [
            f"screen {fig(o.screen_fps, '4.1f')} fps",
            f"model {fig(o.model_fps, '4.1f')} fps, {fig(o.infer_ms, '.1f')} ms",
            f"latency p95 {fig(o.latency_p95_ms, '.1f')} ms",
            f"game {fig(o.game_ticks_per_s, '.0f')} ticks/s, dropped {o.dropped}",
        ]
        u = self.u
        line_h = 18 * u
        box = pygame.Rect(0, 0, round(230 * u), round(len(lines) * line_h + 8 * u))
        box.bottomleft = (round(4 * u), self.h - round(4 * u))
        surface.blit(self.shade(box.size, 200), box)
        for i, line in enumerate(lines):
            self.text(surface, line, (box.x + 6 * u, box.y + 4 * u + i * line_h), 8, GREEN)
