"""The screens, drawn from hand-built Views (no App), checked in the pixels a visitor looks at."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pygame
import pytest
from helpers import share

from edgepac.app import screens as sc
from edgepac.app.screens import Screen, game_renderer
from edgepac.app.screenshots import CLASSES, views
from edgepac.app.view import (
    Banner,
    Bars,
    ModelStatus,
    Page,
    Severity,
    Training,
    View,
    poses_for,
)
from edgepac.poses import POSE_COLOURS

SMALL, LARGE = (800, 480), (1920, 1080)


@pytest.fixture(scope="module")
def every_view() -> dict[str, View]:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame.display.init()
    return views()


def make_screen(size: tuple[int, int] = SMALL) -> tuple[Screen, pygame.Surface]:
    pygame.display.init()
    return Screen(size, game_renderer(size), CLASSES), pygame.Surface(size)


def ink_height(surface: pygame.Surface, rect: pygame.Rect, rgb: tuple[int, int, int]) -> int:
    """Rows of ``rect`` holding pixels of exactly the text's colour: the letters' height."""
    a = pygame.surfarray.pixels3d(surface)[rect.left : rect.right, rect.top : rect.bottom]
    rows = np.flatnonzero(np.all(a == rgb, axis=-1).any(axis=0))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours (4.5 is the bar for readable text)."""

    def lum(c: tuple[int, int, int]) -> float:
        lin = [(v / 255) / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_every_page_has_one_big_next_step_prompt(every_view: dict[str, View], size) -> None:
    """From a metre: the capitals saying what to do next are at least 16 px high at 800x480
    (measured in the drawn pixels), and as much larger as the screen is on full HD."""
    screen, surface = make_screen(size)
    least = 16 * min(size[0] / 800, size[1] / 480)
    for name, view in every_view.items():
        screen.draw(surface, view)
        assert screen.prompt_text, f"{name}: no next-step prompt"
        heights = [ink_height(surface, r, sc.YELLOW) for r in screen.prompt_rects]
        heights += [ink_height(surface, r, sc.GREEN) for r in screen.prompt_rects]
        heights += [ink_height(surface, r, sc.PINK) for r in screen.prompt_rects]
        heights += [ink_height(surface, r, sc.WHITE) for r in screen.prompt_rects]
        heights += [ink_height(surface, r, sc.AMBER) for r in screen.prompt_rects]
        heights += [
            ink_height(surface, r, p.colour) for r in screen.prompt_rects for p in view.poses
        ]
        assert max(heights) >= least, f"{name}: prompt {screen.prompt_text!r} is {heights} px"


def test_prompts_say_the_next_step_for_where_the_visitor_is(every_view: dict) -> None:
    screen, surface = make_screen()
    expected = {
        "collect-empty": "HOLD A POSE BUTTON AND POSE",
        "collect-recording": "KEEP POSING - LET GO TO STOP",
        "collect-full": "PRESS TRAIN TO LEARN",
        "collect-out-of-date": "PRESS TRAIN TO LEARN",
        "training-done": "PRESS PLAY TO PLAY!",
        "game-over": "PRESS PLAY AGAIN",
        "attract": "PRESS ANY BUTTON",
    }
    for name, prompt in expected.items():
        screen.draw(surface, every_view[name])
        assert screen.prompt_text == prompt, name
    screen.draw(surface, every_view["collect-out-of-date"])
    assert "MODEL OUT OF DATE: TRAIN AGAIN" in screen.said
    screen.draw(surface, every_view["no-model"])
    assert screen.prompt_text == every_view["no-model"].problem.fix


def test_a_desktop_names_keys_and_a_kiosk_names_buttons(every_view: dict) -> None:
    screen, surface = make_screen()
    kiosk = every_view["collect-full"]
    screen.draw(surface, kiosk)
    assert screen.prompt_text == "PRESS TRAIN TO LEARN"
    assert "HOLD UP BUTTON" in screen.said
    desk = replace(kiosk, keyboard=True)
    screen.draw(surface, desk)
    assert screen.prompt_text == "PRESS T TO LEARN"
    assert "HOLD UP KEY" in screen.said
    assert any("C clear all" in s for s in screen.said)  # never "TRAIN+PLAY" on a keyboard
    screen.draw(surface, replace(desk, poses=poses_for(CLASSES)))
    assert screen.prompt_text == "HOLD AN ARROW KEY AND POSE"


def test_a_touchscreen_names_the_tiles_and_a_button_kiosk_keeps_its_buttons(
    every_view: dict,
) -> None:
    """On a touchscreen the tile is the button: "HOLD OR TAP", never a button or key the
    visitor may not have; TRAIN and PLAY keep their names (the framed prompts are buttons)."""
    screen, surface = make_screen()
    for kiosk in (every_view["collect-full"], replace(every_view["collect-full"], keyboard=True)):
        touch = replace(kiosk, touch=True)  # a touch-only kiosk has no buttons: keyboard too
        screen.draw(surface, touch)
        assert screen.prompt_text == "PRESS TRAIN TO LEARN"
        assert screen.said.count("HOLD OR TAP") == len(CLASSES)
        assert not any("BUTTON" in s.upper() or " KEY" in s.upper() for s in screen.said)
        assert any("hold a tile" in s for s in screen.said)
        screen.draw(surface, replace(touch, poses=poses_for(CLASSES)))
        assert screen.prompt_text == "HOLD A TILE AND POSE"
    screen.draw(surface, every_view["collect-full"])  # the button kiosk says its buttons
    assert "HOLD UP BUTTON" in screen.said and "HOLD OR TAP" not in screen.said
    screen.draw(surface, replace(every_view["welcome-back"], touch=True))
    assert screen.prompt_text == "HOLD EACH TILE FOR A SECOND TO REFRESH"
    screen.draw(surface, replace(every_view["attract"], touch=True, t=0.1))
    assert screen.prompt_text == "TAP TO START"
    assert screen.targets["play"] == surface.get_rect()


def test_each_pose_keeps_its_colour_on_every_page(every_view: dict) -> None:
    colours = list(POSE_COLOURS.values())
    assert len(set(colours)) == 4
    screen, surface = make_screen()
    screen.draw(surface, every_view["collect-full"])
    for name in CLASSES:
        assert share(surface, screen.regions[f"tile:{name}"], POSE_COLOURS[name]) > 0.02
    screen.draw(surface, every_view["playing"])  # LEFT is the guess: its bar in its colour
    assert share(surface, screen.regions["bar:left"], POSE_COLOURS["left"]) > 0.5
    for name in ("up", "down", "right"):
        assert share(surface, screen.regions[f"bar:{name}"], POSE_COLOURS["left"]) == 0


def test_playing_uses_the_whole_screen_and_percentages_sit_beside_their_bars(
    every_view: dict,
) -> None:
    for size in (SMALL, LARGE):
        screen, surface = make_screen(size)
        maze, panel = screen.layout.maze, screen.layout.panel
        assert maze.x == 0 and maze.right == panel.x and panel.right == size[0]
        screen.draw(surface, every_view["playing"])
        camera = screen.regions["camera"]
        assert camera.w >= 0.4 * panel.w  # the preview is not a stamp in a black field
        for name in CLASSES:
            bar, pct = screen.regions[f"bar:{name}"], screen.regions[f"pct:{name}"]
            assert not bar.colliderect(pct)  # never white on a yellow bar
            assert panel.contains(bar) and panel.contains(pct)


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080)])
def test_messages_and_errors_never_cover_the_maze_the_score_or_each_other(
    every_view: dict, size: tuple[int, int]
) -> None:
    screen, surface = make_screen(size)
    view = replace(
        every_view["playing"],
        banners=(
            Banner("Camera: lost the camera; retrying", Severity.ERROR),
            Banner("Record at least two poses first", Severity.INFO),
        ),
    )
    screen.draw(surface, view)
    panel = screen.layout.panel
    errors, message = screen.regions["errors"], screen.regions["message"]
    assert panel.contains(errors) and panel.contains(message)
    assert not errors.colliderect(message)
    assert not errors.colliderect(screen.regions["score"])  # the score stays readable
    assert share(surface, errors, sc.RED) > 0.3  # a red box a visitor notices
    for r in screen.prompt_rects:
        assert not r.colliderect(message)


def test_recording_shows_on_the_camera_in_readable_colours(every_view: dict) -> None:
    screen, surface = make_screen()
    view = every_view["collect-recording"]
    screen.draw(surface, view)
    camera = screen.regions["camera"]
    edge = pygame.Rect(camera.x, camera.y, camera.w, max(3, round(5 * screen.u)))
    assert share(surface, edge, sc.RED) > 0.9  # a red frame round the picture
    assert "REC  LEFT  23" in screen.said
    assert contrast(sc.WHITE, sc.RED) >= 4.5  # the REC label: white on red
    assert contrast(sc.PINK, sc.BG) >= 4.5  # the recording prompt on the background
    tile = screen.regions["tile:left"]
    assert share(surface, tile, sc.lit_fill(POSE_COLOURS["left"])) > 0.2
    assert share(surface, screen.regions["tile:right"], sc.lit_fill(POSE_COLOURS["right"])) == 0


def test_training_keeps_the_camera_and_the_guesses_in_view(every_view: dict) -> None:
    screen, surface = make_screen()
    for name in ("training", "training-done"):
        screen.draw(surface, every_view[name])
        assert "camera" in screen.regions, name
    screen.draw(surface, every_view["training-done"])
    assert "bars" in screen.regions
    assert any(s.startswith("Tested on 32 new pictures:") for s in screen.said)
    assert not any("held-out" in s.lower() for s in screen.said)


def test_the_loss_curve_rescales_as_it_falls() -> None:
    """A loss that falls a hundredfold stays a visible curve, not a line along the bottom."""
    screen, surface = make_screen()
    losses = tuple(2.0 * 0.01 ** (i / 199) for i in range(200))
    view = View(
        page=Page.TRAINING,
        poses=poses_for(CLASSES),
        training=Training(running=True, progress=0.5, losses=losses, total_batches=200),
    )
    screen.draw(surface, view)
    plot = screen.regions["plot"]
    late = pygame.Rect(plot.centerx, plot.y, plot.w // 2, plot.h)  # the second half
    a = pygame.surfarray.pixels3d(surface)[late.left : late.right, late.top : late.bottom]
    rows = np.flatnonzero(np.all(a == sc.YELLOW, axis=-1).any(axis=0))
    assert rows[-1] - rows[0] > 0.3 * plot.h


def test_attract_shows_the_high_score_table_and_initials_are_entered(every_view: dict) -> None:
    screen, surface = make_screen()
    view = every_view["high-scores"]
    screen.draw(surface, view)
    assert "HIGH SCORES" in screen.said
    for s in view.scores[:5]:
        assert s.name in screen.said and str(s.score) in screen.said
    screen.draw(surface, replace(view, t=7.0))  # the table and the how-to take turns
    assert "HIGH SCORES" not in screen.said and "PRESS ANY BUTTON" in screen.said
    screen.draw(surface, every_view["initials"])
    assert screen.said[0] == "NEW HIGH SCORE!"
    assert {"K", "I", "."} <= set(screen.said)
    assert "UP / DOWN" in screen.prompt_text


def test_the_clear_question_names_the_answers(every_view: dict) -> None:
    screen, surface = make_screen()
    view = every_view["clear-confirm"]
    screen.draw(surface, view)
    assert "CLEAR ALL 256 SAMPLES?" in screen.said
    assert screen.prompt_text == "TRAIN = CLEAR THEM\nPLAY = KEEP THEM"
    screen.draw(surface, replace(view, keyboard=True))
    assert screen.prompt_text == "T = CLEAR THEM\nP = KEEP THEM"
    assert share(surface, screen.regions["confirm"], sc.RED) > 0.01


def test_a_new_camera_frame_is_drawn_and_an_old_one_is_not_redone() -> None:
    screen, surface = make_screen()
    red = np.zeros((480, 640, 3), np.uint8)
    red[..., 0] = 200
    blue = np.zeros_like(red)
    blue[..., 2] = 200
    view = View(page=Page.COLLECT, poses=poses_for(CLASSES), camera=red, camera_seq=1)
    screen.draw(surface, view)
    centre = screen.regions["camera"].center
    assert tuple(surface.get_at(centre))[:3] == (200, 0, 0)
    screen.draw(surface, replace(view, camera=blue, camera_seq=2))
    assert tuple(surface.get_at(centre))[:3] == (0, 0, 200)


def test_bars_before_any_guess_and_odd_class_sets_still_draw() -> None:
    screen, surface = make_screen()
    names = ("jump", "duck", "left")
    view = View(
        page=Page.PLAYING,
        poses=poses_for(names),
        bars=Bars(names, (0.2, 0.5, 0.3), chosen=None),
        model=ModelStatus.TRAINED,
    )
    screen.draw(surface, view)
    assert "NOT SURE" in screen.said and "JUMP" in screen.said


@pytest.mark.slow
def test_screenshots_command_writes_every_state(tmp_path: Path, capsys) -> None:
    from edgepac.cli import main

    assert main(["screenshots", "--out", str(tmp_path / "shots"), "--size", "800x480"]) == 0
    files = sorted((tmp_path / "shots").glob("*.png"))
    names = {f.stem for f in files}
    for state in (
        "collect-empty",
        "collect-full",
        "collect-recording",
        "training",
        "training-done",
        "playing",
        "welcome-back",
        "welcome-holding",
        "playing-teaching",
        "playing-refresh-suggested",
        "game-over",
        "high-scores",
        "attract",
        "clear-confirm",
        "error-banner",
        "no-model",
        "initials",
    ):
        assert state in names
    for f in files:
        img = pygame.image.load(str(f))
        assert img.get_size() == SMALL
        a = pygame.surfarray.array3d(img)[::4, ::4].reshape(-1, 3)
        _, counts = np.unique(a, axis=0, return_counts=True)
        assert len(counts) > 5 and counts.max() < 0.97 * len(a), f.name  # not a fill
    with pytest.raises(SystemExit) as refused:
        main(["screenshots", "--out", str(tmp_path / "x"), "--size", "80x48"])
    assert refused.value.code == 2
    assert "each at least 240" in capsys.readouterr().err


def test_every_letter_on_every_page_comes_from_one_font_function(
    every_view: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switching typeface is a change to ``canvas.load_font`` and nothing else."""
    from edgepac.app.screens import canvas

    screen, surface = make_screen()
    asked: list[int] = []
    real, real_font = canvas.load_font, pygame.font.Font
    inside = [False]

    def counting(px: int) -> object:
        asked.append(px)
        inside[0] = True
        try:
            return real(px)
        finally:
            inside[0] = False

    def stray(*args: object, **kwargs: object) -> object:
        assert inside[0], "a font made outside load_font"
        return real_font(*args, **kwargs)

    monkeypatch.setattr(canvas, "load_font", counting)
    monkeypatch.setattr(pygame.font, "Font", stray)
    monkeypatch.setattr(pygame.font, "SysFont", stray)
    for view in every_view.values():
        screen.draw(surface, view)
    assert len(asked) >= 5  # several sizes, all through the one function


def test_with_a_model_collect_frames_the_pose_it_sees(every_view: dict) -> None:
    """A visitor checks each pose before PLAY: the tile of the pose seen now is framed."""
    screen, surface = make_screen()
    view = every_view["collect-out-of-date"]
    assert view.bars.chosen == "down"
    screen.draw(surface, view)
    assert screen.regions["seen"].contains(screen.regions["tile:down"])
    assert "I SEE THIS" in screen.said
    screen.draw(surface, replace(view, bars=replace(view.bars, chosen=None)))  # not sure
    assert "seen" not in screen.regions
    screen.draw(surface, replace(view, recording="up"))  # recording: no guessing game
    assert "seen" not in screen.regions


def test_training_not_yet_reported_still_says_learning() -> None:
    """TRAINING before the first batch (nothing done, nothing failed) never says LEARNED."""
    screen, surface = make_screen()
    view = View(page=Page.TRAINING, poses=poses_for(CLASSES), training=Training())
    screen.draw(surface, view)
    assert screen.prompt_text == "LEARNING... 0%"
    assert "LEARNED!" not in screen.said


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_live_no_model_page_says_its_fix_in_one_big_line_and_all_of_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """What `edgepac run` shows without a model: the command, one line a metre away can read,
    then the whole of vision's line (where it looked, the offline way), never cut off."""
    from edgepac.app.snapshot import problem
    from edgepac.vision.models import find_model_or_problem

    monkeypatch.setenv("EDGEPAC_MODELS", str(tmp_path / "usr-share-edgepac-models"))
    monkeypatch.setenv("EDGEPAC_MODEL_SEARCH", "")
    path, line = find_model_or_problem(None)
    assert path is None and line
    screen, surface = make_screen(size)
    screen.draw(surface, View(page=Page.PROBLEM, problem=problem(line)))
    assert len(screen.prompt_rects) == 1 and "FETCH-MODEL" in screen.prompt_text.upper()
    assert ink_height(surface, screen.prompt_rects[0], sc.YELLOW) >= 18 * size[1] / 480
    said = " ".join(" ".join(screen.said).upper().split())
    line = line.replace("`", "")  # the pixel font has no backtick: a command reads as words
    assert said.endswith(" ".join(f"{line}. It is picked up by itself.".upper().split()))


# The on-screen buttons a touch acts on, per state (the physical buttons they stand for).
TARGETS = {
    "collect-empty": {"up", "down", "left", "right"},
    "collect-full": {"up", "down", "left", "right", "train"},
    "collect-out-of-date": {"up", "down", "left", "right", "train"},
    "training-done": {"play"},
    "welcome-back": {"up", "down", "left", "right", "play"},
    "game-over": {"play"},
    "attract": {"play"},
    "high-scores": {"play"},
    "initials": {"up", "down", "left", "right", "play"},
    "clear-confirm": {"train", "play"},
    # A touchscreen: TEACH MORE (BACK) goes back to the tiles, where a kiosk held a pose button.
    "training-touch": {"play", "back"},
    "game-over-touch": {"play", "back"},
    "collect-touch": {"up", "down", "left", "right", "train"},
}


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_every_page_has_its_touch_targets_big_enough_and_on_the_screen(
    every_view: dict[str, View], size: tuple[int, int]
) -> None:
    """Each on-screen button is at least 9 mm on the 7" panel (48 px at 800x480, scaled)."""
    screen, surface = make_screen(size)
    least = 48 * min(size[0] / 800, size[1] / 480) - 1
    whole = surface.get_rect()
    for name, view in every_view.items():
        screen.draw(surface, view)
        for key, rect in screen.targets.items():
            assert rect.w >= least and rect.h >= least, (name, key, rect)
            assert whole.contains(rect), (name, key, rect)
        if name in TARGETS:
            assert set(screen.targets) == TARGETS[name], name
    screen.draw(surface, every_view["collect-full"])
    for pose in CLASSES:  # a tile is its pose's button
        assert screen.targets[pose] == screen.regions[f"tile:{pose}"]
    assert not any(screen.targets["train"].colliderect(screen.targets[p]) for p in CLASSES)
    screen.draw(surface, every_view["attract"])  # a tap anywhere starts
    assert screen.targets["play"] == whole


def test_the_countdown_is_big_in_the_poses_colour_then_counts_frames(every_view: dict) -> None:
    screen, surface = make_screen()
    screen.draw(surface, every_view["collect-countdown"])  # RIGHT, 1.4 s to go
    camera = screen.regions["countdown"]
    assert "2" in screen.said and "GET READY" in screen.said
    assert screen.prompt_text == "STEP BACK AND POSE RIGHT"
    assert ink_height(surface, camera, POSE_COLOURS["right"]) > 0.4 * camera.h  # big
    assert "train" not in screen.targets and "right" in screen.targets  # a tap cancels
    screen.draw(surface, every_view["collect-countdown-recording"])
    assert "REC  RIGHT  27" in screen.said
    assert screen.prompt_text == "HOLD IT: RECORDING RIGHT"


def test_press_dots_the_weak_mark_and_the_hint_show_on_collect(every_view: dict) -> None:
    screen, surface = make_screen()
    view = every_view["collect-coached"]  # 3 presses asked; LEFT has 1 and is weak
    screen.draw(surface, view)
    assert "1/3" in screen.said and screen.said.count("3/3") == 2
    assert "TEACH AGAIN" in screen.said
    left, up = screen.regions["tile:left"], screen.regions["tile:up"]
    assert share(surface, left, sc.AMBER) > share(surface, up, sc.AMBER) + 0.01
    assert "A BIT CLOSER" in screen.said
    assert screen.regions["camera"].contains(screen.regions["press_hint"])
    screen.draw(surface, replace(view, press_goal=0, press_hint=None))
    assert not any("/3" in s for s in screen.said) and "A BIT CLOSER" not in screen.said


def test_the_coach_shows_each_poses_share_and_the_advice(every_view: dict) -> None:
    screen, surface = make_screen()
    view = every_view["training-coach"]
    screen.draw(surface, view)
    assert view.coach.advice.split(":")[0] in " ".join(screen.said)
    up, left = screen.regions["coach:up"], screen.regions["coach:left"]
    assert share(surface, up, POSE_COLOURS["up"]) > 0.8  # 97 % right
    assert 0.25 < share(surface, left, POSE_COLOURS["left"]) < 0.6  # 44 %
    assert share(surface, left, sc.PINK) > 0.02  # the pose taken for UP: framed red
    assert "too few" in screen.said and "44%" in screen.said
    assert screen.layout.train_side.contains(screen.regions["coach"])


def test_an_imported_models_label_is_named(every_view: dict) -> None:
    screen, surface = make_screen()
    screen.draw(surface, every_view["collect-teachable-machine"])
    assert "TEACHABLE MACHINE: my-project" in screen.said


@pytest.mark.parametrize("size", [(800, 480), (1920, 1080), (720, 1280), (480, 320)])
@pytest.mark.parametrize("seen", ["up", "down"])
def test_i_see_this_never_covers_the_imported_models_name(
    every_view: dict, size: tuple[int, int], seen: str
) -> None:
    # A TM model plays from the start, so a top tile is framed under the model's name at once.
    screen, surface = make_screen(size)
    view = every_view["collect-teachable-machine"]
    screen.draw(surface, replace(view, bars=replace(view.bars, chosen=seen)))
    label, tag = screen.regions["model_label"], screen.regions["seen_tag"]
    assert "I SEE THIS" in screen.said
    assert not tag.colliderect(label), (tag, label)
    seen_frame = screen.regions["seen"]  # the tag still sits on its tile's frame, top or bottom
    assert tag.centerx == seen_frame.centerx
    assert tag.centery in (seen_frame.top, seen_frame.bottom)
    assert not screen.clipped
