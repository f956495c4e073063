"""The `edgepac` command line: one sub-command per thing a player, installer or maintainer does.

Each area registers its own sub-commands from a small ``commands`` module that imports nothing
heavy at module level, so `edgepac --help` stays instant and a missing optional package only
matters to the command that needs it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from edgepac import __version__
from edgepac.errors import EdgePacError

# Modules with a ``register(subparsers)`` function; each sets ``func`` on its parsers.
COMMAND_MODULES = (
    "edgepac.vision.commands",  # fetch-model, truncate, classify
    "edgepac.learning.commands",  # train, eval, predict
    "edgepac.game.commands",  # play
    "edgepac.app.commands",  # run, demo
    "edgepac.bench",  # bench
    "edgepac.doctor",  # doctor
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edgepac",
        description="A camera-controlled Pacman arcade that learns your poses on the device.",
    )
    parser.add_argument("--version", action="version", version=f"edgepac {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:  # a real missing dependency, not an area not built yet
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="edgepac: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except EdgePacError as err:
        print(f"edgepac: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
