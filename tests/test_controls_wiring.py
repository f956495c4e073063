"""The wiring a maker solders by: the picture and table in the README are what `edgepac wiring`
draws from the [buttons] defaults, so they cannot disagree with the pins the arcade opens."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from edgepac.cli import main
from edgepac.controls import wiring
from edgepac.controls.config import ButtonsConfig

REPO = Path(__file__).resolve().parent.parent


def test_docs_wiring_svg_is_what_the_command_draws_from_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wiring.svg"
    assert main(["wiring", "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    committed = (REPO / "docs" / "wiring.svg").read_text()
    assert out.read_text() == committed, (
        "docs/wiring.svg differs from the pins in the code: run "
        "`.venv/bin/edgepac wiring --out docs/wiring.svg` and commit it"
    )


def test_the_readme_table_is_what_the_command_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wiring"]) == 0
    printed = capsys.readouterr().out
    assert printed in (REPO / "README.md").read_text(), (
        "the README's wiring table differs from `edgepac wiring`: paste what it prints"
    )


def test_every_button_is_in_the_picture_at_its_pin() -> None:
    drawn = wiring.svg(wiring.wires())
    cfg = ButtonsConfig()
    for name in ("up", "down", "left", "right", "train", "play"):
        bcm = getattr(cfg, name)
        pin = wiring.physical_pin(bcm)
        assert f">GPIO{bcm} · {pin}</text>" in drawn
        assert f">{name.upper()}</text>" in drawn


def test_the_config_keys_name_the_physical_pin_the_header_has() -> None:
    """The `[buttons]` docs say "physical pin 11": the header map must agree."""
    for f in fields(ButtonsConfig):
        said = re.search(r"physical pin (\d+)", f.metadata["spec"].doc)
        if said:
            assert wiring.physical_pin(f.default) == int(said.group(1)), f.name


def test_the_wiring_follows_changed_pins_and_leds_turned_on() -> None:
    cfg = ButtonsConfig(up=4, leds=(5, 6, 12, 13), record_led=26)
    parts = {w.part: w for w in wiring.wires(cfg)}
    assert parts["UP"].bcm == 4 and parts["UP"].pin == 7 and parts["UP"].ground == 9
    assert not parts["LED UP"].optional and parts["LED recording"].pin == 37
    table = wiring.table(list(parts.values()))
    assert "| UP | GPIO4 | 7 | ground (pin 9) | `buttons.up` |" in table
    assert "(optional)" not in table  # the config named every LED
    assert ">GPIO4 · 7</text>" in wiring.svg(list(parts.values()))


def test_every_other_leg_goes_to_a_ground_pin_nearby() -> None:
    for w in wiring.wires():
        assert wiring.HEADER[w.ground - 1] == "GND"
        assert abs((w.ground - 1) // 2 - (w.pin - 1) // 2) <= 2, w  # within two rows


def test_the_command_draws_this_machine_s_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "edgepac" / "config.toml"
    config.parent.mkdir()
    config.write_text("[buttons]\nplay = 26\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["wiring", "--config"]) == 0
    assert "| PLAY | GPIO26 | 37 |" in capsys.readouterr().out
