"""Touch and the mouse as the arcade's buttons: real pygame events (posted through SDL's queue under
the dummy driver), the real turn of the picture, the real App."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pygame
import pytest

from edgepac.app.present import Presenter
from edgepac.controls.events import Event, Kind
from edgepac.controls.rotation import ROTATIONS, Rotation
from edgepac.controls.touch import TouchControls

WINDOW = (800, 480)
TARGETS = {
    "up": pygame.Rect(40, 300, 120, 120),
    "left": pygame.Rect(200, 300, 120, 120),
    "train": pygame.Rect(560, 300, 100, 60),
    "play": pygame.Rect(680, 300, 100, 60),
}
HOLD_UP, RELEASE_UP = Event(Kind.HOLD, "up"), Event(Kind.RELEASE, "up")


@pytest.fixture
def queue() -> Iterator[None]:
    pygame.display.init()
    pygame.display.set_mode(WINDOW)
    pygame.event.clear()
    yield
    pygame.display.quit()


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def centre(rect: pygame.Rect, size: tuple[int, int] = WINDOW) -> tuple[float, float]:
    """The rect's centre as SDL's finger events say it: normalised to the window."""
    return rect.centerx / size[0], rect.centery / size[1]


def finger(kind: int, x: float, y: float, finger_id: int = 0, touch_id: int = 7) -> None:
    pygame.event.post(
        pygame.event.Event(kind, touch_id=touch_id, finger_id=finger_id, x=x, y=y, dx=0.0, dy=0.0)
    )


def mouse(kind: int, pos: tuple[int, int], **extra: object) -> None:
    if kind == pygame.MOUSEMOTION:
        pygame.event.post(pygame.event.Event(kind, pos=pos, rel=(0, 0), buttons=(1, 0, 0), **extra))
    else:
        pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, **extra))


def tap_with_sdl_copies(rect: pygame.Rect, touch_attr: bool = True) -> None:
    """A finger tap as SDL delivers it: the finger events, and the mouse events it makes of them."""
    x, y = centre(rect)
    pos = rect.center
    extra = {"touch": True} if touch_attr else {}
    finger(pygame.FINGERDOWN, x, y)
    mouse(pygame.MOUSEBUTTONDOWN, pos, **extra)
    finger(pygame.FINGERUP, x, y)
    mouse(pygame.MOUSEBUTTONUP, pos, **extra)


def drain(controls: TouchControls, targets: dict = TARGETS) -> list[Event]:
    out: list[Event] = []
    for ev in pygame.event.get():
        out += controls.handle(ev, targets)
    return out


def test_a_finger_tap_is_one_press_and_sdls_mouse_copy_is_ignored(queue: None) -> None:
    controls = TouchControls(Rotation(0, WINDOW))
    tap_with_sdl_copies(TARGETS["up"])
    assert drain(controls) == [HOLD_UP, RELEASE_UP]
    tap_with_sdl_copies(TARGETS["play"])
    assert drain(controls) == [Event(Kind.PLAY)]  # on lift, as the PLAY button counts
    assert controls.presses == 2


def test_without_the_touch_mark_the_mouse_copy_of_a_finger_is_still_ignored(queue: None) -> None:
    # Older pygame: mouse events carry no ``touch``; one during or just after a finger is a copy.
    clock = Clock()
    controls = TouchControls(Rotation(0, WINDOW), clock=clock)
    tap_with_sdl_copies(TARGETS["train"], touch_attr=False)
    assert drain(controls) == [Event(Kind.TRAIN)]
    clock.t += 5.0  # later, a real mouse click counts
    mouse(pygame.MOUSEBUTTONDOWN, TARGETS["train"].center)
    mouse(pygame.MOUSEBUTTONUP, TARGETS["train"].center)
    assert drain(controls) == [Event(Kind.TRAIN)]


def test_a_mouse_click_works_as_a_finger_and_only_the_left_button(queue: None) -> None:
    controls = TouchControls(Rotation(0, WINDOW))
    pos = TARGETS["left"].center
    mouse(pygame.MOUSEBUTTONDOWN, pos, touch=False)
    assert drain(controls) == [Event(Kind.HOLD, "left")]
    mouse(pygame.MOUSEBUTTONUP, pos, touch=False)
    assert drain(controls) == [Event(Kind.RELEASE, "left")]
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=3, touch=False))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=3, touch=False))
    assert drain(controls) == []
    assert controls.presses == 1


def test_finger_events_sdl_makes_from_the_mouse_are_not_a_second_press(queue: None) -> None:
    controls = TouchControls(Rotation(0, WINDOW))
    pos = TARGETS["up"].center
    x, y = centre(TARGETS["up"])
    mouse(pygame.MOUSEBUTTONDOWN, pos, touch=False)
    finger(pygame.FINGERDOWN, x, y, touch_id=-1)  # SDL_MOUSE_TOUCHID
    finger(pygame.FINGERUP, x, y, touch_id=-1)
    mouse(pygame.MOUSEBUTTONUP, pos, touch=False)
    assert drain(controls) == [HOLD_UP, RELEASE_UP]


def test_sliding_off_a_held_tile_releases_it_and_off_play_cancels_it(queue: None) -> None:
    controls = TouchControls(Rotation(0, WINDOW))
    x, y = centre(TARGETS["up"])
    finger(pygame.FINGERDOWN, x, y)
    finger(pygame.FINGERMOTION, x + 0.01, y)  # still on the tile
    assert drain(controls) == [HOLD_UP]
    finger(pygame.FINGERMOTION, 0.5, 0.1)  # off it: let go, as a button coming up
    assert drain(controls) == [RELEASE_UP]
    finger(pygame.FINGERMOTION, x, y)  # back on: a button pressed elsewhere is not pressed
    finger(pygame.FINGERUP, x, y)
    assert drain(controls) == []
    px, py = centre(TARGETS["play"])
    finger(pygame.FINGERDOWN, px, py)
    finger(pygame.FINGERMOTION, 0.5, 0.1)
    finger(pygame.FINGERUP, 0.5, 0.1)
    assert drain(controls) == []  # slid off PLAY: nothing, as a phone's button


def test_two_fingers_on_one_tile_hold_it_once_and_a_miss_presses_nothing(queue: None) -> None:
    controls = TouchControls(Rotation(0, WINDOW))
    x, y = centre(TARGETS["up"])
    finger(pygame.FINGERDOWN, x, y, finger_id=1)
    finger(pygame.FINGERDOWN, x + 0.02, y, finger_id=2)
    finger(pygame.FINGERUP, x, y, finger_id=1)
    assert drain(controls) == [HOLD_UP]
    finger(pygame.FINGERUP, x + 0.02, y, finger_id=2)
    finger(pygame.FINGERDOWN, 0.5, 0.05, finger_id=3)  # nothing there
    finger(pygame.FINGERUP, 0.5, 0.05, finger_id=3)
    assert drain(controls) == [RELEASE_UP]
    assert (controls.presses, controls.missed) == (1, 1)


def test_a_small_target_on_a_whole_screen_one_wins() -> None:
    controls = TouchControls(Rotation(0, WINDOW))
    targets = {"play": pygame.Rect(0, 0, *WINDOW), "up": TARGETS["up"]}
    ev = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=TARGETS["up"].center, button=1, touch=False)
    assert controls.handle(ev, targets) == [HOLD_UP]


@pytest.mark.parametrize("degrees", ROTATIONS)
def test_a_touch_where_a_target_appears_on_the_turned_panel_lands_on_it(degrees: int) -> None:
    """The picture is turned by the app's own presenter; a finger where each target shows on the
    physical panel (found from the pixels) presses that target."""
    pygame.display.init()
    try:
        window = (720, 1280)  # Touch Display 2, natively portrait
        display = pygame.display.set_mode(window)
        presenter = Presenter(display, degrees)
        lw, lh = presenter.size
        assert (lw, lh) == ((1280, 720) if degrees in (90, 270) else (720, 1280))
        # Off-centre targets: a wrong turn or mirror puts the finger on another one or none.
        targets = {
            "up": pygame.Rect(10, 10, lw // 5, lh // 6),
            "train": pygame.Rect(lw - lw // 4 - 20, lh // 3, lw // 4, lh // 8),
            "play": pygame.Rect(lw // 3, lh - lh // 5 - 5, lw // 3, lh // 5),
        }
        colours = {"up": (255, 0, 0), "train": (0, 255, 0), "play": (0, 0, 255)}
        presenter.surface.fill((0, 0, 0))
        for name, rect in targets.items():
            presenter.surface.fill(colours[name], rect)
        presenter.present()
        pixels = pygame.surfarray.array3d(display)  # [x, y, rgb] of the physical panel
        controls = TouchControls(presenter.rotation)
        for name, colour in colours.items():
            xs, ys = np.nonzero(np.all(pixels == colour, axis=2))
            assert len(xs) > 0, name
            # The middle of where it shows, normalised to the window as SDL gives fingers.
            x = (xs.min() + xs.max() + 1) / 2 / window[0]
            y = (ys.min() + ys.max() + 1) / 2 / window[1]
            down = pygame.event.Event(
                pygame.FINGERDOWN, touch_id=1, finger_id=0, x=x, y=y, dx=0.0, dy=0.0
            )
            up = pygame.event.Event(pygame.FINGERUP, touch_id=1, finger_id=0, x=x, y=y, dx=0, dy=0)
            turn = presenter.rotation  # and back: where the demo's fingers land
            assert turn.to_window(*turn.to_logical(x * 720, y * 1280)) == pytest.approx(
                (x * 720, y * 1280)
            )
            got = controls.handle(down, targets) + controls.handle(up, targets)
            want = (
                [Event(Kind.HOLD, name), Event(Kind.RELEASE, name)]
                if name == "up"
                else [Event(Kind.TRAIN if name == "train" else Kind.PLAY)]
            )
            assert got == want, (degrees, name)
    finally:
        pygame.display.quit()


def test_a_bad_rotation_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match="0, 90, 180, 270"):
        Rotation(45, WINDOW)


# -- the real App: touch on the screen's own targets ---------------------------------------------


def post_tap(app: Any, name: str, lift: bool = True) -> None:
    """A finger on the middle of target ``name`` as the player sees it (through the turn), with
    SDL's mouse copy of it; ``lift``: and up again."""
    rect = app.targets()[name]
    w, h = app.presenter.rotation.window
    x, y = physical(app.presenter.rotation, rect.center)
    finger(pygame.FINGERDOWN, x / w, y / h)
    mouse(pygame.MOUSEBUTTONDOWN, (round(x), round(y)), touch=True)
    if lift:
        finger(pygame.FINGERUP, x / w, y / h)
        mouse(pygame.MOUSEBUTTONUP, (round(x), round(y)), touch=True)


def physical(rotation: Rotation, point: tuple[float, float]) -> tuple[float, float]:
    """Where a logical point shows on the panel (and back again)."""
    x, y = rotation.to_window(*point)
    assert rotation.to_logical(x, y) == pytest.approx(point)
    return x, y


@pytest.mark.timing
def test_a_hidden_cursor_does_not_stop_touch_and_a_tap_on_attract_starts(tmp_path: Path) -> None:
    from helpers import run_until
    from test_app_runtime import no_model_app

    with no_model_app(tmp_path, **{"screen.attract_after_s": 0.3}) as app:
        pygame.mouse.set_visible(False)  # as the kiosk (full screen) has it
        run_until(app, lambda a: a.arcade.attract and "play" in a.targets())
        post_tap(app, "play")
        run_until(app, lambda a: not a.arcade.attract)
        assert app.figures()["touches"] == 1


@pytest.mark.model
@pytest.mark.timing
@pytest.mark.parametrize("degrees", [0, 90])
def test_a_tap_on_a_tile_counts_down_then_records_a_burst(
    tmp_path: Path, model_025_128: Path, degrees: int
) -> None:
    from helpers import make_app, run_until

    from edgepac.vision.backbone import Backbone

    backbone = Backbone(model_025_128, num_threads=1)
    settings = {"collect.countdown_s": 0.6, "collect.burst_s": 0.8, "display.rotate": degrees}
    with make_app(tmp_path, backbone, **settings) as app:
        assert app.presenter.surface.get_size() == app.screen_size
        app.source.pose = "up"
        run_until(app, lambda a: a.frame is not None and "up" in a.targets())
        post_tap(app, "up")
        run_until(app, lambda a: a.view().countdown is not None)
        view = app.view()
        assert (view.countdown.pose, view.countdown.phase) == ("up", "wait")
        assert view.recording is None
        before = app.recorder.counts.get("up", 0)
        run_until(app, lambda a: a.arcade.countdown(a.clock()) is not None and a.view().recording)
        view = app.view()  # no frame drawn in between: the same moment
        assert (view.countdown.phase, view.recording) == ("record", "up")
        run_until(app, lambda a: a.view().countdown is None)
        frames = app.recorder.counts["up"] - before
        assert frames >= 3  # about 0.8 s of the camera's frames, recorded hands-free
        assert app.arcade.recording is None and app.recorder.recording is None
        assert app.figures()["touches"] == 1


# -- the doctor's line -------------------------------------------------------------------------

# /proc/bus/input/devices as a 64-bit Pi with the official 7" panel (ft5x06), a USB keyboard and
# a laptop-style touchpad shows it (bitmaps as the kernel prints them: highest word first).
PROC_DEVICES = """\
I: Bus=0018 Vendor=0000 Product=0000 Version=0000
N: Name="generic ft5x06 (79)"
P: Phys=
S: Sysfs=/devices/platform/rpi_ft5406
H: Handlers=mouse0 event4
B: PROP=2
B: EV=b
B: KEY=400 0 0 0 0 0
B: ABS=260800000000003

I: Bus=0003 Vendor=046d Product=c31c Version=0110
N: Name="Logitech USB Keyboard"
H: Handlers=sysrq kbd leds event0
B: PROP=0
B: EV=120013
B: KEY=1000000000007 ff9f207ac14057ff febeffdfffefffff fffffffffffffffe

I: Bus=0018 Vendor=06cb Product=7e7e Version=0100
N: Name="SYNA7DB5:01 06CB:7E7E Touchpad"
H: Handlers=mouse1 event7
B: PROP=5
B: EV=1b
B: KEY=e520 10000 0 0 0 0
B: ABS=2e0800000000003
"""


def test_the_doctor_names_the_touchscreen_and_not_the_touchpad(tmp_path: Path) -> None:
    from edgepac.controls.doctor import has_touchscreen, touch_check, touchscreens

    panel = [("generic ft5x06 (79)", "/dev/input/event4")]
    assert touchscreens(PROC_DEVICES, long_bits=64) == panel
    # A 32-bit kernel prints 32-bit words: BTN_TOUCH is then the 11th word's bit 10.
    resistive = PROC_DEVICES.split("\n\n")[0].replace("400 0 0 0 0 0", "400" + " 0" * 10)
    resistive = resistive.replace("260800000000003", "3").replace("PROP=2", "PROP=0")
    assert touchscreens(resistive, long_bits=32) == panel
    devices = tmp_path / "devices"
    devices.write_text(PROC_DEVICES)
    line = touch_check(devices)
    assert line.ok and "generic ft5x06 (79) (/dev/input/event4)" in line.detail
    assert has_touchscreen(devices)  # the pages then say "HOLD OR TAP", not a button
    devices.write_text(PROC_DEVICES.split("\n\n", 1)[1])  # the keyboard and the touchpad only
    line = touch_check(devices)
    assert line.ok and line.detail.startswith("no touchscreen found")
    assert not has_touchscreen(devices) and not has_touchscreen(tmp_path / "missing")
    assert touch_check(tmp_path / "missing").detail.startswith("no touchscreen found")


# -- the whole flow by touch (the demo's fingers) ----------------------------------------------


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timing
def test_the_whole_flow_by_touch_on_a_turned_portrait_panel(
    tmp_path: Path, model_025_128: Path
) -> None:
    """Touch Display 2 (720x1280) mounted landscape (display.rotate = 90): the demo's fingers
    wake the kiosk, record the four poses, TRAIN, PLAY and sign the table, each by SDL finger
    events (with SDL's mouse copies) where the turned screen shows the targets."""
    from edgepac.app.build import build_app, make_autopilot, make_source
    from edgepac.app.config import load_config
    from edgepac.app.demo import Director, Fingers
    from edgepac.game.game import Phase

    cfg = load_config(
        [],
        {
            "camera.source": "demo",
            "screen.fullscreen": False,
            "screen.width": 720,
            "screen.height": 1280,
            "screen.attract_after_s": 0.5,
            "display.rotate": 90,
            "buttons.gpio": "off",
        },
    )
    app = build_app(cfg, headless=True, state_dir=tmp_path, source=make_source(cfg),
                    model_path=model_025_128)
    director = Director(app.source, app.post, make_autopilot(), samples=12, play_seconds=3.0)
    director.fingers = Fingers()
    caught = []

    def until(a: Any) -> bool:
        if director.phase == "initials" and not caught:
            # Pac-Man caught on his last life with a score for the table (a whole game's lives
            # take a minute; 3 s of play are mostly READY!).
            game = a.game
            game.score = max(game.score, 1230)
            game.lives, game.phase, game.phase_left = 1, Phase.DYING, 1
            caught.append(game)
        return director(a)

    with app:
        assert app.screen_size == (1280, 720)  # the pages lay out landscape
        app.run(until=until)
        figures = app.figures()
        table = app.games.high_scores.entries
    assert director.phase == "done"
    # Wake, four poses, TRAIN, PLAY, then five taps for the initials: each finger one press.
    assert figures["touches"] == director.fingers.taps >= 12
    assert all(app.arcade.counts[p] >= 12 for p in app.class_names)
    assert director.initials == "BCA" and table[0].name == "BCA"
    assert director.accuracy is not None and director.accuracy > 0.6


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timing
def test_demo_timed_records_each_pose_by_a_tap(
    model_025_128: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from edgepac.cli import main

    args = ["demo", "--headless", "--json", "--timed", "--model", str(model_025_128)]
    args += ["--input-size", "224", "--play-seconds", "3"]
    args += ["--set", "collect.countdown_s=0.5", "--set", "collect.burst_s=1"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["timed"] and not out["touch"] and out["touches"] == 0
    # A second of each pose, hands-free (a tap's own frame or two besides): ~30 at 30 fps.
    assert all(10 <= n <= 45 for n in out["frames_per_pose"].values()), out["frames_per_pose"]
    assert out["accuracy"] > 0.6
    assert main([*args, "--set", "collect.burst_s=0"]) == 2
    assert "collect.burst_s" in capsys.readouterr().err


# -- back to teaching by touch alone -------------------------------------------------------------


@pytest.mark.timing
def test_game_over_has_teach_more_and_a_tap_on_it_goes_back_to_teaching(tmp_path: Path) -> None:
    """A kiosk with no buttons wired: from GAME OVER only a pose button's hold went back to
    COLLECT. TEACH MORE is a target of its own (BACK), 48 px or more, and a finger on it does."""
    from helpers import run_until
    from test_app_runtime import no_model_app

    from edgepac.app.arcade import State
    from edgepac.game.game import Phase

    with no_model_app(tmp_path) as app:
        app.post(Event(Kind.PLAY))
        run_until(app, lambda a: a.arcade.state is State.PLAYING and a.game is not None)
        assert "back" not in app.targets()  # in the game, nothing to touch sends it away
        game = app.game
        game.lives, game.phase, game.phase_left = 1, Phase.DYING, 1  # caught on his last life
        run_until(app, lambda a: a.view().game_over and "play" in a.targets(), timeout=5)
        app.touch_found = False  # as on a machine without a touchscreen
        assert not app.view().touch  # no finger yet
        miss = pygame.Rect(0, 0, 2, 2)  # a finger on the maze: this screen takes touches
        finger(pygame.FINGERDOWN, *centre(miss, app.presenter.rotation.window))
        finger(pygame.FINGERUP, *centre(miss, app.presenter.rotation.window))
        run_until(app, lambda a: a.view().touch and "back" in a.targets(), timeout=5)
        view = app.view()
        assert view.touch and view.game_over and app.arcade.state is State.PLAYING
        back = app.targets()["back"]
        least = 48 * app.screen.layout.u
        assert back.w >= least - 1 and back.h >= least - 1
        assert "TEACH MORE" in app.screen.said
        post_tap(app, "back")
        run_until(app, lambda a: a.arcade.state is State.COLLECT, timeout=5)
        assert app.figures()["touches"] == 1  # the miss pressed nothing; TEACH MORE once


@pytest.mark.model
@pytest.mark.timing
def test_after_training_teach_more_by_touch_goes_back_to_the_tiles(
    tmp_path: Path, model_025_128: Path
) -> None:
    """Two poses held on their tiles, TRAIN tapped: LEARNED! shows PLAY and TEACH MORE; a
    finger on TEACH MORE goes back to COLLECT (a kiosk had only a pose button's hold for it)."""
    from helpers import make_app, run_until

    from edgepac.app.arcade import State
    from edgepac.app.view import Page
    from edgepac.vision.backbone import Backbone

    backbone = Backbone(model_025_128, num_threads=1)
    with make_app(tmp_path, backbone, **{"learning.dense.epochs": 3}) as app:
        app.touch_found = False  # as on a machine without a touchscreen: the fingers tell it
        for pose in ("up", "down"):
            app.source.pose = pose
            run_until(app, lambda a, pose=pose: a.frame is not None and pose in a.targets())
            post_tap(app, pose, lift=False)  # held on the tile: it records
            run_until(app, lambda a, pose=pose: a.recorder.counts.get(pose, 0) >= 6)
            rect = app.targets()[pose]
            w, h = app.presenter.rotation.window
            finger(pygame.FINGERUP, rect.centerx / w, rect.centery / h)
            run_until(app, lambda a: a.arcade.recording is None)
        run_until(app, lambda a: "train" in a.targets())
        post_tap(app, "train")
        run_until(app, lambda a: a.arcade.result is not None, timeout=60)
        run_until(app, lambda a: "back" in a.targets())
        view = app.view()
        assert view.page is Page.TRAINING and view.training.done and view.touch
        assert "TEACH MORE" in app.screen.said
        # By touch, the page names no button to hold: TEACH MORE says it.
        assert not any("pose button" in said for said in app.screen.said)
        post_tap(app, "back")
        run_until(app, lambda a: a.arcade.state is State.COLLECT)
        assert app.view().page is Page.COLLECT and app.arcade.has_head  # the model is kept
        assert app.figures()["touches"] == 4  # two holds, TRAIN, TEACH MORE
