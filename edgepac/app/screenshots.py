"""`edgepac screenshots`: every screen and state drawn to PNGs, headless, with the demo player.

Each state is a ``View`` built by hand (no App, no camera, no backbone): the demo player's
frames for the camera and the thumbnails, real games (the autopilot plays one; another runs to
GAME OVER), and a loss curve from a real head fitted on the demo player's pixels. So the docs'
pictures are what the arcade draws, and a test can check every state renders.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from edgepac.app.view import (
    Banner,
    Bars,
    CoachView,
    ConfirmClear,
    Countdown,
    Initials,
    ModelStatus,
    Page,
    Problem,
    Refresh,
    Score,
    Severity,
    Training,
    View,
    Welcome,
    poses_for,
)
from edgepac.cli import add_size
from edgepac.errors import EdgePacError
from edgepac.poses import POSES

CLASSES = POSES  # the screenshots show a head taught the four poses


def register(sub: Any) -> None:
    p = sub.add_parser(
        "screenshots",
        help="draw every screen and state to PNG files (headless)",
        description="Render every page of the arcade (collect, recording, training, playing, "
        "welcome back, teaching in a game, game over, high scores, attract, the clear question, "
        "an error, no model, initials) "
        "with the demo player, to one PNG each.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the PNGs")
    add_size(p, "800x480", "screen size (800x480)")
    p.add_argument(
        "--small",
        action="store_true",
        help="256 colours per picture (a sixth of the bytes; what docs/ uses)",
    )
    p.set_defaults(func=cmd_screenshots)


def cmd_screenshots(args: argparse.Namespace) -> int:
    size = args.size
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise EdgePacError(f"cannot make {out} ({err.strerror}): choose another --out") from None
    for path in render_all(out, size, small=args.small):
        print(path)
    return 0


def render_all(out: Path, size: tuple[int, int], small: bool = False) -> list[Path]:
    """Every state to ``out/<state>.png`` (``small``: in 256 colours); returns the paths."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame

    from edgepac.app.screens import Screen, game_renderer

    pygame.display.init()
    pygame.font.init()
    surface = pygame.Surface(size)
    screen = Screen(size, game_renderer(size), CLASSES)
    paths = []
    for name, view in views().items():
        screen.draw(surface, view)
        path = out / f"{name}.png"
        if small:
            save_small(surface, path)
        else:
            pygame.image.save(surface, str(path))
        paths.append(path)
    return paths


def save_small(surface: Any, path: Path) -> None:
    """A PNG in an adaptive 256-colour palette: the camera's noise is what makes full-colour
    screenshots 300 kB, and a palette keeps it looking the same."""
    import pygame
    from PIL import Image

    w, h = surface.get_size()
    # tobytes is pygame 2.1.3's name for tostring; Bookworm's python3-pygame is 2.1.2
    to_bytes = getattr(pygame.image, "tobytes", None) or pygame.image.tostring
    image = Image.frombytes("RGB", (w, h), to_bytes(surface, "RGB"))
    image.quantize(256, dither=Image.Dither.NONE).save(path, optimize=True)


def views() -> dict[str, View]:
    """The states shown in docs/arcade.md, by file name, in the order a visitor meets them."""
    from edgepac.app.recorder import thumbnail
    from edgepac.camera.demo_player import DemoPainter

    painter = DemoPainter(size=(640, 480))
    rng = np.random.default_rng(7)

    def frame(pose: str | None, t: float = 0.0) -> np.ndarray:
        return painter.draw(pose, rng, t)

    thumbs = {name: thumbnail(frame(name, 1.0)) for name in CLASSES}
    some = {name: thumbs[name] for name in ("up", "down", "left")}
    counts = {"up": 62, "down": 58, "left": 71, "right": 65}
    empty = poses_for(CLASSES)
    full = poses_for(CLASSES, counts, thumbs)
    losses, accuracy, learned, tested = real_losses()
    bars = Bars(CLASSES, (0.06, 0.04, 0.83, 0.07), chosen="left", sending="left")
    unsure = Bars(CLASSES, (0.31, 0.22, 0.28, 0.19))
    playing, over = games()
    table = sorted(
        [
            (18420, "ANA"),
            (12310, "JOE"),
            (9870, "MAX"),
            (over.score, "KIM"),
            (over.score // 2, "BOB"),
        ],
        reverse=True,
    )
    scores = tuple(Score(i + 1, score, name) for i, (score, name) in enumerate(table))
    mine = next(s.rank for s in scores if s.name == "KIM")
    before = tuple(  # the table while KIM signs: without KIM's game yet
        replace(s, rank=s.rank - (s.rank > mine)) for s in scores if s.rank != mine
    )
    high = scores[0].score
    collect = View(page=Page.COLLECT, poses=full, camera=frame(None), camera_seq=1)
    training = Training(
        running=True,
        progress=0.45,
        losses=tuple(losses[: len(losses) * 45 // 100]),
        total_batches=len(losses),
        poses=4,
        frames=learned,
        held_out=tested,
    )
    done = replace(
        training, running=False, progress=1.0, losses=tuple(losses), done=True, accuracy=accuracy
    )
    # With a model, COLLECT shows its live guesses too (the player stands, arms down).
    trained = replace(collect, model=ModelStatus.TRAINED, model_accuracy=accuracy, bars=unsure)
    play = replace(trained, page=Page.PLAYING, game=playing, high_score=high)
    states: dict[str, Callable[[], View]] = {
        "collect-empty": lambda: View(page=Page.COLLECT, poses=empty, camera=frame(None)),
        "collect-recording": lambda: replace(
            collect,
            poses=poses_for(CLASSES, {"up": 62, "down": 58, "left": 23}, some),
            recording="left",
            burst=23,
            camera=frame("left", 2.0),
            t=0.2,
        ),
        "collect-full": lambda: collect,
        "training": lambda: replace(
            collect, page=Page.TRAINING, training=training, camera=frame("up", 3.0)
        ),
        "training-done": lambda: replace(
            trained, page=Page.TRAINING, training=done, bars=bars, camera=frame("left", 3.5)
        ),
        "training-failed": lambda: replace(
            collect,
            page=Page.TRAINING,
            camera=frame(None, 3.2),
            training=replace(
                done,
                done=False,
                accuracy=None,
                error="the model gives NaN: try a lower learning rate",
            ),
        ),
        "collect-out-of-date": lambda: replace(
            trained,
            camera=frame("down", 6.0),
            bars=Bars(CLASSES, (0.05, 0.81, 0.08, 0.06), chosen="down"),
            model=ModelStatus.OUT_OF_DATE,
            poses=poses_for(CLASSES, {**counts, "down": 90}, thumbs),
        ),
        "playing": lambda: replace(play, bars=bars, camera=frame("left", 4.0)),
        "playing-unsure-keyboard": lambda: replace(
            play, bars=unsure, camera=frame(None, 4.0), keyboard=True
        ),
        "welcome-back": lambda: replace(
            trained, page=Page.WELCOME, welcome=Welcome(CLASSES), bars=None, t=0.3
        ),
        "welcome-holding": lambda: replace(
            trained,
            page=Page.WELCOME,
            welcome=Welcome(CLASSES, done=("up", "down"), held=0.6),
            recording="left",
            burst=14,
            camera=frame("left", 2.5),
            bars=None,
            t=0.3,
        ),
        "playing-teaching": lambda: replace(
            play,
            bars=replace(bars, sending=None),
            recording="down",
            camera=frame("down", 4.5),
            refresh=Refresh(teaching="down"),
            t=0.3,
        ),
        "playing-refresh-suggested": lambda: replace(
            play, bars=unsure, camera=frame(None, 4.2), refresh=Refresh(suggest=True)
        ),
        "game-over": lambda: replace(
            play,
            game=over,
            game_over=True,
            bars=unsure,
            camera=frame(None, 5.0),
            high_score=high,
            scores=scores,
            new_rank=mine,
        ),
        "initials": lambda: View(
            page=Page.INITIALS,
            initials=Initials(score=over.score, rank=mine, letters="KI"),
            scores=before,
            t=0.1,
        ),
        "high-scores": lambda: View(
            page=Page.ATTRACT, poses=empty, game=playing, high_score=high, scores=scores, t=1.0
        ),
        "attract": lambda: View(
            page=Page.ATTRACT, poses=empty, game=playing, high_score=high, scores=scores, t=7.0
        ),
        "clear-confirm": lambda: replace(
            trained, confirm_clear=ConfirmClear(samples=sum(counts.values()), seconds_left=8)
        ),
        "error-banner": lambda: replace(
            trained,
            model=ModelStatus.OUT_OF_DATE,
            banners=(
                Banner(
                    "Could not save the samples (No space left on device): free some space "
                    "in /var/lib/edgepac",
                    Severity.ERROR,
                ),
                Banner("Record at least two poses first", Severity.INFO),
            ),
        ),
        "camera-lost": lambda: replace(
            play,
            bars=unsure,
            banners=(Banner("Camera lost: check its cable; retrying", Severity.ERROR),),
        ),
        "no-model": lambda: View(
            page=Page.PROBLEM,
            problem=Problem(
                title="No camera model",
                fix="RUN: edgepac fetch-model",
                detail="Looked in /usr/share/edgepac/models and ~/.local/share/edgepac/models. "
                "The arcade needs a MobileNet to see poses; fetch-model downloads it once.",
            ),
        ),
        # The hands-free countdown, the coach and an imported model (the frames above stay
        # as they were: these draw theirs after them).
        "collect-countdown": lambda: replace(
            collect,
            countdown=Countdown("right", "wait", seconds_left=1.4),
            camera=frame(None, 2.2),
        ),
        "collect-countdown-recording": lambda: replace(
            collect,
            countdown=Countdown("right", "record", seconds_left=1.1, frames=27),
            camera=frame("right", 2.6),
            t=0.2,
        ),
        "collect-coached": lambda: replace(
            trained,
            model=ModelStatus.OUT_OF_DATE,
            bars=None,
            press_goal=3,
            press_hint="A bit closer",
            poses=tuple(
                replace(p, presses=n, weak=p.name == "left")
                for p, n in zip(full, (3, 3, 1, 2), strict=True)
            ),
        ),
        # Right after `run --tm my-project` (classes mapped to UP and DOWN): nothing taught
        # here, TM's model plays at once and shows what it sees; no accuracy measured here yet.
        "collect-teachable-machine": lambda: replace(
            collect,
            poses=empty,
            model=ModelStatus.TRAINED,
            bars=Bars(("up", "down"), (0.03, 0.97), chosen="down"),
            model_label="TEACHABLE MACHINE: my-project",
        ),
        "training-coach": lambda: replace(
            trained,
            page=Page.TRAINING,
            training=replace(done, accuracy=0.78),
            model_accuracy=0.78,  # the chip says what the result says
            bars=bars,
            camera=frame("left", 3.5),
            coach=CoachView(
                accuracy=(("up", 0.97), ("down", 0.91), ("left", 0.44), ("right", None)),
                advice="LEFT LOOKS LIKE UP: HOLD LEFT AGAIN AND LEAN FURTHER",
                confused=("left", "up"),
            ),
        ),
        # On the 7" Touch Display with nothing wired: tiles to hold or tap, and TEACH MORE.
        "collect-touch": lambda: replace(collect, touch=True),
        "training-touch": lambda: replace(states["training-coach"](), touch=True),
        "game-over-touch": lambda: replace(states["game-over"](), touch=True),
        # A full memory card while playing: the recorder's error and the failed export's
        # warning (a path longer than a line), as the app words them.
        "playing-banner": lambda: replace(
            play,
            banners=(
                Banner(
                    "The memory card is full: samples are not saved. Free some space",
                    Severity.ERROR,
                ),
                Banner(
                    "Controller.zip not written: [Errno 28] No space left on device: "
                    "'/home/pi/.local/state/edgepac/controller.zip'",
                    Severity.WARNING,
                ),
            ),
        ),
    }
    # Each state's camera picture is its own frame: number them as a camera would.
    return {
        name: replace(view, camera_seq=i) if view.camera is not None else view
        for i, (name, view) in enumerate((name, make()) for name, make in states.items())
    }


def games() -> tuple[Any, Any]:
    """A game the autopilot has been playing for a while, and one run to GAME OVER."""
    from edgepac.game.controllers import Autopilot
    from edgepac.game.game import Game

    playing = Game(seed=3)
    pilot = Autopilot()
    for _ in range(900):
        playing.step(pilot.request(playing))
    over = Game(seed=4)
    pilot = Autopilot()
    for i in range(60 * 60 * 10):
        if over.game_over:
            break
        # The autopilot scores a little, then nobody steers and the ghosts win.
        over.step(pilot.request(over) if i < 1500 else None)
    return playing, over


def real_losses() -> tuple[list[float], float, int, int]:
    """A real head's loss per batch, held-out accuracy, frames learned and frames tested,
    learned from the demo player's pixels (16x12, no backbone, a fraction of a second): the
    curve has the shape a visitor sees."""
    from edgepac.app.training import limit_blas_threads
    from edgepac.camera.demo_player import DemoPainter
    from edgepac.learning.heads import make_head

    painter = DemoPainter(size=(64, 48))
    rng = np.random.default_rng(1)
    X, y = [], []
    for label, pose in enumerate(CLASSES):
        for i in range(40):
            img = painter.draw(pose, rng, i * 0.1)[::4, ::4].astype(np.float32) / 255.0
            X.append(img.ravel())
            y.append(label)
    X_arr, y_arr = np.asarray(X), np.asarray(y)
    order = rng.permutation(len(y_arr))
    test, train = order[:32], order[32:]
    losses: list[float] = []
    limit_blas_threads(1)  # a tiny problem: BLAS's threads only fight over the cores
    head = make_head("dense", learning_rate=1e-3, epochs=30)
    head.fit(
        X_arr[train],
        y_arr[train],
        class_names=list(CLASSES),
        callback=lambda e, b, loss: losses.append(float(loss)),
    )
    truth = np.asarray(CLASSES)[y_arr[test]]
    accuracy = float(np.mean(np.asarray(head.predict(X_arr[test])) == truth))
    return losses, accuracy, len(train), len(test)
