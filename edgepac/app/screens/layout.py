"""Where each page puts what, for one display shape: a ``Layout`` is a set of rectangles.

Pages draw a ``View`` into the rectangles they get here and compute nothing from the screen's
size themselves, so a new display shape is one more function returning a Layout, not an edit
in every page. ``layout_for`` picks one by aspect ratio and size:

    landscape   wider than tall (800x480 and 1024x600 7" panels, 1280x720 and 1920x1080 TVs,
                480x320 3.5" SPI screens, 4:3 monitors): the maze at the left, full height;
                the teaching pages put the camera left and the tiles right.
    portrait    taller than wide (720x1280, Touch Display 2 unrotated): the maze on top, full
                width; the camera, bars and prompts below it; the teaching pages stack the
                camera, the tiles and the prompt.

``u`` is the size unit: one pixel on the 800x480 panel (or on it turned upright, 480x800),
larger on larger screens. ``compact`` marks screens too small for the small print (480x320):
pages leave the least needed words out rather than letting them run off the edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from edgepac.game.render import COLS, MIN_TILE, ROWS, Renderer

Rect = pygame.Rect


@dataclass(frozen=True)
class Layout:
    """The rectangles of every page for one screen size (in the logical, unrotated surface)."""

    name: str  # "landscape" or "portrait"
    size: tuple[int, int]
    u: float  # one pixel on the 800x480 panel
    compact: bool  # too small for the small print: leave it out
    # PLAYING and ATTRACT: the game's area (the Renderer centres the 28x36 maze in it, at an
    # integer number of pixels per tile) and the app's panel beside or below it.
    maze: Rect
    panel: Rect
    # COLLECT and WELCOME: the camera, the pose tiles, the next-step prompt.
    teach_camera: Rect
    teach_tiles: Rect
    teach_prompt: Rect
    # TRAINING: the camera, the bars (or counts) near it, the column with the progress bar,
    # the curve and the result, how tall the curve is, and the prompt.
    train_camera: Rect
    train_bars: Rect
    train_side: Rect
    plot_h: int
    train_prompt: Rect
    # PLAYING's panel: the score line, the camera (a square), the direction being sent, the
    # bars (or the table at GAME OVER), the prompt and the small hint under it.
    score: Rect
    play_camera: Rect
    steer: Rect
    play_bars: Rect
    play_prompt: Rect
    play_hint: Rect
    # ATTRACT's panel: the title, the table or the how-to, the prompt.
    title: Rect
    intro: Rect
    attract_prompt: Rect
    # INITIALS and PROBLEM: a box as tall as the 800x480 picture (480 units), centred.
    middle: Rect
    # Where errors and messages go first on each page, clear of its prompt and buttons: over
    # the camera while teaching or training, between the score and the prompt while playing
    # (never over the maze), over the high scores in ATTRACT. Other pages use the whole screen.
    teach_banners: Rect
    train_banners: Rect
    play_banners: Rect
    attract_banners: Rect

    @property
    def w(self) -> int:
        return self.size[0]

    @property
    def h(self) -> int:
        return self.size[1]


def layout_for(size: tuple[int, int]) -> Layout:
    """The layout for a screen of ``size`` (width, height in pixels)."""
    w, h = size
    return portrait(size) if h > w else landscape(size)


def landscape(size: tuple[int, int]) -> Layout:
    w, h = size
    u = min(h / 480.0, w / 800.0)
    # The maze full height at whole pixels per tile; the panel gets everything else (at
    # 800x480 the maze is 364 px wide and the panel 436).
    tile = max(MIN_TILE, h // ROWS)
    panel_w = max(0, min(w - COLS * tile, int(w * 0.6)))
    maze = Rect(0, 0, w - panel_w, h)
    panel = Rect(maze.right, 0, panel_w, h)
    top = round(48 * u)  # under the header line

    cam = Rect(round(16 * u), top, round(w * 0.5), round(300 * u))
    cam.w = min(cam.w, round(cam.h * 4 / 3))
    gx = cam.right + 12 * u
    tiles = Rect(round(gx), top, round(w - gx - 16 * u), cam.h)
    teach_prompt = Rect(0, cam.bottom + round(6 * u), w, h - cam.bottom - round(34 * u))

    left_w = round(w * 0.4)
    tcam = Rect(round(16 * u), top, left_w, round(left_w * 0.75))
    tbars = Rect(tcam.x, tcam.bottom + round(8 * u), tcam.w, 0)
    tbars.h = round(h * 0.82) - tbars.y
    rx = tcam.right + round(20 * u)
    side = Rect(rx, top, w - rx - round(16 * u), round(h * 0.82) - top)
    train_prompt = Rect(0, round(h * 0.82), w, round(h * 0.18))

    pad = round(12 * u)
    x, pw = panel.x + pad, panel.w - 2 * pad
    score_bottom = round(pad + 58 * u)
    score = Rect(panel.x, panel.y, panel.w, score_bottom - panel.y)
    side_px = round(min(pw * 0.55, h * 0.40))
    pcam = Rect(x, score_bottom, side_px, side_px)
    steer = Rect(pcam.right, pcam.y, panel.right - pad - pcam.right, pcam.h)
    compact = u < 0.75
    # A 3.5" screen wraps the prompt to two lines: it takes some of the bars' room.
    prompt_y, prompt_h = (0.75, 0.18) if compact else (0.82, 0.12)
    pbars = Rect(x, pcam.bottom + round(8 * u), pw, round(h * (prompt_y - 0.02)) - pcam.bottom)
    play_prompt = Rect(panel.x, round(h * prompt_y), panel.w, round(h * prompt_h))
    play_hint = Rect(panel.x, play_prompt.bottom, panel.w, h - play_prompt.bottom)

    title = Rect(panel.x, 0, panel.w, round(120 * u))
    intro = Rect(panel.x + round(24 * u), title.bottom, panel.w - round(48 * u), 0)
    intro.h = round(h * 0.82) - intro.y
    attract_prompt = Rect(panel.x, round(h * 0.82), panel.w, round(h * 0.16))
    return Layout(
        name="landscape",
        size=(w, h),
        u=u,
        compact=compact,
        maze=maze,
        panel=panel,
        teach_camera=cam,
        teach_tiles=tiles,
        teach_prompt=teach_prompt,
        train_camera=tcam,
        train_bars=tbars,
        train_side=side,
        plot_h=round(150 * u),
        train_prompt=train_prompt,
        score=score,
        play_camera=pcam,
        steer=steer,
        play_bars=pbars,
        play_prompt=play_prompt,
        play_hint=play_hint,
        title=title,
        intro=intro,
        attract_prompt=attract_prompt,
        middle=_middle(w, h, u),
        teach_banners=Rect(cam.x, 0, cam.w, cam.bottom),
        train_banners=Rect(tcam.x, 0, tcam.w, tbars.bottom),
        play_banners=Rect(x, score.bottom, pw, play_prompt.y - score.bottom),
        attract_banners=Rect(x, title.bottom, pw, attract_prompt.y - title.bottom),
    )


def portrait(size: tuple[int, int]) -> Layout:
    w, h = size
    u = min(w / 480.0, h / 800.0)  # the 800x480 picture turned upright
    pad = round(12 * u)
    top = round(48 * u)

    # The maze full width, as large as leaves the panel under it room for the camera, the
    # bars and the prompt (300 units; the Renderer centres whole tiles in its area).
    maze = Rect(0, 0, w, max(h - round(300 * u), ROWS * MIN_TILE))  # the smallest maze
    panel = Rect(0, maze.bottom, w, h - maze.bottom)

    # COLLECT: the camera full width (4:3), the tiles under it, the prompt at the bottom.
    cw = w - 2 * round(16 * u)
    cam = Rect(round(16 * u), top, cw, round(cw * 0.75))
    prompt_h = round(120 * u)
    tiles = Rect(cam.x, cam.bottom + pad, cw, h - cam.bottom - pad - prompt_h - round(34 * u))
    teach_prompt = Rect(0, tiles.bottom + round(6 * u), w, prompt_h)

    # TRAINING: the camera and the bars side by side, the progress and curve under them.
    tcam = Rect(round(16 * u), top, round(cw * 0.6), round(cw * 0.6 * 0.75))
    tbars = Rect(tcam.right + pad, top, w - tcam.right - pad - round(16 * u), tcam.h)
    train_prompt = Rect(0, h - round(130 * u), w, round(100 * u))
    side = Rect(tcam.x, tcam.bottom + round(20 * u), cw, train_prompt.y - tcam.bottom - 2 * pad)
    plot_h = side.h - round(150 * u)

    # PLAYING under the maze: the score line; the camera, the direction and the bars in a
    # row; the prompt and the hint.
    score = Rect(panel.x, panel.y, panel.w, round(pad + 50 * u))
    hint_h = round(26 * u)
    play_prompt = Rect(panel.x, panel.bottom - hint_h - round(60 * u), panel.w, round(60 * u))
    play_hint = Rect(panel.x, play_prompt.bottom, panel.w, hint_h)
    side_px = play_prompt.y - score.bottom - round(8 * u)
    pcam = Rect(panel.x + pad, score.bottom, side_px, side_px)
    steer = Rect(pcam.right + pad, pcam.y, round(100 * u), side_px)
    pbars = Rect(steer.right + pad, pcam.y, panel.right - pad - steer.right - pad, side_px)

    title = Rect(panel.x, panel.y, panel.w, round(84 * u))
    attract_prompt = Rect(panel.x, panel.bottom - round(56 * u), panel.w, round(50 * u))
    intro = Rect(panel.x + round(24 * u), title.bottom, panel.w - round(48 * u), 0)
    intro.h = attract_prompt.y - intro.y
    return Layout(
        name="portrait",
        size=(w, h),
        u=u,
        compact=u < 0.75,
        maze=maze,
        panel=panel,
        teach_camera=cam,
        teach_tiles=tiles,
        teach_prompt=teach_prompt,
        train_camera=tcam,
        train_bars=tbars,
        train_side=side,
        plot_h=plot_h,
        train_prompt=train_prompt,
        score=score,
        play_camera=pcam,
        steer=steer,
        play_bars=pbars,
        play_prompt=play_prompt,
        play_hint=play_hint,
        title=title,
        intro=intro,
        attract_prompt=attract_prompt,
        middle=_middle(w, h, u),
        teach_banners=Rect(cam.x, 0, cam.w, cam.bottom),
        train_banners=Rect(tcam.x, 0, cw, tcam.bottom),
        play_banners=Rect(pad, score.bottom, w - 2 * pad, play_prompt.y - score.bottom),
        attract_banners=Rect(pad, title.bottom, w - 2 * pad, attract_prompt.y - title.bottom),
    )


def _middle(w: int, h: int, u: float) -> Rect:
    """The 800x480 picture's height, centred: pages made for a landscape panel fit in it."""
    mh = min(h, round(480 * u))
    return Rect(0, (h - mh) // 2, w, mh)


def game_renderer(size: tuple[int, int]) -> Renderer:
    """The game's Renderer for a screen of ``size``: it draws into the layout's maze area."""
    return Renderer(screen_size=layout_for(size).maze.size)
