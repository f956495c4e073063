"""The arcade's settings: one TOML file, read from /etc, then the user's config dir, then flags.

    cfg = load_config()                                    # the files in edgepac.paths order
    cfg = load_config(overrides={"camera.source": "demo"})  # flags win over every file
    cfg.camera.source, cfg.buttons.up, cfg.play.difficulty ...

Every key has a default, a type and a range, declared once below with ``key(...)``; the same
declarations check the files, write ``systemd/config.example.toml`` (``python -m
edgepac.app.config``) and document each key. A key the app does not know, a value of the wrong
type or out of range, or two buttons on one pin raise ``EdgePacError`` naming the key, where it
came from and what is allowed: the app never starts half-configured.

TOML has no null; "none" is written ``false`` for pins, ``""`` for paths and ``0`` for sizes.
"""

from __future__ import annotations

import dataclasses
import sys
import textwrap
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgepac.errors import EdgePacError
from edgepac.paths import config_files

CLASSES = ("up", "down", "left", "right")
SOURCES = ("auto", "picamera2", "webcam", "replay", "demo")
HEADS = ("dense", "knn")
NORMALIZATIONS = ("none", "l2")
DIFFICULTIES = ("easy", "relaxed", "normal", "hard")  # edgepac.game.levels.DIFFICULTIES
GPIO_MODES = ("auto", "on", "off")
BCM_PINS = range(0, 28)  # GPIO0..GPIO27 on the 40-pin header
UNSET: Any = object()  # a key with no "none" spelling


@dataclass(frozen=True)
class Spec:
    """What one key accepts. ``kind``: bool, int, float, str, choice, pin, pins, device."""

    kind: str
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[Any, ...] = ()
    none: Any = UNSET  # the TOML spelling of "none", e.g. False or "" or 0
    example: str | None = None  # shown in the example file when the default is "none"

    def allowed(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(_toml(c) for c in self.choices)
        if self.kind == "int" and self.choices:
            return " or ".join(_toml(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "pin":
            text = "a BCM GPIO number from 0 to 27"
            return text + " or false (none)" if self.none is False else text
        if self.kind == "pins":
            return f"a list of {len(CLASSES)} BCM GPIO numbers (for {', '.join(CLASSES)}) or false"
        if self.kind == "device":
            return 'a camera index (0, 1...) or a device path ("/dev/video0"), "" for the first'
        noun = {"int": "a whole number", "float": "a number", "str": "text"}[self.kind]
        if self.lo is not None and self.hi is not None:
            noun += f" from {_show(self.lo)} to {_show(self.hi)}"
        elif self.lo is not None:
            noun += f" of at least {_show(self.lo)}"
        if self.none is not UNSET:
            noun += f" ({_toml(self.none)} for none)"
        return noun

    def check(self, value: Any) -> Any:
        """The value as the app uses it; ValueError if it is not allowed."""
        if self.none is not UNSET and _same(value, self.none):
            return None
        kind = self.kind
        if kind == "bool":
            if isinstance(value, bool):
                return value
        elif kind in ("int", "pin"):
            whole = isinstance(value, int) and not isinstance(value, bool)
            if whole and self._in_range(value):
                return value
        elif kind == "float":
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and self._in_range(value):
                return float(value)
        elif kind == "str":
            if isinstance(value, str):
                return value
        elif kind == "choice":
            if value in self.choices:
                return value
        elif kind == "pins":
            pins = PIN.check_all(value, len(CLASSES))
            if pins is not None:
                return pins
        elif kind == "device":
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return str(value)
            if isinstance(value, str):
                return value
        raise ValueError(self.allowed())

    def _in_range(self, value: float) -> bool:
        if self.kind == "pin":
            return value in BCM_PINS
        if self.choices:
            return value in self.choices
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)

    def check_all(self, value: Any, n: int) -> tuple[int, ...] | None:
        if not isinstance(value, list | tuple) or len(value) != n:
            return None
        try:
            return tuple(self.check(v) for v in value)
        except ValueError:
            return None

    def default_text(self, default: Any) -> str:
        if default is None:
            return _toml(self.none)
        return _toml(default)


PIN = Spec("pin", "")


def key(default: Any, kind: str, doc: str, **spec: Any) -> Any:
    """A config key: its default (as the app sees it) and what the file may say."""
    return field(default=default, metadata={"spec": Spec(kind, doc, **spec)})


# -- the sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraConfig:
    source: str = key(
        "auto",
        "choice",
        "Where frames come from. auto: the Pi camera if there is one, else a USB webcam, else "
        "the built-in demo player.",
        choices=SOURCES,
    )
    width: int = key(
        640, "int", "Frame width the camera delivers (the Pi's ISP scales).", lo=64, hi=4096
    )
    height: int = key(480, "int", "Frame height.", lo=48, hi=4096)
    fps: int = key(
        30, "int", "Frames a second asked of the camera (and the replay rate).", lo=1, hi=120
    )
    rotation: int = key(
        0,
        "int",
        "Degrees to turn the picture: 180 for a camera mounted upside down.",
        choices=(0, 180),
    )
    device: str = key("", "device", 'Webcam: index or /dev/video path; "" = the first found.')
    replay_path: str | None = key(
        None,
        "str",
        "Replay: a folder of images or a video file (needed when source = replay).",
        none="",
        example='"/home/pi/poses"',
    )
    replay_loop: bool = key(True, "bool", "Replay: start again at the end.")


@dataclass(frozen=True)
class ModelConfig:
    path: str | None = key(
        None,
        "str",
        'The MobileNet: a .tflite path or a variant name; "" = the default one.',
        none="",
        example='"mobilenet_v1_0.25_128_quant"',
    )
    input_size: int | None = key(
        None,
        "int",
        "Input size in pixels; 0 = the model's own.",
        lo=32,
        hi=1024,
        none=0,
    )
    threads: int = key(
        2,
        "int",
        "Interpreter threads (a Pi 4/5 has 4 cores; the camera, "
        "training and the screen need some too).",
        lo=1,
        hi=16,
    )


@dataclass(frozen=True)
class ButtonsConfig:
    gpio: str = key(
        "auto",
        "choice",
        "auto: use GPIO buttons where the machine has GPIO, else the keyboard only; on: refuse "
        "to start without GPIO; off: keyboard only.",
        choices=GPIO_MODES,
    )
    up: int = key(17, "pin", "BCM pin of the UP button (physical pin 11); wire it to ground.")
    down: int = key(27, "pin", "BCM pin of the DOWN button (physical pin 13).")
    left: int = key(22, "pin", "BCM pin of the LEFT button (physical pin 15).")
    right: int = key(23, "pin", "BCM pin of the RIGHT button (physical pin 16).")
    train: int = key(24, "pin", "BCM pin of the TRAIN button (physical pin 18).")
    play: int = key(25, "pin", "BCM pin of the PLAY button (physical pin 22).")
    leds: tuple[int, ...] | None = key(
        None,
        "pins",
        "BCM pins of the class LEDs (up, down, left, right) lit for the class being predicted; "
        "false = none.",
        none=False,
        example="[5, 6, 12, 13]",
    )
    record_led: int | None = key(
        None,
        "pin",
        "BCM pin of the LED lit while recording; false = none.",
        none=False,
        example="16",
    )
    bounce_time: float | None = key(
        0.05,
        "float",
        "Seconds a button must settle before a change counts (debounce).",
        lo=0.001,
        hi=1.0,
        none=0,
    )
    clear_hold_s: float = key(
        3.0,
        "float",
        "Seconds TRAIN and PLAY must be held together to ask to clear all samples.",
        lo=0.5,
        hi=30.0,
    )

    def class_pins(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in CLASSES}


@dataclass(frozen=True)
class DenseConfig:
    units: int = key(100, "int", "Hidden units of the dense head.", lo=1, hi=4096)
    learning_rate: float = key(1e-4, "float", "Adam's learning rate.", lo=1e-7, hi=1.0)
    batch_fraction: float = key(
        0.4, "float", "Batch size as a share of the samples.", lo=0.01, hi=1.0
    )
    epochs: int = key(20, "int", "Passes over the samples per TRAIN.", lo=1, hi=1000)
    normalize: str = key(
        "none", "choice", "Per-sample input normalisation.", choices=NORMALIZATIONS
    )
    weight_decay: float = key(0.0, "float", "AdamW weight decay.", lo=0.0, hi=1.0)
    dropout: float = key(0.0, "float", "Share of hidden units silenced per step.", lo=0.0, hi=0.9)
    seed: int = key(0, "int", "Seed for weights and shuffling (same seed, same head).", lo=0)


@dataclass(frozen=True)
class KnnConfig:
    k: int = key(5, "int", "Neighbours that vote.", lo=1, hi=100)


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
    dense: DenseConfig = field(default_factory=DenseConfig)
    knn: KnnConfig = field(default_factory=KnnConfig)

    def hyperparameters(self) -> dict[str, Any]:
        """Keyword arguments for ``make_head(self.head, **...)``."""
        return dataclasses.asdict(getattr(self, self.head))


@dataclass(frozen=True)
class PlayConfig:
    smoothing_frames: int = key(5, "int", "Predictions averaged before steering.", lo=1, hi=60)
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
class Config:
    camera: CameraConfig = field(default_factory=CameraConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    buttons: ButtonsConfig = field(default_factory=ButtonsConfig)
    learning: LearningConfig = field(default_factory=LearningConfig)
    play: PlayConfig = field(default_factory=PlayConfig)
    screen: ScreenConfig = field(default_factory=ScreenConfig)

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
    values: dict[str, tuple[Any, str]] = {}  # "camera.fps" -> (value, where it came from)
    for path in config_files() if paths is None else [Path(p) for p in paths]:
        if path.is_file():
            for name, value in _flatten(_read_toml(path), f"in {path}"):
                values[name] = (value, f"in {path}")
    for name, value in (overrides or {}).items():
        spec = _spec(name, "on the command line")
        if isinstance(value, str) and spec.kind not in ("str", "choice", "device"):
            value = _parse_value(value)
        values[name] = (value, "on the command line")
    return _build(Config, "", values)


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
    return dict(_walk(Config, ""))


def _walk(cls: type, prefix: str) -> Iterable[tuple[str, Spec]]:
    for f in dataclasses.fields(cls):
        name = prefix + f.name
        if "spec" in f.metadata:
            yield name, f.metadata["spec"]
        else:
            yield from _walk(_section_type(f), name + ".")


def _section_type(f: dataclasses.Field[Any]) -> type:
    factory = f.default_factory
    assert factory is not dataclasses.MISSING, f.name
    return factory  # type: ignore[return-value]  # the section classes are their own factories


def _spec(name: str, origin: str) -> Spec:
    specs = keys()
    if name in specs:
        return specs[name]
    section = name.rpartition(".")[0]
    siblings = [k.rpartition(".")[2] for k in specs if k.rpartition(".")[0] == section]
    if siblings:
        allowed = f"the keys of [{section}] are " + ", ".join(siblings)
    else:
        sections = sorted({k.rpartition(".")[0] for k in specs})
        allowed = "the sections are " + ", ".join(f"[{s}]" for s in sections)
    raise EdgePacError(f"config: unknown key {name!r} {origin}; {allowed}")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise EdgePacError(f"config: {path} is not valid TOML ({err}); fix or remove it") from None
    except OSError as err:
        raise EdgePacError(
            f"config: cannot read {path} ({err.strerror}); check its permissions"
        ) from None


def _flatten(table: Mapping[str, Any], origin: str, prefix: str = "") -> Iterable[tuple[str, Any]]:
    specs = keys()
    for name, value in table.items():
        full = prefix + name
        if isinstance(value, dict):
            if full in specs:  # a table where a value belongs
                _bad(full, value, origin, specs[full])
            if not any(k.startswith(full + ".") for k in specs):
                _spec(full, origin)  # raises: no such section
            yield from _flatten(value, origin, full + ".")
        else:
            _spec(full, origin)
            yield full, value


def _build(cls: type, prefix: str, values: Mapping[str, tuple[Any, str]]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        name = prefix + f.name
        if "spec" not in f.metadata:
            kwargs[f.name] = _build(_section_type(f), name + ".", values)
        elif name in values:
            value, origin = values[name]
            try:
                kwargs[f.name] = f.metadata["spec"].check(value)
            except ValueError:
                _bad(name, value, origin, f.metadata["spec"])
    section = cls(**kwargs)
    _check_together(section, values)
    return section


def _check_together(section: Any, values: Mapping[str, tuple[Any, str]]) -> None:
    """Rules about several keys at once, checked once the section is whole."""

    def origin(name: str) -> str:
        return values[name][1] if name in values else "by default"

    replay = isinstance(section, CameraConfig) and section.source == "replay"
    if replay and not section.replay_path:
        raise EdgePacError(
            f'config: camera.source = "replay" {origin("camera.source")} '
            "needs camera.replay_path: a folder of images or a video file"
        )
    if isinstance(section, ButtonsConfig):
        used: dict[int, str] = {}
        named = [(n, getattr(section, n)) for n in (*CLASSES, "train", "play", "record_led")]
        named += [(f"leds[{i}]", p) for i, p in enumerate(section.leds or ())]
        for name, pin in named:
            if pin is None:
                continue
            if pin in used:
                raise EdgePacError(
                    f"config: buttons.{name} and buttons.{used[pin]} are both on GPIO{pin}; "
                    "give each button and LED its own pin"
                )
            used[pin] = name


def _bad(name: str, value: Any, origin: str, spec: Spec) -> None:
    raise EdgePacError(
        f"config: {name} = {_toml(value)} {origin} is not allowed; it must be {spec.allowed()}"
    )


def _parse_value(text: str) -> Any:
    if "," in text and not text.lstrip().startswith("["):
        text = f"[{text}]"
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text  # left as text: the key's check says what it needed


def _same(a: Any, b: Any) -> bool:
    """Equal and the same sort of thing: 0 and 0.0 match, 0 and false do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{...}"
    return repr(value)


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
