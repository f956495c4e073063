"""``edgepac wiring``: the buttons' wiring as a picture (SVG) or a table, from the pins."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "wiring",
        help="draw the buttons' and LEDs' wiring (SVG) or print it as a table",
        description="Draw the wiring of the six buttons and the optional LEDs from the pins: "
        "the defaults (what docs/wiring.svg shows), or with --config this machine's [buttons] "
        "section. Without --out it prints the table.",
    )
    p.add_argument("--out", type=Path, metavar="FILE.svg", help="write the picture here")
    p.add_argument(
        "--config", action="store_true", help="this machine's config files' pins, not the defaults"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from edgepac.controls import wiring
    from edgepac.controls.config import ButtonsConfig

    buttons = None
    if args.config:
        from edgepac.settings import load_section

        buttons = load_section(ButtonsConfig, "buttons")
    parts = wiring.wires(buttons)
    if args.out is None:
        print(wiring.table(parts), end="")
        return 0
    from edgepac.atomic import atomic_write_bytes, check_output, give_default_mode

    atomic_write_bytes(check_output(args.out, "--out"), wiring.svg(parts).encode())
    give_default_mode(args.out)
    print(f"wrote {args.out}")
    return 0
