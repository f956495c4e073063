"""The wiring, drawn from the ``[buttons]`` pins: the picture and the table a maker solders by.

Both come from a ``ButtonsConfig`` (the defaults unless told otherwise), so the README's
picture (`edgepac wiring --out docs/wiring.svg`) and table (`edgepac wiring --table`) can never
disagree with the pins the arcade opens; a test regenerates both and compares. The class and
record LEDs are off by default: the picture shows them at the pins the config file suggests
(the keys' ``example``), marked optional.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from html import escape

from edgepac.controls.config import ButtonsConfig
from edgepac.poses import POSE_COLOURS, POSES

# The Pi's 40-pin header (every model since the B+), by physical pin number: what each pin is.
HEADER: tuple[str, ...] = (
    "3V3", "5V", "GPIO2", "5V", "GPIO3", "GND", "GPIO4", "GPIO14", "GND", "GPIO15",
    "GPIO17", "GPIO18", "GPIO27", "GND", "GPIO22", "GPIO23", "3V3", "GPIO24", "GPIO10", "GND",
    "GPIO9", "GPIO25", "GPIO11", "GPIO8", "GND", "GPIO7", "GPIO0", "GPIO1", "GPIO5", "GND",
    "GPIO6", "GPIO12", "GPIO13", "GND", "GPIO19", "GPIO16", "GPIO26", "GPIO20", "GND", "GPIO21",
)  # fmt: skip
GROUNDS = tuple(n for n, name in enumerate(HEADER, 1) if name == "GND")
BUTTONS = (*POSES, "train", "play")
LED_RESISTOR = "330 Ω"


def physical_pin(bcm: int) -> int:
    """The header pin (1-40) of BCM GPIO ``bcm``."""
    return HEADER.index(f"GPIO{bcm}") + 1


def _row_col(pin: int) -> tuple[int, int]:
    return (pin - 1) // 2, (pin - 1) % 2


def nearest_ground(pin: int) -> int:
    """The ground pin closest to ``pin`` on the header (same column first on a tie): the
    shortest wire for a button's or an LED's other leg. Any ground pin works."""
    row, col = _row_col(pin)
    return min(GROUNDS, key=lambda g: (abs(_row_col(g)[0] - row), _row_col(g)[1] != col, g))


@dataclass(frozen=True)
class Wire:
    """One part on one pin: a button to ground, or an LED through its resistor to ground."""

    part: str  # "UP", "TRAIN", "LED UP", "LED recording"
    bcm: int
    key: str  # the config key that sets the pin: "buttons.up", "buttons.leds[0]"
    optional: bool  # an LED: off unless the config names its pin

    @property
    def pin(self) -> int:
        return physical_pin(self.bcm)

    @property
    def ground(self) -> int:
        return nearest_ground(self.pin)

    @property
    def is_led(self) -> bool:
        return self.part.startswith("LED")


def _example(name: str) -> object:
    """The example value a ``[buttons]`` key's documentation suggests (LEDs are off by default)."""
    spec = next(f for f in fields(ButtonsConfig) if f.name == name).metadata["spec"]
    return json.loads(spec.example)


def wires(buttons: ButtonsConfig | None = None) -> list[Wire]:
    """The six buttons, then the LEDs (the config's pins, else the suggested ones, optional)."""
    cfg = buttons or ButtonsConfig()
    out = [Wire(name.upper(), getattr(cfg, name), f"buttons.{name}", False) for name in BUTTONS]
    leds = cfg.leds if cfg.leds is not None else _example("leds")
    out += [Wire(f"LED {p.upper()}", pin, f"buttons.leds[{i}]", cfg.leds is None)
            for i, (p, pin) in enumerate(zip(POSES, leds, strict=True))]  # fmt: skip
    record = cfg.record_led if cfg.record_led is not None else _example("record_led")
    out.append(Wire("LED recording", record, "buttons.record_led", cfg.record_led is None))
    return out


def table(parts: list[Wire]) -> str:
    """The wiring as a Markdown table, one row a part."""
    rows = [
        "| part | BCM pin | physical pin | other leg to | config key |",
        "| --- | --- | --- | --- | --- |",
    ]
    for w in parts:
        ground = f"ground (pin {w.ground})"
        other = f"{LED_RESISTOR}, then {ground}" if w.is_led else ground
        part = f"{w.part} (optional)" if w.optional else w.part
        rows.append(f"| {part} | GPIO{w.bcm} | {w.pin} | {other} | `{w.key}` |")
    return "\n".join(rows) + "\n"


# -- the picture ---------------------------------------------------------------------------------

ROW_H, TOP, WIDTH = 26, 110, 1100
COL_X = (520, 580)  # the header's two columns: odd pins left, even pins right
LABEL_W = 150  # room for a pin's name beside it ("GPIO17 · 11"), the wire starts after it
PART_X = (140, 810)  # where the parts sit on each side
PART_W = 150
PIN_COLOURS = {"GND": "#222222", "3V3": "#e67e22", "5V": "#c0392b"}
# TRAIN and PLAY in the arcade's own button colours; the poses in theirs (edgepac.poses).
PART_COLOURS = {"TRAIN": (241, 196, 15), "PLAY": (46, 204, 113), "recording": (231, 76, 60)}
NOTES = (
    "Button: one leg to its GPIO pin, the other to ground (GND n: the nearest ground pin; any "
    "works). No resistors: the Pi's pull-ups.",
    f"LED (optional, dashed): GPIO → {LED_RESISTOR} → long leg, short leg → ground. Turn on with "
    "buttons.leds and buttons.record_led.",
    "Drawn by `edgepac wiring --out docs/wiring.svg` from the [buttons] defaults (BCM "
    "numbering, as the config file uses).",
)


def _colour(w: Wire) -> str:
    name = w.part.split()[-1]
    r, g, b = POSE_COLOURS.get(name.lower()) or PART_COLOURS[name]
    return f"#{r:02x}{g:02x}{b:02x}"


def _text(x: int, y: int, text: str, extra: str = "") -> str:
    return f'<text x="{x}" y="{y}"{extra}>{escape(text)}</text>'


def _header(parts: list[Wire]) -> list[str]:
    """The 40 pins: the used ones in their part's colour, the grounds used ringed, all named."""
    used = {w.pin: w for w in parts}
    grounds = {w.ground for w in parts}
    out = [
        f'<rect x="{COL_X[0] - 22}" y="{TOP - 20}" width="{COL_X[1] - COL_X[0] + 44}" '
        f'height="{20 * ROW_H + 14}" rx="6" fill="#1e5631"/>'
    ]
    for pin, name in enumerate(HEADER, 1):
        row, col = _row_col(pin)
        x, y = COL_X[col], TOP + row * ROW_H
        w = used.get(pin)
        fill = _colour(w) if w else PIN_COLOURS.get(name, "#bbbbbb")
        bold = w is not None or pin in grounds
        ring = ' stroke="#000000" stroke-width="2"' if bold else ""
        out.append(f'<circle cx="{x}" cy="{y}" r="8" fill="{fill}"{ring}/>')
        side, anchor = (-34, "end") if col == 0 else (34, "start")
        style = ' font-weight="bold"' if bold else ' fill="#888888"'
        out.append(_text(x + side, y + 5, f"{name} · {pin}", f' text-anchor="{anchor}"{style}'))
    return out


def _part(w: Wire) -> list[str]:
    """A part beside its pin's row: the wire to the pin, the part, and where its other leg goes."""
    row, col = _row_col(w.pin)
    y = TOP + row * ROW_H
    dash = ' stroke-dasharray="6 4"' if w.optional else ""
    colour = _colour(w)
    if col == 0:
        x0, x1, box = COL_X[0] - LABEL_W, PART_X[0] + PART_W, PART_X[0]
        gx, anchor = box - 8, "end"
    else:
        x0, x1, box = COL_X[1] + LABEL_W, PART_X[1], PART_X[1]
        gx, anchor = box + PART_W + 8, "start"
    rounding = 3 if w.is_led else 10
    label = w.part  # optional parts are dashed (the notes say so)
    via = f"{LED_RESISTOR} → " if w.is_led else ""
    return [
        f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="{colour}" stroke-width="4"{dash}/>',
        f'<rect x="{box}" y="{y - 11}" width="{PART_W}" height="22" rx="{rounding}" '
        f'fill="{colour}" stroke="#000000"{dash}/>',
        _text(box + PART_W // 2, y + 5, label, ' text-anchor="middle" font-weight="bold"'),
        _text(gx, y + 5, f"{via}GND {w.ground}", f' text-anchor="{anchor}" font-size="12"'),
    ]


def svg(parts: list[Wire]) -> str:
    """The header with every used pin labelled, each part beside it, wired to its pin, its other
    leg's ground named. Plain SVG text, the same bytes for the same pins (a test compares)."""
    height = TOP + 20 * ROW_H + 120
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="14">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(20, 32, "EdgePac wiring: six buttons, and LEDs if you like",
              ' font-size="22" font-weight="bold"'),
        _text(20, 58, "The Pi's 40-pin header from above: pin 1 (3V3, the square pad) at the "
              "top, at the end away from the USB ports;", ' fill="#555555"'),
        _text(20, 80, "odd pins on the inner row, even pins along the board's edge. Each pin: "
              "its name · its physical number.", ' fill="#555555"'),
    ]  # fmt: skip
    out += _header(parts)
    for w in parts:
        out += _part(w)
    y = TOP + 20 * ROW_H + 24
    out += [_text(20, y + i * 22, note, ' fill="#333333"') for i, note in enumerate(NOTES)]
    out.append("</svg>")
    return "\n".join(out) + "\n"
