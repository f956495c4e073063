"""`edgepac doctor`'s device lines: config, camera, GPIO, buttons, kiosk display."""

from __future__ import annotations

import sys

import pytest

from edgepac.app import doctor as app_doctor
from edgepac.app import doctor_display
from edgepac.camera import doctor as camera_doctor
from edgepac.controls import doctor as controls_doctor
from edgepac.controls.buttons import ArcadeButtons
from edgepac.paths import config_files


def user_config(text: str) -> None:
    path = config_files()[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_a_bad_config_is_a_fix_line_with_the_key(monkeypatch):
    user_config("[camera]\nfps = 0\n")
    check = app_doctor.config_check()
    assert not check.ok and "camera.fps = 0" in check.what_to_do
    assert "FIX  config" in check.line()
    user_config("[camera]\nfps = 15\n")
    check = app_doctor.config_check()
    assert check.ok and "config.toml read" in check.detail


def test_the_camera_line_says_what_auto_would_use(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    monkeypatch.setattr("edgepac.camera.webcam.video_devices", lambda: [])
    check = camera_doctor.camera_check()
    assert not check.ok and "demo player stands in" in check.detail
    user_config('[camera]\nsource = "demo"\n')
    assert camera_doctor.camera_check().ok


def test_gpio_and_buttons_lines_with_mock_pins(mock_pins):
    gpio = controls_doctor.pin_factory_check()
    assert gpio.ok and "MockFactory" in gpio.detail
    check = controls_doctor.buttons_check()
    assert check.ok and "UP=GPIO17" in check.detail and "all up" in check.detail
    with ArcadeButtons():  # another program holds the pins
        busy = controls_doctor.buttons_check()
    assert not busy.ok and "cannot claim" in busy.detail and "systemctl stop" in busy.what_to_do


def test_the_kiosk_line_names_the_way_that_works(monkeypatch):
    here = doctor_display.kiosk_check()  # this machine: not a Pi, PyPI pygame
    assert here.ok and "not a Raspberry Pi" in here.detail
    monkeypatch.setattr(doctor_display, "is_raspberry_pi", lambda: True)
    monkeypatch.setattr(doctor_display, "sdl_drivers", lambda: {"ok": ["offscreen", "dummy"]})
    monkeypatch.setattr(doctor_display.shutil, "which", lambda name: None)
    stuck = doctor_display.kiosk_check()
    assert not stuck.ok and "python3-pygame" in stuck.what_to_do and "cage" in stuck.what_to_do
    monkeypatch.setattr(doctor_display.shutil, "which", lambda name: "/usr/bin/cage")
    assert "install.sh --cage" in doctor_display.kiosk_check().detail
    monkeypatch.setattr(doctor_display, "sdl_drivers", lambda: {"ok": ["kmsdrm", "dummy"]})
    assert "kmsdrm" in doctor_display.kiosk_check().detail


@pytest.mark.slow
def test_doctor_lists_the_device_checks(capsys):
    from edgepac.doctor import run_checks

    names = [c.name for c in run_checks()]
    for name in ("config", "camera", "gpio", "buttons", "keyboard", "kiosk"):
        assert name in names
