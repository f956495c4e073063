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
from edgepac.app.view import Page, Severity, View


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


def banners(s: Parts, surface: pygame.Surface, view: View, errors: bool, message: bool) -> None:
    """Errors (red; warnings amber) until dealt with, then the passing message, each whole and
    readable, in the page's banner zone (``Layout.*_banners``) clear of its prompt, buttons,
    hint and score; where they do not fit there, wherever the screen has room. While playing
    they stay off the maze (over the camera and bars, which mean nothing while the camera is
    lost), unless the game is over."""
    items = []
    if errors:
        for b in view.errors[:3]:
            items.append((b.text, RED if b.severity is Severity.ERROR else AMBER, True))
    if message and view.message is not None:
        items.append((view.message.text, AMBER, False))
    if not items:
        return
    layout, screen = s.layout, pygame.Rect(0, 0, s.w, s.h)
    whole = screen.inflate(-round(16 * s.u), -round(8 * s.u))  # off the screen's very edge
    page = view.page
    if page is Page.PLAYING:
        zones = [layout.play_banners] + ([whole] if view.game_over else [layout.panel])
    elif page is Page.ATTRACT:
        zones = [layout.attract_banners, whole]
    elif page in (Page.COLLECT, Page.WELCOME):
        zones = [layout.teach_banners, whole]
    elif page is Page.TRAINING:
        zones = [layout.train_banners, whole]
    else:
        zones = [whole]
    avoid = [*s.prompt_rects, *(t for t in s.targets.values() if t != screen)]
    avoid += [s.regions[k] for k in ("hint", "score", "confirm") if k in s.regions]
    avoid += [r for k, r in s.regions.items() if k.startswith("banner:")]  # the errors, kept
    boxes = s.banners(surface, items, zones, avoid)
    first = sum(k.startswith("banner:") for k in s.regions)
    # Fewer boxes than items when the room ran out: the last ones were left out.
    for i, (box, (_, _, filled)) in enumerate(zip(boxes, items, strict=False)):
        s.regions[f"banner:{first + i}"] = box
        kind = "errors" if filled else "message"
        s.regions[kind] = s.regions.get(kind, box).union(box)
