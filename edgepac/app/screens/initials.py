"""INITIALS: NEW HIGH SCORE. Three letters chosen with the buttons (or by touch)."""

from __future__ import annotations

from dataclasses import replace

import pygame

from edgepac.app.screens.canvas import (
    BG,
    BLACK,
    DIM,
    EDGE,
    PANEL,
    PINK,
    PROMPT_CAP,
    PROMPT_MIN_CAP,
    TEXT,
    WHITE,
    YELLOW,
    blink,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import Score, View


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    u = s.u
    y0 = layout.middle.y  # the picture is 480 units tall, centred on a taller screen
    surface.fill(BLACK)
    ini = view.initials
    colour = YELLOW if blink(view.t, 0.6, 0.5) else PINK
    s.text(surface, "NEW HIGH SCORE!", (s.w / 2, y0 + 12 * u), 26, colour, "midtop", bg=BLACK)
    if ini is None:
        return
    points = f"{ini.score} POINTS  -  No. {ini.rank}"
    s.text(surface, points, (s.w / 2, y0 + 60 * u), 13, WHITE, "midtop", bg=BLACK)
    letters = ini.letters.upper().ljust(ini.length, " ")[: ini.length]
    cur = min(len(ini.letters), ini.length) - 1
    side, gap = round(64 * u), round(18 * u)
    x0 = s.w / 2 - (ini.length * side + (ini.length - 1) * gap) / 2
    y = round(y0 + 112 * u)
    for i, ch in enumerate(letters):
        r = pygame.Rect(round(x0 + i * (side + gap)), y, side, side)
        active = i == cur
        edge = YELLOW if active else EDGE
        s.box(surface, r, PANEL if active else BG, edge, 4 if active else 2)
        ink = YELLOW if active else WHITE
        s.text(surface, ch if ch != " " else ".", r.center, 26, ink, "center")
        if active:
            s.arrow(surface, "up", (r.centerx, r.y - 14 * u), 8, YELLOW)
            s.arrow(surface, "down", (r.centerx, r.bottom + 14 * u), 8, YELLOW)
            # By touch: the upper half and the arrow above are UP, the lower half DOWN.
            reach = round(24 * u)  # to the arrow, short of the prompt under the letters
            s.target("up", pygame.Rect(r.x, r.y - reach, r.w, r.h // 2 + reach))
            s.target("down", pygame.Rect(r.x, r.centery, r.w, r.h - r.h // 2 + reach))
    # LEFT and RIGHT move between the letters (RIGHT on the last one saves); PLAY: done.
    row = pygame.Rect(round(x0), y, round(ini.length * side + (ini.length - 1) * gap), side)
    for name, dx in (("left", -1), ("right", 1)):
        at = (row.x - 34 * u, row.centery) if dx < 0 else (row.right + 34 * u, row.centery)
        s.arrow(surface, name, at, 12, TEXT)
        hit = pygame.Rect(0, 0, side, side)
        hit.center = (round(at[0]), round(at[1]))
        s.target(name, hit)
    done = s.render("DONE", 14, BLACK)
    button = done.get_rect().inflate(round(28 * u), round(26 * u))
    button.midleft = (round(row.right + 76 * u), row.centery)
    beside = button.right <= s.w - 8 * u  # else it goes under the table (a narrow screen)
    up_down = s.key(view, "UP / DOWN", "UP / DOWN KEYS")
    ask = f"{up_down}: CHOOSE A LETTER"
    cap, lines = s.fit(ask, s.w - 24 * u, PROMPT_CAP, PROMPT_MIN_CAP)
    tall = max(round(46 * u), len(lines) * s.line_height(s.font(cap)) + round(8 * u))
    area = pygame.Rect(0, round(y + side + 24 * u), s.w, tall)
    s.prompt(surface, ask, area, YELLOW, bg=BLACK)
    nxt = s.key(view, "LEFT / RIGHT: move    PLAY: done", "LEFT / RIGHT: move    P: done")
    s.text(
        surface,
        nxt,
        (s.w / 2, area.bottom + 4 * u),
        11,
        TEXT,
        "midtop",
        bg=BLACK,
        width=s.w - 32 * u,
    )
    # The table as it will be, this score in its place.
    you = Score(ini.rank, ini.score, ini.letters.upper())
    table = [s for s in view.scores if s.rank < ini.rank] + [you]
    table += [replace(s, rank=s.rank + 1) for s in view.scores if s.rank >= ini.rank]
    first = max(0, min(ini.rank - 3, len(table) - 5))
    box = pygame.Rect(0, round(area.bottom + 34 * u), round(340 * u), round(128 * u))
    box.centerx = s.w // 2
    s.score_table(surface, table[first:], ini.rank, box, rows=5, cap=11, bg=BLACK)
    if not beside:
        button.midtop = (s.w // 2, round(box.bottom + 12 * u))
    pygame.draw.rect(surface, YELLOW, button, border_radius=round(10 * u))
    surface.blit(done, done.get_rect(center=button.center))
    s.said.append("DONE")
    s.target("play", button)
    left = f"saved as it is in {ini.seconds_left:.0f} s"
    s.text(surface, left, (s.w / 2, s.h - 6 * u), 9, DIM, "midbottom", bg=BLACK)
