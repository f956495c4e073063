"""WELCOME: a returning player. The camera and the pose tiles, each ticked once held for a
second (a bar fills while it is held); "hold each button for a second to refresh"."""

from __future__ import annotations

import pygame

from edgepac.app.screens.canvas import (
    BG,
    EDGE,
    GREEN,
    PANEL,
    PINK,
    PROMPT_CAP,
    YELLOW,
)
from edgepac.app.screens.layout import Layout
from edgepac.app.screens.parts import Parts
from edgepac.app.view import Colour, View


def draw(s: Parts, surface: pygame.Surface, view: View, layout: Layout) -> None:
    u = s.u
    s.camera_and_tiles(surface, view, "WELCOME BACK!")
    s.countdown(surface, view)
    welcome = view.welcome
    done = welcome.done if welcome is not None else ()
    for pose in view.poses:
        tile = s.regions.get(f"tile:{pose.name}")
        if tile is None:
            continue
        if pose.name in done:
            tick_mark(s, surface, tile)
        elif view.recording == pose.name and welcome is not None:
            hold_bar(s, surface, tile, welcome.held, pose.colour)
    area = layout.teach_prompt
    if view.recording and welcome is not None and welcome.held >= 1.0:
        s.prompt(surface, "GOT IT! LET GO", area, GREEN, PROMPT_CAP + 4)
    elif view.recording:
        s.prompt(surface, "KEEP POSING...", area, PINK, PROMPT_CAP + 4)
    else:
        prompt = "HOLD EACH BUTTON FOR A SECOND TO REFRESH"
        if view.touch:
            prompt = "HOLD EACH TILE FOR A SECOND TO REFRESH"
        elif view.keyboard:
            prompt = "HOLD EACH ARROW KEY FOR A SECOND TO REFRESH"
        s.prompt(surface, prompt, area, YELLOW, PROMPT_CAP + 4)
    if view.message is None:
        left = len(welcome.poses) - len(done) if welcome is not None else 0
        play = s.key(view, "PLAY", "P")
        small = f"{play} skips: yesterday's moves still play    {left} to go, in any order"
        hint = s.footer(surface, small, size=10, lift=12)
        frame = s.target("play", hint.inflate(round(24 * u), round(12 * u)))
        pygame.draw.rect(surface, EDGE, frame, max(1, round(2 * u)), round(8 * u))


def tick_mark(s: Parts, surface: pygame.Surface, tile: pygame.Rect) -> None:
    """A pose refreshed on WELCOME: a big green tick over its picture, DONE under it."""
    u = s.u
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
    s.text(surface, "DONE", (tile.x + 12 * u, label.centery), 9, GREEN, "midleft", PANEL)
    s.regions["done"] = s.regions.get("done", tile).union(tile)


def hold_bar(
    s: Parts, surface: pygame.Surface, tile: pygame.Rect, held: float, colour: Colour
) -> None:
    """The pose being held on WELCOME: a bar along the tile that is full after a second."""
    u = s.u
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
    s.regions["hold"] = bar
