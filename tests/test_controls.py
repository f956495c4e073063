"""Buttons through the real gpiozero (MockFactory pins) and the real pygame keyboard events."""

from __future__ import annotations

import time

import pygame
import pytest

from edgepac.app.config import ButtonsConfig, load_config
from edgepac.controls.buttons import ArcadeButtons, open_buttons
from edgepac.controls.events import Event, Kind
from edgepac.controls.keyboard import KeyboardControls
from edgepac.errors import EdgePacError

SETTLE = 0.02


def make(mock_pins, **overrides) -> ArcadeButtons:
    cfg = load_config(
        [],
        {
            "buttons.bounce_time": SETTLE,
            "buttons.clear_hold_s": 0.5,
            **{f"buttons.{k}": v for k, v in overrides.items()},
        },
    ).buttons
    return ArcadeButtons(cfg)


def pin(mock_pins, n: int):
    return mock_pins.pin(n)


def settle() -> None:
    time.sleep(SETTLE * 4)


def test_default_pins_are_wired_with_pull_ups_and_idle_high(mock_pins):
    with make(mock_pins) as buttons:
        cfg = ButtonsConfig()
        for name, n in {**cfg.class_pins(), "train": cfg.train, "play": cfg.play}.items():
            assert pin(mock_pins, n).pull == "up", name
            assert pin(mock_pins, n).state == 1  # not pressed: the pull-up holds it high
        assert buttons.poll() == [] and buttons.held() == ()


def test_holding_a_class_button_gives_hold_then_release(mock_pins):
    with make(mock_pins) as buttons:
        pin(mock_pins, 17).drive_low()  # UP pressed (wired to ground)
        assert buttons.poll() == [Event(Kind.HOLD, "up")]
        assert buttons.held() == ("up",)
        pin(mock_pins, 17).drive_high()
        assert buttons.held() == ("up",)  # not yet: a release counts once it has settled
        settle()
        assert buttons.poll() == [Event(Kind.RELEASE, "up")]
        assert buttons.held() == ()


def test_a_bouncing_button_gives_one_hold_and_one_release(mock_pins):
    with make(mock_pins) as buttons:
        p = pin(mock_pins, 27)
        for _ in range(5):  # contact chatter on the way down...
            p.drive_low()
            p.drive_high()
        p.drive_low()
        assert buttons.poll() == [Event(Kind.HOLD, "down")]
        for _ in range(5):  # ...and on the way up
            p.drive_high()
            p.drive_low()
        p.drive_high()
        settle()
        assert buttons.poll() == [Event(Kind.RELEASE, "down")]


def test_two_class_buttons_pressed_together_are_both_reported(mock_pins):
    with make(mock_pins) as buttons:
        pin(mock_pins, 22).drive_low()
        pin(mock_pins, 23).drive_low()
        assert buttons.held() == ("left", "right")
        pin(mock_pins, 22).drive_high()
        settle()
        assert buttons.held() == ("right",)
        assert buttons.poll() == [
            Event(Kind.HOLD, "left"),
            Event(Kind.HOLD, "right"),
            Event(Kind.RELEASE, "left"),
        ]


def test_train_and_play_count_when_let_go(mock_pins):
    with make(mock_pins) as buttons:
        pin(mock_pins, 24).drive_low()
        assert buttons.poll() == []  # maybe the start of TRAIN+PLAY: wait for the release
        pin(mock_pins, 24).drive_high()
        settle()
        pin(mock_pins, 25).drive_low()
        pin(mock_pins, 25).drive_high()
        settle()
        assert buttons.poll() == [Event(Kind.TRAIN), Event(Kind.PLAY)]


@pytest.mark.timing
def test_train_and_play_held_together_ask_to_clear_once_and_nothing_else(mock_pins):
    with make(mock_pins) as buttons:
        pin(mock_pins, 24).drive_low()
        pin(mock_pins, 25).drive_low()
        time.sleep(0.3)
        assert buttons.poll() == []  # not long enough yet
        time.sleep(0.4)
        assert buttons.poll() == [Event(Kind.CLEAR)]
        time.sleep(0.6)
        pin(mock_pins, 25).drive_high()
        pin(mock_pins, 24).drive_high()
        settle()
        assert buttons.poll() == []  # letting go is not a TRAIN (which would confirm the clear)
        pin(mock_pins, 24).drive_low()
        pin(mock_pins, 24).drive_high()
        settle()
        assert buttons.poll() == [Event(Kind.TRAIN)]  # the next press counts again


@pytest.mark.timing
def test_train_and_play_pressed_together_briefly_do_nothing(mock_pins):
    with make(mock_pins) as buttons:
        pin(mock_pins, 24).drive_low()
        pin(mock_pins, 25).drive_low()
        pin(mock_pins, 24).drive_high()
        time.sleep(0.6)  # PLAY still held past clear_hold_s, but TRAIN is up
        pin(mock_pins, 25).drive_high()
        settle()
        assert buttons.poll() == []


def test_leds_light_the_predicted_class_and_recording(mock_pins):
    with make(mock_pins, leds="[5, 6, 12, 13]", record_led=16) as buttons:
        buttons.show_prediction("left")
        assert [pin(mock_pins, n).state for n in (5, 6, 12, 13)] == [0, 0, 1, 0]
        buttons.show_prediction("up")
        assert [pin(mock_pins, n).state for n in (5, 6, 12, 13)] == [1, 0, 0, 0]
        buttons.show_prediction(None)
        assert [pin(mock_pins, n).state for n in (5, 6, 12, 13)] == [0, 0, 0, 0]
        buttons.show_recording(True)
        assert pin(mock_pins, 16).state == 1
        buttons.show_recording(False)
        assert pin(mock_pins, 16).state == 0


def test_pins_from_config_are_the_ones_read(mock_pins):
    with make(mock_pins, up=5) as buttons:
        pin(mock_pins, 17).drive_low()
        pin(mock_pins, 5).drive_low()
        assert buttons.poll() == [Event(Kind.HOLD, "up")]


def test_open_buttons_follows_the_gpio_setting(mock_pins):
    assert open_buttons(load_config([], {"buttons.gpio": "off"}).buttons) is None
    buttons = open_buttons(load_config([], {"buttons.gpio": "on"}).buttons)
    assert isinstance(buttons, ArcadeButtons)
    # GPIO17 is now taken: a second set of buttons cannot have it
    with pytest.raises(EdgePacError, match=r"GPIO buttons unavailable .*buttons\.gpio"):
        open_buttons(load_config([], {"buttons.gpio": "on"}).buttons)
    assert open_buttons(load_config([], {"buttons.gpio": "auto"}).buttons) is None
    buttons.close()


def test_keyboard_gives_the_same_events():
    pygame.display.init()
    try:
        keys = KeyboardControls()

        def press(key: int, up: bool = False) -> list[Event]:
            pygame.event.post(pygame.event.Event(pygame.KEYUP if up else pygame.KEYDOWN, key=key))
            return [e for ev in pygame.event.get() for e in keys.handle(ev)]

        assert press(pygame.K_UP) == [Event(Kind.HOLD, "up")]
        assert press(pygame.K_UP) == []  # a repeat is the same hold
        assert keys.held() == ("up",)
        assert press(pygame.K_UP, up=True) == [Event(Kind.RELEASE, "up")]
        assert [
            press(k) + press(k, up=True)
            for k in (pygame.K_t, pygame.K_p, pygame.K_ESCAPE, pygame.K_c, pygame.K_f)
        ] == [
            [Event(Kind.TRAIN)],  # T and P count on release, like the buttons
            [Event(Kind.PLAY)],
            [Event(Kind.BACK)],
            [Event(Kind.CLEAR)],
            [Event(Kind.FPS)],
        ]
        # T and P held together ask to clear (as on the buttons), and train nothing.
        assert press(pygame.K_t) == [] and press(pygame.K_p) == [Event(Kind.CLEAR)]
        assert press(pygame.K_p, up=True) == [] and press(pygame.K_t, up=True) == []
        assert press(pygame.K_a) == []
        press(pygame.K_LEFT)
        assert keys.handle(pygame.event.Event(pygame.WINDOWFOCUSLOST)) == [
            Event(Kind.RELEASE, "left")
        ]
    finally:
        pygame.display.quit()


def test_controls_kinds_are_the_arcades():
    arcade = pytest.importorskip("edgepac.app.arcade")
    for kind in arcade.Kind:
        assert Kind(kind.value).value == kind.value
