"""PROBLEM: the arcade cannot run; what is wrong and the one thing to do."""

from __future__ import annotations

import pygame

from edgepac.app.screens.canvas import (
    BG,
    DIM,
    PINK,
    RED,
    WHITE,
    YELLOW,
    wrap,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import View


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    u = s.u
    y0 = layout.middle.y  # the picture is 480 units tall, centred on a taller screen
    surface.fill(BG)
    p = view.problem
    if p is None:
        return
    pygame.draw.circle(surface, RED, (round(s.w / 2), round(y0 + 86 * u)), round(42 * u))
    s.text(surface, "!", (s.w / 2, y0 + 86 * u), 40, WHITE, "center")
    s.text(
        surface,
        p.title.upper(),
        (s.w / 2, y0 + 150 * u),
        24,
        PINK,
        "midtop",
        bg=BG,
        width=s.w - 32 * u,
    )
    area = pygame.Rect(round(24 * u), round(y0 + 210 * u), s.w - round(48 * u), round(100 * u))
    s.prompt(surface, p.fix, area, YELLOW, 20)
    # The whole of why, however long the paths in it: as many lines as the page has room
    # for at 10 px capitals, else smaller ones (the fix above is the line to read).
    top = y0 + 330 * u
    room = s.h - 6 * u - top
    for cap in (10, 8, 6):
        lines = wrap(p.detail, s.font(cap), s.w - round(64 * u))
        step = s.line_height(s.font(cap))
        if len(lines) * step <= room:
            break
    for i, line in enumerate(lines):
        s.text(surface, line, (s.w / 2, top + i * step), cap, DIM, "midtop", bg=BG)
