"""Settings declared once, checked everywhere: the machinery under every area's config section.

Each area declares its own section as a frozen dataclass whose fields are ``key(default, kind,
doc, ...)`` (the camera's in ``edgepac.camera.config``, the buttons' in
``edgepac.controls.config``...); ``edgepac.app.config`` puts the sections together into the one
TOML file the arcade reads. The same declarations check the files, write the example file and
document each key, and a section may check rules about several of its keys at once with a
``validate(origin)`` method.

    cfg = load(Config, paths, overrides)      # the whole file (the app)
    cam = load_section(CameraConfig, "camera")  # one area's section (its doctor)

TOML has no null; "none" is written ``false`` for pins, ``""`` for paths and ``0`` for sizes.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from edgepac.errors import EdgePacError
from edgepac.paths import config_files

BCM_PINS = range(0, 28)  # GPIO0..GPIO27 on the 40-pin header
UNSET: Any = object()  # a key with no "none" spelling

T = TypeVar("T")
Origin = Callable[[str], str]  # "camera.source" -> where its value came from ("in /etc/...")


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
    names: tuple[str, ...] = ()  # "pins": what each pin of the list is for

    def allowed(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(toml_value(c) for c in self.choices)
        if self.kind == "int" and self.choices:
            return " or ".join(toml_value(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "pin":
            text = "a BCM GPIO number from 0 to 27"
            return text + " or false (none)" if self.none is False else text
        if self.kind == "pins":
            names = ", ".join(self.names)
            return f"a list of {len(self.names)} BCM GPIO numbers (for {names}) or false"
        if self.kind == "device":
            return 'a camera index (0, 1...) or a device path ("/dev/video0"), "" for the first'
        noun = {"int": "a whole number", "float": "a number", "str": "text"}[self.kind]
        if self.lo is not None and self.hi is not None:
            noun += f" from {_show(self.lo)} to {_show(self.hi)}"
        elif self.lo is not None:
            noun += f" of at least {_show(self.lo)}"
        if self.none is not UNSET:
            noun += f" ({toml_value(self.none)} for none)"
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
            pins = PIN.check_all(value, len(self.names))
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
            return toml_value(self.none)
        return toml_value(default)


PIN = Spec("pin", "")


def key(default: Any, kind: str, doc: str, **spec: Any) -> Any:
    """A config key: its default (as the app sees it) and what the file may say."""
    return field(default=default, metadata={"spec": Spec(kind, doc, **spec)})


# -- reading -----------------------------------------------------------------------------------


def load(
    root: type[T],
    paths: Iterable[str | Path] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> T:
    """Read ``paths`` (default: ``edgepac.paths.config_files()``, missing ones skipped) in order,
    then apply ``overrides`` ("section.key" -> value; strings are read as TOML values, so flags
    can say "false" or "[5, 6, 12, 13]"). Raises EdgePacError on any bad key or value."""
    specs = keys(root)
    values: dict[str, tuple[Any, str]] = {}  # "camera.fps" -> (value, where it came from)
    for path in _files(paths):
        for name, value in _flatten(specs, read_toml(path), f"in {path}"):
            values[name] = (value, f"in {path}")
    for name, value in (overrides or {}).items():
        spec = _spec(specs, name, "on the command line")
        if isinstance(value, str) and spec.kind not in ("str", "choice", "device"):
            value = _parse_value(value)
        values[name] = (value, "on the command line")
    return _build(root, "", values)


def load_section(section: type[T], name: str, paths: Iterable[str | Path] | None = None) -> T:
    """One area's section (``[name]``) of the same files, checked as ``load`` checks it; the
    other sections are left to whoever owns them."""
    specs = {f"{name}.{k}": s for k, s in keys(section).items()}
    values: dict[str, tuple[Any, str]] = {}
    for path in _files(paths):
        table = read_toml(path).get(name, {})
        if isinstance(table, dict):
            for full, value in _flatten(specs, table, f"in {path}", name + "."):
                values[full] = (value, f"in {path}")
    return _build(section, name + ".", values)


def keys(root: type) -> dict[str, Spec]:
    """Every key ("camera.fps") of ``root`` and its spec, in declaration order."""
    return dict(_walk(root, ""))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise EdgePacError(f"config: {path} is not valid TOML ({err}); fix or remove it") from None
    except OSError as err:
        raise EdgePacError(
            f"config: cannot read {path} ({err.strerror}); check its permissions"
        ) from None


def _files(paths: Iterable[str | Path] | None) -> list[Path]:
    found = config_files() if paths is None else [Path(p) for p in paths]
    return [p for p in found if p.is_file()]


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


def _spec(specs: Mapping[str, Spec], name: str, origin: str) -> Spec:
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


def _flatten(
    specs: Mapping[str, Spec], table: Mapping[str, Any], origin: str, prefix: str = ""
) -> Iterable[tuple[str, Any]]:
    for name, value in table.items():
        full = prefix + name
        if isinstance(value, dict):
            if full in specs:  # a table where a value belongs
                _bad(full, value, origin, specs[full])
            if not any(k.startswith(full + ".") for k in specs):
                _spec(specs, full, origin)  # raises: no such section
            yield from _flatten(specs, value, origin, full + ".")
        else:
            _spec(specs, full, origin)
            yield full, value


def _build(cls: type[T], prefix: str, values: Mapping[str, tuple[Any, str]]) -> T:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
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
    validate = getattr(section, "validate", None)
    if validate is not None:  # rules about several keys at once, once the section is whole

        def origin(name: str) -> str:
            return values[prefix + name][1] if prefix + name in values else "by default"

        validate(origin)
    return section


def _bad(name: str, value: Any, origin: str, spec: Spec) -> None:
    raise EdgePacError(
        f"config: {name} = {toml_value(value)} {origin} is not allowed; it must be {spec.allowed()}"
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


def toml_value(value: Any) -> str:
    """``value`` as TOML writes it (for messages and the example file)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{...}"
    return repr(value)
