"""Assemble the arcade from the config: backbone, camera, game, buttons, screen.

Kept apart from ``app.py`` so the app itself takes ready parts (and tests can hand it theirs),
while ``edgepac run`` and ``edgepac demo`` build the real ones here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgepac.errors import EdgePacError

DEFAULT_SIZE = (800, 480)  # the official Raspberry Pi touch display


def make_backbone(cfg: Any, ensure_model: bool = False, path: Path | None = None) -> Any:
    from edgepac.vision.backbone import Backbone
    from edgepac.vision.models import input_size_for, resolve_model

    if cfg.model.tm and path is None:
        from edgepac.vision.tm import TmBackbone, resolve_tm

        return TmBackbone(resolve_tm(cfg.model.tm), num_threads=cfg.model.threads)
    if path is not None:
        pass
    elif ensure_model and not cfg.model.path:
        from edgepac.vision.models import ensure_model as ensure

        path = ensure()
    else:
        path = resolve_model(cfg.model.path)
    # The one input-size rule every command uses (the manifest's 224 for 0.25_128), so a head
    # made by `edgepac train --model M` fits the arcade run with the same M.
    size = input_size_for(path, cfg.model.input_size)
    return Backbone(path, input_size=size, num_threads=cfg.model.threads)


def make_source(cfg: Any) -> Any:
    """The configured camera ("auto": the Pi camera, else a webcam, else the demo player)."""
    from edgepac.camera.demo_player import DemoPlayer

    cam = cfg.camera
    if cam.source == "demo":
        # At the camera's size (640x480 by default), so the backbone crops and resizes what a
        # real camera would give it.
        return DemoPlayer(size=(cam.width, cam.height), fps=cam.fps)
    from edgepac.camera import open_source

    return open_source(cam, model_size=model_input_size(cfg))


def model_input_size(cfg: Any) -> int | None:
    """The backbone's input size for ``cfg`` (for the Pi camera's ISP), None with no model."""
    from edgepac.vision.models import input_size_for, resolve_model

    try:
        return input_size_for(resolve_model(cfg.model.path), cfg.model.input_size)
    except EdgePacError:
        return None  # no model yet: the camera gives its own size, the CPU scales


def make_autopilot() -> Any:
    from edgepac.game.controllers import Autopilot

    return Autopilot()


def screen_size(cfg: Any, headless: bool) -> tuple[int, int]:
    w, h = cfg.screen.width, cfg.screen.height
    if w and h:
        return (w, h)
    if headless or not cfg.screen.fullscreen:
        return DEFAULT_SIZE
    return (0, 0)  # pygame: the display's own size


def build_app(
    cfg: Any,
    *,
    headless: bool = False,
    ensure_model: bool = False,
    state_dir: Path | None = None,
    source: Any = None,
    backbone: Any = None,
    model_path: Path | None = None,
    model_problem: str | None = None,
    tm_plays_first: bool = True,
) -> Any:
    """The arcade from ``cfg``. ``model_path`` is the model to run (found by the caller), or
    None with ``model_problem`` a line saying why there is none: then the arcade comes up
    without one (the screen says how to fix it, Pac-Man plays with the keyboard) and loads
    the model once it appears."""
    from edgepac import paths
    from edgepac.app.app import App
    from edgepac.game.game import Game

    # The camera first: a camera that cannot work is one line before any window opens.
    source = source or make_source(cfg)
    find_backbone = None
    if backbone is None and model_problem is not None and model_path is None:
        def find_backbone() -> Any:
            return make_backbone(cfg)  # raises EdgePacError (one line) while there is none
    elif backbone is None:
        backbone = make_backbone(cfg, ensure_model, path=model_path)
    seed = [0]

    def make_game() -> Any:
        seed[0] += 1
        return Game(seed=seed[0], difficulty=cfg.play.difficulty)

    def renderer(size: tuple[int, int]) -> Any:
        from edgepac.app.screens import game_renderer

        return game_renderer(size)

    size = screen_size(cfg, headless)
    if size == (0, 0) and headless:
        raise EdgePacError("a headless run needs a screen size: --size 800x480")
    tm: dict[str, Any] = {}
    if cfg.model.tm:
        name = tm_name(cfg, backbone)
        name = name if len(name) <= 20 else name[:18] + ".."  # the screens' chip has room for 20
        tm["model_label"] = f"TEACHABLE MACHINE: {name}"
        tm["heads_for"] = lambda bb: tm_heads(cfg, bb, plays_first=tm_plays_first)
        # Its own samples and head, beside (never over) those of EdgePac's own model.
        state_dir = state_dir or paths.state_dir() / "tm" / tm_name(cfg, backbone)
    return App(
        cfg,
        source=source,
        backbone=backbone,
        state_dir=state_dir or paths.state_dir(),
        make_game=make_game,
        autopilot=make_autopilot(),
        renderer_factory=renderer,
        screen_size=size,
        fullscreen=bool(cfg.screen.fullscreen) and not headless,
        sound=not headless,
        model_problem=model_problem,
        find_backbone=find_backbone,
        **tm,
    )


def tm_name(cfg: Any, backbone: Any) -> str:
    from edgepac.vision.tm import default_name

    return backbone.tm.name if backbone is not None else default_name(str(cfg.model.tm))


def tm_heads(cfg: Any, backbone: Any, plays_first: bool = True) -> tuple[Any, Any]:
    """A Teachable Machine model's head: to play from the start (``plays_first``) until one is
    trained here, and to start each TRAIN from (warm, its classes the game's) when the config's
    head is a dense one like TM's. Either may be None."""
    from edgepac.learning.heads import TM_RECIPE, dense_head_from_weights, make_head, with_classes
    from edgepac.poses import POSES  # the store's classes: the App's default

    tm = backbone.tm
    learning = cfg.learning
    params = learning.hyperparameters() if learning.head == "dense" else {}
    head = dense_head_from_weights(tm.W1, tm.b1, tm.W2, tm.classes, **{**params, **TM_RECIPE})
    recipe = make_head(learning.head, **learning.hyperparameters()).get_params()
    refined = learning.head == "dense" and recipe["units"] == head.units
    return (head if plays_first else None), (with_classes(head, list(POSES)) if refined else None)


def open_buttons(cfg: Any, app: Any, pin_factory: Any = None) -> Any:
    """The GPIO buttons and LEDs as ``buttons.gpio`` says, attached to ``app``; None when there
    are none ("off", or "auto" on a machine without GPIO). Close it after the app stops."""
    from edgepac.controls.buttons import open_buttons as open_gpio

    buttons = open_gpio(cfg.buttons, pin_factory=pin_factory)
    if buttons is not None:
        app.attach_buttons(buttons)
    return buttons
