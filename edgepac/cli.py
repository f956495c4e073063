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
import traceback
import warnings
from typing import Any, NoReturn

from edgepac import __version__
from edgepac.errors import EdgePacError

# Modules with a ``register(subparsers)`` function; each sets ``func`` on its parsers.
COMMAND_MODULES = (
    "edgepac.vision.commands",  # fetch-model, truncate, classify
    "edgepac.learning.commands",  # train, eval, predict
    "edgepac.game.commands",  # play
    "edgepac.controls.commands",  # wiring
    "edgepac.app.commands",  # run, demo
    "edgepac.export.commands",  # export
    "edgepac.app.screenshots",  # screenshots
    "edgepac.bench",  # bench
    "edgepac.doctor",  # doctor
)


class Parser(argparse.ArgumentParser):
    """argparse with EdgePac's one-line errors: what is wrong and where to read more, instead of
    a usage block. Sub-command parsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


# --- argument types every command shares: bad numbers are refused before any work ---------


def _number(text: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(text)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None


def input_size(text: str) -> int:
    """--input-size: 0 (the size EdgePac runs the model at, see `input_size_for`) or 32..1024."""
    from edgepac.vision.models import check_input_size

    value = _number(text, int)
    try:
        check_input_size(value)
    except EdgePacError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def add_input_size(parser: argparse.ArgumentParser) -> None:
    """The one --input-size flag: every command that runs the backbone takes it alike."""
    parser.add_argument(
        "--input-size",
        type=input_size,
        metavar="N",
        help="run the backbone at N x N (32-1024); default and 0: the size EdgePac runs this "
        "model at (the manifest's, e.g. 224 for 0.25_128), the same for every command",
    )


MIN_SIDE = 240  # the smallest screen EdgePac lays out (a 3.5" SPI panel is 480x320)


def screen_size(text: str) -> tuple[int, int]:
    """--size: WIDTHxHEIGHT (800x480, 720x1280...), the one parser of screen sizes."""
    w, sep, h = text.strip().lower().partition("x")
    if not sep or not w.isdigit() or not h.isdigit() or min(int(w), int(h)) < MIN_SIDE:
        raise argparse.ArgumentTypeError(
            f"must be WIDTHxHEIGHT, each at least {MIN_SIDE}, e.g. 800x480; got {text!r}"
        )
    return int(w), int(h)


def add_size(parser: argparse.ArgumentParser, default: str | None, help: str) -> None:
    """The one --size flag (run, demo, play, screenshots)."""
    parser.add_argument(
        "--size",
        type=screen_size,
        default=None if default is None else screen_size(default),
        metavar="WxH",
        help=help,
    )


def positive_int(text: str) -> int:
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    value = _number(text, float)
    if not 0 < value < float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number more than 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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


# Debian's pygame (Trixie's 2.6.1) is built without AVX2 and says so on stderr at import on any
# x86 CPU that has it: nothing a player can act on, and it would be a second line under every
# one-line error (a Pi's Arm CPU never sees it).
PYGAME_BUILD_NOTE = "Your system is avx2 capable but pygame was not built with support for it"


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=PYGAME_BUILD_NOTE, category=RuntimeWarning)
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the sub-command's parser, so the hint names its --help
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        (commands.choices.get(args.command) or parser).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
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
    except OSError as err:  # a file the command could not use: name it, in one line
        where = f"{err.filename}: " if err.filename else ""
        print(f"edgepac: error: {where}{err.strerror or err}", file=sys.stderr)
        return 2
    except Exception as err:  # a bug: one line here, the traceback with --verbose
        if args.verbose:
            traceback.print_exc()
        print(
            f"edgepac: internal error: {type(err).__name__}: {err} (`edgepac -v ...` shows "
            "where; please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
