"""Every page at every display shape: nothing cut off or off the screen, no regions on top of
each other, no screen mostly empty, the maze in its proportions, prompts and touch targets big
enough. Drawn from the screenshots' hand-built Views (no App)."""

from __future__ import annotations

import errno
import os
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pygame
import pytest

from edgepac.app import screens as sc
from edgepac.app.screens import Screen, game_renderer, layout_for
from edgepac.app.screenshots import CLASSES, views
from edgepac.app.view import Banner, View
from edgepac.game.render import COLS, ROWS

# The 7" panels, HDMI TVs, Touch Display 2 unrotated, a 3.5" SPI screen, the 7" panel mounted
# upright (display.rotate 90), a 4:3 monitor.
SIZES = [
    (800, 480),
    (1024, 600),
    (1280, 720),
    (1920, 1080),
    (720, 1280),
    (480, 320),
    (480, 800),
    (1024, 768),
]
# The large ones draw every page in seconds: the slow lane checks them.
DRAWN = [
    pytest.param(s, marks=pytest.mark.slow) if s[0] >= 1280 else s
    for s in SIZES
]
SENTINEL = (1, 2, 3)  # the margin's colour before drawing: nothing on the screen is this
MARGIN = 40


@pytest.fixture(scope="module")
def every_view() -> dict[str, View]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame.display.init()
    return views()


def rects_of(layout: object) -> dict[str, pygame.Rect]:
    return {
        f.name: getattr(layout, f.name)
        for f in fields(layout)  # type: ignore[arg-type]
        if isinstance(getattr(layout, f.name), pygame.Rect)
    }


# Regions of one page that must never share a pixel.
APART = [
    ("maze", "panel"),
    ("teach_camera", "teach_tiles", "teach_prompt"),
    ("train_camera", "train_bars", "train_side", "train_prompt"),
    ("score", "play_camera", "steer", "play_bars", "play_prompt", "play_hint"),
    ("title", "intro", "attract_prompt"),
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_each_layout_keeps_its_regions_on_the_screen_and_apart(size: tuple[int, int]) -> None:
    layout = layout_for(size)
    whole = pygame.Rect(0, 0, *size)
    rects = rects_of(layout)
    for name, rect in rects.items():
        assert rect.w > 0 and rect.h > 0 and whole.contains(rect), (name, rect)
    for group in APART:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                assert not rects[a].colliderect(rects[b]), (a, b, rects[a], rects[b])
    for name in ("score", "play_camera", "steer", "play_bars", "play_prompt", "title", "intro"):
        assert layout.panel.contains(rects[name]), name


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_maze_keeps_its_proportions_and_is_as_large_as_its_area_allows(
    size: tuple[int, int],
) -> None:
    pygame.display.init()
    screen = Screen(size, game_renderer(size), CLASSES)
    maze, renderer = screen.layout.maze, screen.renderer
    game = renderer.game_rect.move(maze.topleft)  # the renderer draws into the maze area
    assert game.w * ROWS == game.h * COLS  # exactly 28x36 tiles, square ones
    assert maze.contains(game)
    assert renderer.tile == min(maze.w // COLS, maze.h // ROWS)
    # One tile more would not fit: the area's width or its height is used up.
    assert maze.w - game.w < COLS or maze.h - game.h < ROWS
    if size[1] > size[0]:  # portrait: on top, and the panel under it
        assert maze.top == 0 and screen.layout.panel.top == maze.bottom
    else:  # landscape: at the left, the full height but for less than a tile
        assert maze.left == 0 and maze.h - game.h < ROWS


def empty_rows(a: np.ndarray) -> int:
    """The longest run of rows holding only the page's background (or black)."""
    plain = np.all((a == sc.BG) | (a == (0, 0, 0)), axis=-1).all(axis=0)
    best = run = 0
    for empty in plain:
        run = run + 1 if empty else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("size", DRAWN, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_its_screen(every_view: dict[str, View], size: tuple[int, int]) -> None:
    """Drawn on a larger surface, nothing lands right of or under the screen; no text runs
    past the edge of what it is drawn on; prompts and the hint under them stay apart; no
    third of the screen is left empty; targets are 9 mm on the 7" panel and on the screen."""
    w, h = size
    screen = Screen(size, game_renderer(size), CLASSES)
    big = pygame.Surface((w + MARGIN, h + MARGIN))
    whole = pygame.Rect(0, 0, w, h)
    least_target = 48 * screen.layout.u - 1
    for name, view in every_view.items():
        big.fill(SENTINEL)
        screen.draw(big, view)
        where = f"{name} at {w}x{h}"
        assert screen.clipped == [], f"{where}: cut off {screen.clipped}"
        pixels = pygame.surfarray.array3d(big)
        right, below = pixels[w:, :], pixels[:, h:]
        for margin in (right, below):
            # A page that fills the whole surface fills the margin too: plainly
            plain = [np.all(margin == c, axis=-1) for c in (SENTINEL, sc.BG, (0, 0, 0))]
            stray = ~(plain[0] | plain[1] | plain[2])
            assert not stray.any(), f"{where}: drawn past the edge"
        assert empty_rows(pixels[:w, :h]) < h / 3, f"{where}: a third of the screen empty"
        for r in screen.prompt_rects:
            assert whole.contains(r), where
            hint = screen.regions.get("hint")
            assert hint is None or not hint.colliderect(r), f"{where}: hint on the prompt"
            for region in ("camera", "bars", "score", "plot", "progress"):
                other = screen.regions.get(region)
                if other is not None and view.confirm_clear is None:
                    assert not other.colliderect(r), f"{where}: prompt over {region}"
        for key, rect in screen.targets.items():
            assert rect.w >= least_target and rect.h >= least_target, (where, key, rect)
            assert whole.contains(rect), (where, key, rect)
            for r in screen.prompt_rects:  # a button over the prompt is the prompt's own
                assert not rect.colliderect(r) or rect.contains(r), f"{where}: {key} on it"
            hint = screen.regions.get("hint")
            if key != "play" or hint is None or not rect.contains(hint):  # WELCOME's skip line
                assert hint is None or not rect.colliderect(hint), f"{where}: {key} on the hint"
        buttons = list(screen.targets.values())
        if "play" in screen.targets and screen.targets["play"] == whole:
            buttons = []  # ATTRACT: the whole screen is one button
        for i, a in enumerate(buttons):  # one touch, one button
            assert a.collidelist(buttons[i + 1 :]) < 0, f"{where}: targets overlap"
        tiles = [screen.regions.get(f"tile:{p}") for p in CLASSES]
        tiles = [t for t in tiles if t is not None]
        for i, a in enumerate(tiles):
            assert whole.contains(a), where
            assert a.collidelist(tiles[i + 1 :]) < 0, f"{where}: tiles overlap"
            camera = screen.regions.get("camera")
            assert camera is None or not camera.colliderect(a), f"{where}: camera over a tile"


def ink_height(pixels: np.ndarray, rect: pygame.Rect, rgb: tuple[int, int, int]) -> int:
    """Rows of ``rect`` holding pixels of exactly the text's colour: the letters' height."""
    a = pixels[rect.left : rect.right, rect.top : rect.bottom]
    rows = np.flatnonzero(np.all(a == rgb, axis=-1).any(axis=0))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


@pytest.mark.parametrize("size", [(800, 480), (1024, 600), (720, 1280)], ids=str)
def test_prompts_are_at_least_18_px_capitals_on_the_7_inch_panels(
    every_view: dict[str, View], size: tuple[int, int]
) -> None:
    screen = Screen(size, game_renderer(size), CLASSES)
    surface = pygame.Surface(size)
    least = 18 * screen.layout.u - 1  # 18 px at 800x480, as much larger as the unit is
    inks = (sc.YELLOW, sc.GREEN, sc.PINK, sc.WHITE, sc.AMBER)
    for name, view in every_view.items():
        screen.draw(surface, view)
        colours = inks + tuple(p.colour for p in view.poses)
        pixels = pygame.surfarray.array3d(surface)
        heights = [ink_height(pixels, r, c) for r in screen.prompt_rects for c in colours]
        assert heights and max(heights) >= least, f"{name}: prompt {heights} px"


def test_a_text_cut_off_at_the_edge_is_caught() -> None:
    """The fit test above can fail: a text past the edge is recorded as clipped."""
    pygame.display.init()
    screen = Screen((800, 480), None, CLASSES)
    surface = pygame.Surface((800, 480))
    screen.text(surface, "MOVE TO STEER!", (790, 10), 20)
    assert [s for s, _ in screen.clipped] == ["MOVE TO STEER!"]
    screen.clipped = []
    screen.text(surface, "MOVE TO STEER!", (10, 10), 20, width=60)  # too long: shortened
    assert screen.clipped == [] and screen.said[-1].endswith("...")


def test_an_empty_band_is_measured() -> None:
    a = np.zeros((10, 30, 3), np.uint8)
    a[:, :5] = sc.YELLOW
    a[:, 20:] = sc.YELLOW
    assert empty_rows(a) == 15


# -- banners -------------------------------------------------------------------------------------

# The smallest banner letters: 10 px capitals at 800x480 (a banner says what went wrong and what
# to do: it must be read from a step back, like the hint's bigger sister), as much larger as the
# unit is.
BANNER_MIN_CAP = 10
BANNER_PAGES = (
    "collect-full",
    "collect-touch",
    "collect-countdown",
    "training",
    "training-touch",
    "playing",
    "playing-teaching",
    "game-over-touch",
    "attract",
    "initials",
    "welcome-back",
    "no-model",
)


def app_banners() -> dict[str, tuple[Banner, ...]]:
    """The banners the arcade really shows, made as edgepac/app makes them: each owner's lasting
    trouble with its own words (a failed export from a real Trainer), through the View's
    ``snapshot.banners``; the passing message is the Arcade's."""
    from types import SimpleNamespace

    from edgepac.app.snapshot import banners
    from edgepac.app.trainer import Trainer
    from edgepac.camera.picamera import PiCamera

    def failed_export(code: int) -> str:
        """learning.export's words when writing controller.zip fails with ``code``."""

        def export(head: object) -> None:
            path = "/home/pi/.local/state/edgepac/controller.zip"  # a word wider than a line
            raise OSError(code, os.strerror(code), path)

        exporting = Trainer(None, None, None, Path("head.npz"), export)
        exporting._export(object())
        assert exporting.problem and exporting.problem.startswith("controller.zip not written")
        return exporting.problem
    # recorder.py on ENOSPC, and FrameSource.read's words for a Pi camera that stopped.
    full = "The memory card is full: samples are not saved. Free some space"
    lost = f"no frame from the {PiCamera.name} in 0.5 s; {PiCamera.hint}"
    # arcade.py: training that failed (trainer.py's NaN message) with a model already playing.
    training_failed = (
        "Training failed (the model gives NaN: try a lower learning rate); "
        "the previous model is kept"
    )

    def made(
        camera: str | None = None,
        recorder: str | None = None,
        trainer: str | None = None,
        message: str | None = None,
    ) -> tuple[Banner, ...]:
        app = SimpleNamespace(
            inference=SimpleNamespace(camera_status=camera, error=None),
            recorder=SimpleNamespace(problem=recorder),
            trainer=SimpleNamespace(problem=trainer, waiting=None),
            games=SimpleNamespace(problem=None),
            arcade=SimpleNamespace(message_text=lambda: message),
        )
        return banners(app)

    return {
        "info": made(message="Kept your samples"),
        "full-card": made(recorder=full),
        "camera-lost": made(camera=lost),
        "export-denied": made(trainer=failed_export(errno.EACCES)),
        "full-card-and-export": made(recorder=full, trainer=failed_export(errno.ENOSPC)),
        "camera-lost-and-training-failed": made(camera=lost, message=training_failed),
    }


def ink_lines(pixels: np.ndarray, rect: pygame.Rect, rgb: tuple[int, int, int]) -> list[int]:
    """The height of each run of rows of ``rect`` holding the ink colour: one per text line."""
    a = pixels[rect.left : rect.right, rect.top : rect.bottom]
    rows = np.all(a == rgb, axis=-1).any(axis=0)
    runs, run = [], 0
    for inked in rows:
        if inked:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return [*runs, run] if run else runs


@pytest.mark.parametrize("size", DRAWN, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_shows_the_apps_banners_whole_readable_and_clear_of_prompts_and_targets(
    every_view: dict[str, View], size: tuple[int, int]
) -> None:
    """Errors, warnings and passing messages as the app makes them (a long one, two at once) on
    every page: inside the screen, every word shown (none cut off, no line left out), letters
    no smaller than BANNER_MIN_CAP, never over a prompt, a touch target, the hint, the score or
    each other."""
    w, h = size
    screen = Screen(size, game_renderer(size), CLASSES)
    big = pygame.Surface((w + MARGIN, h + MARGIN))
    whole = pygame.Rect(0, 0, w, h)
    least = BANNER_MIN_CAP * screen.layout.u - 1
    for page in BANNER_PAGES:
        for kind, banners in app_banners().items():
            view = replace(every_view[page], banners=banners)
            big.fill(SENTINEL)
            screen.draw(big, view)
            where = f"{page} with {kind} at {w}x{h}"
            assert screen.clipped == [], f"{where}: cut off {screen.clipped}"
            pixels = pygame.surfarray.array3d(big)
            for margin in (pixels[w:, :], pixels[:, h:]):
                plain = [np.all(margin == c, axis=-1) for c in (SENTINEL, sc.BG, (0, 0, 0))]
                stray = ~(plain[0] | plain[1] | plain[2])
                assert not stray.any(), f"{where}: drawn past the edge"
            shown = "".join(screen.said).replace(" ", "")
            for b in banners:
                assert b.text.replace(" ", "") in shown, f"{where}: {b.text!r} not all shown"
            boxes = {k: r for k, r in screen.regions.items() if k.startswith("banner:")}
            if not boxes:  # drawn before each banner had its own region: the two kinds
                boxes = {k: r for k, r in screen.regions.items() if k in ("errors", "message")}
            assert boxes, where
            names = list(boxes)
            for i, name in enumerate(names):
                box = boxes[name]
                assert whole.contains(box), f"{where}: {name} {box} off the screen"
                for other in names[i + 1 :]:
                    assert not box.colliderect(boxes[other]), f"{where}: {name} on {other}"
                for r in screen.prompt_rects:
                    assert not box.colliderect(r), f"{where}: {name} over the prompt"
                for key, target in screen.targets.items():
                    if target != whole:  # ATTRACT: the whole screen is one button
                        assert not box.colliderect(target), f"{where}: {name} over {key}"
                for region in ("hint", "score"):
                    other = screen.regions.get(region)
                    assert other is None or not box.colliderect(other), f"{where}: over {region}"
                u = screen.layout.u  # not the round corners, nor the message's frame:
                inside = box.inflate(-2 * round(8 * u), -2 * max(1, round(3 * u)))
                inks = [ink_lines(pixels, inside, c) for c in (sc.WHITE, sc.AMBER)]
                heights = max(inks, key=len)
                assert heights and min(heights) >= least, f"{where}: {name} letters {heights}"
