"""What the player sees, drawn with pygame: one function per state, sized for 800x480 and up.

COLLECT  the live camera with the square the model sees, four class tiles (thumbnail, count,
         button), the tile being recorded lit.
TRAINING a progress bar and the loss curve as it falls, then the held-out accuracy.
PLAYING  the game large, a small camera preview, the probability of each class, the direction
         being sent.
Over any of them: messages, the camera's trouble, the "clear everything?" question, and the
FPS/latency overlay (F key or ``screen.show_fps``).

Everything is laid out in fractions of the screen so 800x480 and 1920x1080 both read well.
Surfaces for the preview are made once and reused; text is cached by content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pygame

from edgepac.app.arcade import State

BG = (12, 12, 28)
PANEL = (28, 28, 56)
TEXT = (235, 235, 245)
DIM = (150, 150, 175)
YELLOW = (255, 220, 0)
RED = (235, 60, 60)
GREEN = (80, 220, 120)
BLUE = (70, 120, 255)
BLACK = (0, 0, 0)
LIT = (110, 85, 0)  # the tile of the button being held

ARROWS = {"up": (0, -1), "down": (0, 1), "left": (-1, 0), "right": (1, 0)}


class Screen:
    def __init__(
        self,
        size: tuple[int, int],
        renderer: Any,
        class_names: Sequence[str],
        button_names: dict[str, str] | None = None,
    ) -> None:
        pygame.font.init()
        self.w, self.h = size
        self.renderer = renderer
        self.class_names = list(class_names)
        self.button_names = button_names or {}
        self.u = self.h / 480.0  # one "unit" = a pixel at 480 lines
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: dict[tuple[str, int, tuple[int, int, int]], pygame.Surface] = {}
        self._camera: pygame.Surface | None = None  # the frame at camera size
        self._camera_seq = -1
        self._scaled: dict[tuple[int, int], tuple[int, pygame.Surface]] = {}
        self._thumbs: dict[str, tuple[int, pygame.Surface]] = {}
        self._blink = 0
        self._shades: dict[tuple[int, int, int], pygame.Surface] = {}

    # -- building blocks -----------------------------------------------------------------------

    def font(self, size: float) -> pygame.font.Font:
        px = max(8, round(size * self.u))
        if px not in self._fonts:
            self._fonts[px] = pygame.font.Font(None, px)
        return self._fonts[px]

    def text(
        self,
        surface: pygame.Surface,
        s: str,
        pos: tuple[float, float],
        size: float = 24,
        color: tuple[int, int, int] = TEXT,
        anchor: str = "topleft",
    ) -> pygame.Rect:
        key = (s, max(8, round(size * self.u)), color)
        img = self._text.get(key)
        if img is None:
            if len(self._text) > 512:
                self._text.clear()
            img = self.font(size).render(s, True, color)
            self._text[key] = img
        rect = img.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        surface.blit(img, rect)
        return rect

    def _frame_surface(self, frame: Any) -> pygame.Surface | None:
        if frame is None:
            return None
        image = frame.image
        h, w = image.shape[:2]
        if self._camera is None or self._camera.get_size() != (w, h):
            self._camera = pygame.Surface((w, h))
            self._camera_seq = -1
            self._scaled.clear()
        if frame.seq != self._camera_seq:
            pygame.surfarray.blit_array(self._camera, image.swapaxes(0, 1))
            self._camera_seq = frame.seq
        return self._camera

    def preview(self, surface: pygame.Surface, frame: Any, box: pygame.Rect) -> pygame.Rect:
        """The camera fitted into ``box``, the square the model sees outlined, the rest dimmed."""
        cam = self._frame_surface(frame)
        pygame.draw.rect(surface, BLACK, box)
        if cam is None:
            self.text(surface, "waiting for the camera...", box.center, 20, DIM, "center")
            return box
        w, h = cam.get_size()
        scale = min(box.w / w, box.h / h)
        size = (max(1, int(w * scale)), max(1, int(h * scale)))
        seq, scaled = self._scaled.get(size, (-1, None))
        if scaled is None:
            scaled = pygame.Surface(size)
        if seq != self._camera_seq:
            # Nearest-neighbour into a surface kept per size: a fifth of smoothscale's cost,
            # which counts on a Pi (30 new frames a second on the main thread).
            pygame.transform.scale(cam, size, scaled)
            self._scaled[size] = (self._camera_seq, scaled)
        rect = scaled.get_rect(center=box.center)
        surface.blit(scaled, rect)
        side = min(rect.w, rect.h)
        crop = pygame.Rect(0, 0, side, side)
        crop.center = rect.center
        shade = self.shade((max(1, (rect.w - side) // 2), rect.h), 140)
        if rect.w > side:
            surface.blit(shade, rect.topleft)
            surface.blit(shade, (crop.right, rect.top))
        pygame.draw.rect(surface, YELLOW, crop, max(1, round(2 * self.u)))
        return rect

    def shade(self, size: tuple[int, int], alpha: int) -> pygame.Surface:
        """A translucent black surface, made once per size."""
        key = (*size, alpha)
        surf = self._shades.get(key)
        if surf is None:
            surf = pygame.Surface(size, pygame.SRCALPHA)
            surf.fill((0, 0, 0, alpha))
            self._shades[key] = surf
        return surf

    def arrow(
        self,
        surface: pygame.Surface,
        name: str | None,
        center: tuple[float, float],
        size: float,
        color: tuple[int, int, int] = YELLOW,
    ) -> None:
        if name not in ARROWS:
            return
        dx, dy = ARROWS[name]
        cx, cy = center
        s = size * self.u
        tip = (cx + dx * s, cy + dy * s)
        # Two corners of the arrow's head, perpendicular to its direction.
        px, py = -dy, dx
        back = (cx - dx * s * 0.1, cy - dy * s * 0.1)
        a = (back[0] + px * s * 0.8, back[1] + py * s * 0.8)
        b = (back[0] - px * s * 0.8, back[1] - py * s * 0.8)
        pygame.draw.polygon(surface, color, [tip, a, b])
        tail = (cx - dx * s, cy - dy * s)
        pygame.draw.line(surface, color, tail, back, max(2, round(s * 0.45)))

    def banner(
        self, surface: pygame.Surface, s: str, y: float, color: tuple[int, int, int] = YELLOW
    ) -> None:
        """A message in a box across the screen, wrapped to at most three lines."""
        u = self.u
        font = self.font(22)
        pad = round(10 * u)
        lines = wrap(s, font, self.w - 4 * pad)[:3]
        line_h = font.get_linesize()
        width = max(font.size(line)[0] for line in lines) + 2 * pad
        box = pygame.Rect(0, 0, width, line_h * len(lines) + pad)
        box.center = (self.w // 2, round(y))
        box.clamp_ip(surface.get_rect())
        pygame.draw.rect(surface, BLACK, box, border_radius=round(6 * u))
        pygame.draw.rect(surface, color, box, max(1, round(2 * u)), round(6 * u))
        for i, line in enumerate(lines):
            self.text(
                surface, line, (box.centerx, box.y + pad / 2 + i * line_h), 22, color, "midtop"
            )

    # -- the whole screen ----------------------------------------------------------------------

    def draw(self, surface: pygame.Surface, app: Any) -> None:
        self._blink = (self._blink + 1) % 60
        arcade = app.arcade
        if arcade.attract:
            self.draw_attract(surface, app)
        elif arcade.state is State.COLLECT:
            self.draw_collect(surface, app)
        elif arcade.state is State.TRAINING:
            self.draw_training(surface, app)
        else:
            self.draw_playing(surface, app)
        if app.show_fps:  # under the messages: they matter more
            self.draw_overlay(surface, app)
        if app.camera_status:
            self.banner(surface, f"Camera: {app.camera_status}", 20 * self.u, RED)
        elif app.inference_error:
            self.banner(surface, app.inference_error.capitalize(), 20 * self.u, RED)
        if arcade.confirming_clear:
            self.draw_confirm(surface, sum(arcade.counts.values()))
        message = arcade.message_text()
        if message:
            self.banner(surface, message, self.h - 24 * self.u)

    def draw_collect(self, surface: pygame.Surface, app: Any) -> None:
        u = self.u
        surface.fill(BG)
        self.text(surface, "Teach me your moves", (16 * u, 10 * u), 34, YELLOW)
        self.text(surface, "Hold a button while you pose", (16 * u, 40 * u), 22, DIM)
        box = pygame.Rect(round(16 * u), round(66 * u), round(self.w * 0.5), round(330 * u))
        self.preview(surface, app.frame, box)
        self.text(
            surface,
            "the yellow square is what the model sees",
            (box.centerx, box.bottom + 6 * u),
            18,
            DIM,
            "midtop",
        )
        # Four tiles in a 2x2 grid to the right.
        gx = box.right + 16 * u
        gw = self.w - gx - 16 * u
        tw, th = (gw - 10 * u) / 2, (330 * u - 10 * u) / 2
        thumbs = app.thumbnails
        for i, name in enumerate(self.class_names[:4]):
            x = gx + (i % 2) * (tw + 10 * u)
            y = box.top + (i // 2) * (th + 10 * u)
            self.tile(
                surface,
                pygame.Rect(round(x), round(y), round(tw), round(th)),
                name,
                app.arcade.counts.get(name, 0),
                thumbs.get(name),
                lit=app.arcade.recording == name,
            )
        status = "TRAIN: learn these poses    PLAY: play    TRAIN+PLAY held: clear"
        self.text(surface, status, (16 * u, self.h - 52 * u), 20, TEXT)
        if app.head is None:
            model = "Nothing learned yet"
        elif app.trained_accuracy is not None:
            model = f"Trained: {app.trained_accuracy:.0%} right on held-out frames"
        else:
            model = "A trained model is ready: PLAY"
        self.text(
            surface, model, (self.w - 16 * u, 14 * u), 20, GREEN if app.head else DIM, "topright"
        )

    def tile(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        name: str,
        count: int,
        thumb: np.ndarray | None,
        lit: bool,
    ) -> None:
        u = self.u
        pygame.draw.rect(surface, LIT if lit else PANEL, rect, border_radius=round(8 * u))
        pygame.draw.rect(
            surface,
            YELLOW if lit else DIM,
            rect,
            max(1, round((4 if lit else 1) * u)),
            round(8 * u),
        )
        side = round(min(rect.w * 0.45, rect.h - 50 * u))
        tb = pygame.Rect(rect.x + round(8 * u), rect.y + round(8 * u), side, side)
        if thumb is not None:
            cached = self._thumbs.get(name)
            if cached is None or cached[0] != id(thumb):
                small = pygame.surfarray.make_surface(np.ascontiguousarray(thumb.swapaxes(0, 1)))
                cached = (id(thumb), pygame.transform.scale(small, (side, side)))
                self._thumbs[name] = cached
            surface.blit(cached[1], tb)
        else:
            pygame.draw.rect(surface, BG, tb)
            self.arrow(surface, name, tb.center, side * 0.3 / u, DIM)
        tx = tb.right + 8 * u
        self.text(surface, name.upper(), (tx, rect.y + 8 * u), 34, YELLOW if lit else TEXT)
        self.arrow(surface, name, (tx + 14 * u, rect.y + 56 * u), 12, YELLOW if lit else DIM)
        self.text(surface, f"{count}", (tx, rect.y + 74 * u), 30, TEXT)
        self.text(surface, "samples", (tx, rect.y + 98 * u), 18, DIM)
        button = self.button_names.get(name, f"{name.upper()} button")
        label = "REC  " + button if lit else "hold " + button
        self.text(
            surface,
            label,
            (rect.x + 8 * u, rect.bottom - 8 * u),
            18,
            RED if lit and self._blink < 40 else DIM,
            "bottomleft",
        )

    def draw_training(self, surface: pygame.Surface, app: Any) -> None:
        u = self.u
        surface.fill(BG)
        arcade = app.arcade
        running = arcade.training_running
        result = arcade.result
        failed = result is not None and not result.ok
        title = (
            "Learning your poses..."
            if running
            else "Training failed"
            if failed
            else ("Training done")
        )
        self.text(surface, title, (16 * u, 10 * u), 34, RED if failed else YELLOW)
        bar = pygame.Rect(round(16 * u), round(56 * u), self.w - round(32 * u), round(22 * u))
        pygame.draw.rect(surface, PANEL, bar, border_radius=round(4 * u))
        progress = app.progress if running or failed else 1.0
        fill = bar.copy()
        fill.w = round(bar.w * max(0.0, min(1.0, progress)))
        pygame.draw.rect(surface, RED if failed else GREEN, fill, border_radius=round(4 * u))
        self.text(surface, f"{progress:.0%}", bar.center, 20, TEXT, "center")
        plot = pygame.Rect(round(56 * u), round(100 * u), self.w - round(80 * u), round(250 * u))
        self.loss_curve(surface, plot, app.losses, app.total_batches)
        y = plot.bottom + 18 * u
        if result is None:
            self.text(
                surface,
                app.train_info,
                (16 * u, y),
                20,
                DIM,
            )
        elif result.ok:
            acc = (
                "not measured (too few samples)"
                if result.accuracy is None
                else (f"{result.accuracy:.0%}")
            )
            self.text(surface, f"Held-out accuracy: {acc}", (16 * u, y), 34, GREEN)
            self.text(
                surface,
                "PLAY to play    hold a button to record more",
                (16 * u, y + 36 * u),
                22,
                TEXT,
            )
        else:  # why is in the message at the bottom
            kept = "The previous model still plays" if app.head is not None else "Nothing learned"
            self.text(surface, kept, (16 * u, y), 28, RED)
            self.text(
                surface, "Record more poses, then TRAIN again", (16 * u, y + 32 * u), 22, TEXT
            )

    def loss_curve(
        self, surface: pygame.Surface, plot: pygame.Rect, losses: list[float], total: int = 0
    ) -> None:
        """The loss per batch, left to right; ``total`` batches span the width (so the curve
        grows across the plot as training goes, and falls as it learns)."""
        u = self.u
        pygame.draw.rect(surface, PANEL, plot)
        self.text(surface, "loss", (plot.x - 6 * u, plot.y), 18, DIM, "topright")
        n = len(losses)
        if n == 0:
            return
        values = np.asarray(losses[-2000:], dtype=np.float64)
        values = values[np.isfinite(values)]
        if len(values) == 0:
            return
        top = float(values.max()) or 1.0
        self.text(surface, f"{top:.2f}", (plot.x - 6 * u, plot.y + 16 * u), 16, DIM, "topright")
        self.text(surface, "0", (plot.x - 6 * u, plot.bottom), 16, DIM, "bottomright")
        self.text(
            surface,
            f"{values[-1]:.3f}",
            (plot.right - 8 * u, plot.y + 6 * u),
            26,
            YELLOW,
            "topright",
        )
        # At most one point per pixel column.
        span = max(total, len(values))
        k = min(len(values), plot.w)
        cols = np.linspace(0, len(values) - 1, k).astype(int)
        xs = plot.x + cols * ((plot.w - 1) / max(1, span - 1))
        ys = plot.bottom - 1 - (values[cols] / top) * (plot.h - 2)
        if k == 1:
            pygame.draw.circle(surface, YELLOW, (round(xs[0]), round(ys[0])), max(2, round(3 * u)))
        else:
            pygame.draw.lines(
                surface,
                YELLOW,
                False,
                list(zip(xs.tolist(), ys.tolist(), strict=True)),
                max(1, round(2 * u)),
            )

    def draw_playing(self, surface: pygame.Surface, app: Any) -> None:
        u = self.u
        surface.fill(BG)
        panel = self.draw_game(surface, app.game)
        pad = 8 * u
        x, w = panel.x + pad, panel.w - 2 * pad
        box = pygame.Rect(round(x), round(panel.y + pad), round(w), round(w * 0.75))
        self.preview(surface, app.frame, box)
        pred = app.prediction
        y = box.bottom + 10 * u
        bar_h = 20 * u
        classes = list(pred.classes) if pred is not None else self.class_names
        for i, name in enumerate(classes):
            p = float(pred.smoothed[i]) if pred is not None else 0.0
            by = y + i * (bar_h + 6 * u)
            chosen = pred is not None and pred.name == name
            self.text(
                surface,
                name.upper(),
                (x, by + bar_h / 2),
                18,
                YELLOW if chosen else TEXT,
                "midleft",
            )
            bx = x + 62 * u
            back = pygame.Rect(round(bx), round(by), round(w - 62 * u), round(bar_h))
            pygame.draw.rect(surface, PANEL, back)
            front = back.copy()
            front.w = round(back.w * max(0.0, min(1.0, p)))
            pygame.draw.rect(surface, YELLOW if chosen else BLUE, front)
            self.text(surface, f"{p:.0%}", back.midright, 16, TEXT, "midright")
        y += len(classes) * (bar_h + 6 * u) + 6 * u
        request = app.request.value if app.request is not None else None
        self.text(surface, "sending", (x, y), 18, DIM)
        if request:
            self.arrow(surface, request, (x + w * 0.25, y + 44 * u), 18)
            self.text(surface, request.upper(), (x + w * 0.5, y + 44 * u), 30, YELLOW, "midleft")
        else:
            self.text(surface, "nothing (not sure)", (x, y + 30 * u), 20, DIM)
        if getattr(app.game, "game_over", False):
            self.text(
                surface,
                "PLAY for a new game",
                (panel.centerx, panel.bottom - 10 * u),
                20,
                TEXT,
                "midbottom",
            )

    def draw_game(self, surface: pygame.Surface, game: Any) -> pygame.Rect:
        """The game through the game's Renderer; returns the side panel left for the app."""
        if self.renderer is None:
            game_w = round(self.w * 0.66)
            pygame.draw.rect(surface, BLACK, (0, 0, game_w, self.h))
            return pygame.Rect(game_w, 0, self.w - game_w, self.h)
        self.renderer.draw(surface, game)
        return pygame.Rect(self.renderer.panel_rect)

    def draw_attract(self, surface: pygame.Surface, app: Any) -> None:
        u = self.u
        surface.fill(BG)
        panel = self.draw_game(surface, app.attract_game)
        cx = panel.centerx
        self.text(surface, "EdgePac", (cx, panel.y + 30 * u), 48, YELLOW, "midtop")
        lines = [
            "Steer Pac-Man",
            "with your body.",
            "",
            "Hold a button",
            "while you pose,",
            "then TRAIN, PLAY.",
        ]
        for i, line in enumerate(lines):
            self.text(surface, line, (cx, panel.y + 100 * u + i * 26 * u), 24, TEXT, "midtop")
        if self._blink < 40:
            self.text(
                surface, "Press any button", (cx, panel.bottom - 40 * u), 26, YELLOW, "midbottom"
            )

    def draw_confirm(self, surface: pygame.Surface, n: int) -> None:
        u = self.u
        box = pygame.Rect(0, 0, round(min(self.w - 40, 520 * u)), round(150 * u))
        box.center = (self.w // 2, self.h // 2)
        pygame.draw.rect(surface, BLACK, box, border_radius=round(10 * u))
        pygame.draw.rect(surface, RED, box, max(2, round(3 * u)), round(10 * u))
        self.text(
            surface, f"Clear all {n} samples?", (box.centerx, box.y + 18 * u), 36, TEXT, "midtop"
        )
        self.text(
            surface,
            "TRAIN = clear them    PLAY = keep them",
            (box.centerx, box.y + 70 * u),
            24,
            YELLOW,
            "midtop",
        )
        self.text(
            surface,
            "(no answer in 10 s keeps them)",
            (box.centerx, box.y + 104 * u),
            18,
            DIM,
            "midtop",
        )

    def draw_overlay(self, surface: pygame.Surface, app: Any) -> None:
        s = app.stats
        p95 = s.latency_ms.percentile(95)
        infer = s.infer_ms.percentile(50)
        lines = [
            f"screen {app.clock.get_fps():4.1f} fps" if app.clock else "screen",
            f"model {s.fps():4.1f} fps, {infer:.1f} ms" if infer is not None else "model -",
            f"latency p95 {p95:.1f} ms" if p95 is not None else "latency -",
            f"dropped {getattr(app.source, 'dropped', 0)}",
        ]
        u = self.u
        box = pygame.Rect(0, 0, round(190 * u), round((len(lines) * 18 + 8) * u))
        box.bottomright = (self.w - round(4 * u), self.h - round(4 * u))
        surface.blit(self.shade(box.size, 190), box)
        for i, line in enumerate(lines):
            self.text(surface, line, (box.x + 6 * u, box.y + 4 * u + i * 18 * u), 18, GREEN)


def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` pixels (a long word gets its own)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and font.size(candidate)[0] > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines or [""]
