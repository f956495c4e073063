"""Over any page: error banners (they stay), passing messages, the "clear everything?"
question and the fps overlay."""

from __future__ import annotations

import pygame

from edgepac.app.screens.canvas import (
    AMBER,
    BLACK,
    DIM,
    GREEN,
    PINK,
    RED,
    WHITE,
)
from edgepac.app.screens.parts import Parts
from edgepac.app.view import Severity, View


def confirm(s: Parts, surface: pygame.Surface, view: View) -> None:
    u = s.u
    q = view.confirm_clear
    if q is None:
        return
    box = pygame.Rect(0, 0, round(min(s.w - 40 * u, 600 * u)), round(290 * u))
    box.center = (s.w // 2, s.h // 2)
    s.regions["confirm"] = box
    s.box(surface, box, BLACK, RED, 4)
    s.text(
        surface,
        f"CLEAR ALL {q.samples} SAMPLES?",
        (box.centerx, box.y + 22 * u),
        20,
        WHITE,
        "midtop",
        width=box.w - 24 * u,
    )
    s.text(
        surface,
        "Your poses will be gone and the model forgotten.",
        (box.centerx, box.y + 70 * u),
        10,
        DIM,
        "midtop",
        width=box.w - 24 * u,
    )
    yes = s.key(view, "TRAIN = CLEAR THEM", "T = CLEAR THEM")
    no = s.key(view, "PLAY = KEEP THEM", "P = KEEP THEM")
    # Each answer is a button too (a touch screen has no TRAIN or PLAY to press).
    for i, (name, answer, colour) in enumerate((("train", yes, PINK), ("play", no, GREEN))):
        area = pygame.Rect(box.x, round(box.y + (100 + i * 70) * u), box.w, round(60 * u))
        s.prompt(surface, answer, area, colour, 18, bg=BLACK, button=name)
    s.prompt_text = f"{yes}\n{no}"
    s.text(
        surface,
        f"no answer in {q.seconds_left:.0f} s keeps them",
        (box.centerx, box.bottom - 14 * u),
        9,
        DIM,
        "midbottom",
    )


def figures(s: Parts, surface: pygame.Surface, view: View) -> None:
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
    u = s.u
    line_h = 18 * u
    box = pygame.Rect(0, 0, round(230 * u), round(len(lines) * line_h + 8 * u))
    box.bottomleft = (round(4 * u), s.h - round(4 * u))
    surface.blit(s.shade(box.size, 200), box)
    for i, line in enumerate(lines):
        s.text(surface, line, (box.x + 6 * u, box.y + 4 * u + i * line_h), 8, GREEN)


def errors(s: Parts, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
    """Errors stay at the top, red, until dealt with; warnings amber. While playing, under
    the camera (over the bars, which mean nothing while the camera is lost): never over the
    score line."""
    y = (area.y if s._errors_top is None else s._errors_top) + 4 * s.u
    for b in view.errors[:3]:
        color = RED if b.severity is Severity.ERROR else AMBER
        box = s.banner(surface, b.text, area, y, color, filled=True, anchor="top")
        s.regions["errors"] = s.regions.get("errors", box).union(box)
        y = box.bottom + 4 * s.u


def message(s: Parts, surface: pygame.Surface, view: View, area: pygame.Rect) -> None:
    message = view.message
    if message is not None:
        # Over the small hint under the prompt, never over the prompt or the maze.
        y = area.bottom - 4 * s.u
        box = s.banner(surface, message.text, area, y, AMBER, anchor="bottom", avoid=s.prompt_rects)
        s.regions["message"] = box
