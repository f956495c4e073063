"""The arcade's settings: one TOML file, read from /etc, then the user's config dir, then flags.

    cfg = load_config()                                    # the files in edgepac.paths order
    cfg = load_config(overrides={"camera.source": "demo"})  # flags win over every file
    cfg.camera.source, cfg.buttons.up, cfg.play.difficulty ...

Every key has a default, a type and a range, declared once with ``edgepac.settings.key(...)`` in
the section of the area it belongs to (``[camera]`` in ``edgepac.camera.config``, ``[buttons]``
in ``edgepac.controls.config``, the app's own below); the same declarations check the files,
write ``systemd/config.example.toml`` (``python -m edgepac.app.config``) and document each key.
A key the app does not know, a value of the wrong type or out of range, or two buttons on one
pin raise ``EdgePacError`` naming the key, where it came from and what is allowed: the app never
starts half-configured.
"""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgepac import settings
from edgepac.app.smoothing import FILTERS
from edgepac.camera.config import SOURCES, CameraConfig
from edgepac.controls.config import GPIO_MODES, ButtonsConfig
from edgepac.controls.rotation import ROTATIONS
from edgepac.errors import EdgePacError
from edgepac.game import levels
from edgepac.learning import heads as head_kinds
from edgepac.learning.choice import MAX_PER_CLASS
from edgepac.learning.dense import DenseHead
from edgepac.learning.knn import KnnHead
from edgepac.poses import POSES
from edgepac.settings import Origin, Spec, key
from edgepac.vision.config import ModelConfig

__all__ = [
    "DIFFICULTIES",
    "GPIO_MODES",
    "HEADS",
    "POSES",
    "SOURCES",
    "ButtonsConfig",
    "CameraConfig",
    "Config",
    "example",
    "keys",
    "load_config",
    "parse_overrides",
]

# Choices and limits come from their owners: the config cannot allow what they refuse.
HEADS = tuple(head_kinds.HEADS)
DIFFICULTIES = tuple(levels.DIFFICULTIES)
NEW_VISITOR = ("forget", "keep")
DENSE = DenseHead.limits


# -- the app's own sections (the camera's and the buttons' live with their areas) --------------


@dataclass(frozen=True)
class DenseConfig:
    units: int = key(100, "int", "Hidden units of the dense head.", **DENSE["units"].spec())
    learning_rate: float = key(
        1e-4, "float", "Adam's learning rate.", **DENSE["learning_rate"].spec()
    )
    batch_fraction: float = key(
        0.4, "float", "Batch size as a share of the samples.", **DENSE["batch_fraction"].spec()
    )
    epochs: int = key(20, "int", "Passes over the samples per TRAIN.", **DENSE["epochs"].spec())
    normalize: str = key(
        "none", "choice", "Per-sample input normalisation.", **DENSE["normalize"].spec()
    )
    weight_decay: float = key(
        0.0, "float", "AdamW weight decay.", **DENSE["weight_decay"].spec()
    )
    dropout: float = key(
        0.0, "float", "Share of hidden units silenced per step.", **DENSE["dropout"].spec()
    )
    seed: int = key(
        0, "int", "Seed for weights and shuffling (same seed, same head).", **DENSE["seed"].spec()
    )


@dataclass(frozen=True)
class KnnConfig:
    k: int = key(5, "int", "Neighbours that vote.", **KnnHead.limits["k"].spec())


@dataclass(frozen=True)
class LearningConfig:
    head: str = key(
        "dense",
        "choice",
        "What learns the poses: a small dense network (as the tutorial) or k nearest neighbours.",
        choices=HEADS,
    )
    holdout: float = key(
        0.2,
        "float",
        "Share of samples held out to measure accuracy after training (0 = none).",
        lo=0.0,
        hi=0.5,
    )
    max_frames_per_pose: int = key(
        MAX_PER_CLASS,
        "int",
        "At most this many frames per pose are learned from in one training, newest sittings "
        "first and every button press represented (neighbouring frames are near copies: more "
        "adds time and memory, not knowledge); 0 = all.",
        lo=0,
        hi=100000,
    )
    export: bool = key(
        False,
        "bool",
        "After each training, also write the controller as a Teachable Machine TFLite zip "
        "(controller.zip in the state folder) for the player to take anywhere; needs the dense "
        "head. A clear or a new visitor's fresh start removes it.",
    )
    dense: DenseConfig = field(default_factory=DenseConfig)
    knn: KnnConfig = field(default_factory=KnnConfig)

    def validate(self, origin: Origin) -> None:
        if self.export and self.head != "dense":
            raise EdgePacError(
                f"config: learning.export = true {origin('export')} needs learning.head = "
                f'"dense" (a kNN head is the recorded frames, not weights a TFLite model holds)'
            )

    def hyperparameters(self) -> dict[str, Any]:
        """Keyword arguments for ``make_head(self.head, **...)``."""
        return dataclasses.asdict(getattr(self, self.head))


@dataclass(frozen=True)
class PlayConfig:
    smoothing: str = key(
        "switch",
        "choice",
        "How the camera's guesses become steering. switch: turn when another pose wins "
        "switch_frames frames in a row (one frame after the player; a single odd frame never "
        "turns Pac-Man); bayes: a filter that believes the pose held until the frames say "
        "otherwise (change_rate); mean: the mean of the last smoothing_frames guesses "
        "(steady, but about two frames late at every turn).",
        choices=FILTERS,
    )
    smoothing_frames: int = key(
        5, "int", "mean: predictions averaged before steering.", lo=1, hi=60
    )
    switch_frames: int = key(
        2, "int", "switch: frames in a row a new pose must win to turn.", lo=1, hi=30
    )
    switch_at_once: float = key(
        0.0,
        "float",
        "switch: also turn on a single frame whose new pose has at least this probability "
        "(no lag on a clear change, but a misread that sure turns Pac-Man too: dense head "
        "and a steady camera only, e.g. 0.999; docs/steering.md). 0: off.",
        lo=0.0,
        hi=1.0,
    )
    change_rate: float = key(
        0.05,
        "float",
        "bayes: the chance, each frame, that the player changes pose; lower is steadier and "
        "slower to turn.",
        lo=0.001,
        hi=0.5,
    )
    confidence_threshold: float = key(
        0.5,
        "float",
        "A smoothed prediction below this steers nothing.",
        lo=0.0,
        hi=1.0,
    )
    difficulty: str = key(
        "easy",
        "choice",
        "Game speed: the arcade slowed evenly (a camera answers later than a joystick).",
        choices=DIFFICULTIES,
    )
    new_visitor: str = key(
        "forget",
        "choice",
        "What the next visitor finds once attract mode has run: forget = a fresh start (the "
        "last visitor's samples, pictures and model are cleared); keep = they stay (a home "
        "arcade with one player).",
        choices=NEW_VISITOR,
    )

    def validate(self, origin: Origin) -> None:
        if self.switch_at_once != 0.0 and self.switch_at_once <= 0.5:
            raise EdgePacError(
                f"config: play.switch_at_once {origin('switch_at_once')} must be 0 (off) or "
                f"above 0.5, not {self.switch_at_once}"
            )


@dataclass(frozen=True)
class StoreConfig:
    max_mb: int = key(
        256,
        "int",
        "The recorded samples are kept to at most this many MB, on the card and in memory: "
        "past it the oldest sittings go first, never the current one (256 MB: about 20,000 "
        "frames; a Pi 4 with 2 GB has room for it).",
        lo=16,
        hi=65536,
    )


@dataclass(frozen=True)
class ScreenConfig:
    width: int = key(0, "int", "Window or screen width; 0 = the display's.", lo=0, hi=8192)
    height: int = key(0, "int", "Height; 0 = the display's.", lo=0, hi=8192)
    fullscreen: bool = key(True, "bool", "Fill the screen (the kiosk); false = a window.")
    show_fps: bool = key(False, "bool", "Show the FPS and latency overlay (F toggles it).")
    attract_after_s: float = key(
        60.0,
        "float",
        "Idle seconds before the attract mode plays by itself; 0 = never.",
        lo=0.0,
        hi=86400.0,
    )


@dataclass(frozen=True)
class DisplayConfig:
    rotate: int = key(
        0,
        "int",
        "Degrees clockwise the picture is turned on the panel, touch included: for a panel "
        "mounted the other way (Touch Display 2 is portrait: 90 or 270 lies it landscape). The "
        "pages lay out for the turned shape.",
        choices=ROTATIONS,
    )


@dataclass(frozen=True)
class CollectConfig:
    countdown_s: float = key(
        2.0,
        "float",
        "A short tap of a pose's button or tile (under 0.3 s) records hands-free: this many "
        "seconds of countdown to step back and pose...",
        lo=0.0,
        hi=10.0,
    )
    burst_s: float = key(
        2.0,
        "float",
        "...then this many seconds of recording; 0 = off (a tap records only while pressed). "
        "Holding the button records while it is held, whatever this says.",
        lo=0.0,
        hi=30.0,
    )


@dataclass(frozen=True)
class Config:
    camera: CameraConfig = field(default_factory=CameraConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    buttons: ButtonsConfig = field(default_factory=ButtonsConfig)
    learning: LearningConfig = field(default_factory=LearningConfig)
    play: PlayConfig = field(default_factory=PlayConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    collect: CollectConfig = field(default_factory=CollectConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- reading -----------------------------------------------------------------------------------


def load_config(
    paths: Iterable[str | Path] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Read ``paths`` (default: ``edgepac.paths.config_files()``, missing ones skipped) in order,
    then apply ``overrides`` ("section.key" -> value; strings are read as TOML values, so flags
    can say "false" or "[5, 6, 12, 13]"). Raises EdgePacError on any bad key or value."""
    return settings.load(Config, paths, overrides)


def parse_overrides(items: Sequence[str]) -> dict[str, str]:
    """``["camera.source=demo", ...]`` (as from ``--set``) -> a dict for ``load_config``."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise EdgePacError(f"--set needs section.key=value, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def keys() -> dict[str, Spec]:
    """Every key ("camera.fps") and its spec, in file order."""
    return settings.keys(Config)


# -- the example file --------------------------------------------------------------------------


def example() -> str:
    """The commented example config: every key, what it does and its default."""
    lines = [
        "# EdgePac configuration. Copy to /etc/edgepac/config.toml (the kiosk) or",
        "# ~/.config/edgepac/config.toml; later files and `--set section.key=value` flags win.",
        "# Every key is optional: the value shown is the default. Generated by",
        "# `python -m edgepac.app.config`; a test checks it matches the code.",
    ]
    section = None
    defaults = Config()
    for name, spec in keys().items():
        sect, _, leaf = name.rpartition(".")
        if sect != section:
            section = sect
            lines += ["", f"[{sect}]"]
        default: Any = defaults
        for part in name.split("."):
            default = getattr(default, part)
        lines += textwrap.wrap(spec.doc, 98, initial_indent="# ", subsequent_indent="# ")
        lines += textwrap.wrap(
            f"Allowed: {spec.allowed()}.", 98, initial_indent="# ", subsequent_indent="#   "
        )
        if default is None and spec.example:
            lines.append(f"# e.g. {leaf} = {spec.example}")
        lines.append(f"# {leaf} = {spec.default_text(default)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(example())
