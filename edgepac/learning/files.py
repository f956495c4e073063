"""One-file, crash-safe `.npz` files for the store and the heads, stamped with the backbone.

Both the sample store and a trained head only make sense with the backbone whose activations
they were made from, so each file carries that backbone's identity (model SHA-256, input size,
cut layer) and a format version. Reading never unpickles anything (``allow_pickle=False``):
strings are stored as numpy unicode arrays and the identity as JSON text.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from edgepac.atomic import atomic_write, move_aside
from edgepac.errors import EdgePacError

log = logging.getLogger(__name__)
T = TypeVar("T")


class HasToDict(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


Identity = HasToDict | Mapping[str, Any] | None


class CorruptFile(EdgePacError):
    """The file is truncated or damaged; it has been moved aside to ``moved_to`` (None: left
    where it is, for a command that only reads)."""

    def __init__(self, message: str, moved_to: Path | None = None) -> None:
        super().__init__(message)
        self.moved_to = moved_to


class OtherBackbone(EdgePacError):
    """The file was made with another backbone (model, input size or cut layer)."""


def check_stamp(
    path: Path,
    what: str,
    found: tuple[str, int, Mapping[str, Any]],
    kind: str,
    version: int,
    identity: Identity,
    again: str,
) -> None:
    """A file's stamp (its kind, format version and backbone) against what is wanted: another
    kind or a newer format is an EdgePacError, another backbone OtherBackbone (ending in
    ``again``, what to do); ``identity=None`` accepts any backbone."""
    found_kind, found_version, found_identity = found
    if found_kind != kind:
        raise EdgePacError(f"{path} is a {found_kind} file, not {what}: pass the right file")
    if found_version > version:
        raise EdgePacError(
            f"{what} {path} has format version {found_version}, newer than this EdgePac "
            f"understands ({version}): upgrade EdgePac"
        )
    want = json.loads(json.dumps(identity_dict(identity)))  # same types as the stored one
    if want and found_identity != want:
        raise OtherBackbone(
            f"{what} {path} was made with another backbone ({describe(found_identity)}), not the "
            f"one in use ({describe(want)}): {again}"
        )


def identity_dict(identity: Identity) -> dict[str, Any]:
    """A BackboneIdentity (or a plain dict, or None) as a JSON-able dict."""
    if identity is None:
        return {}
    if isinstance(identity, Mapping):
        return dict(identity)
    return dict(identity.to_dict())


def describe(identity: Mapping[str, Any]) -> str:
    if not identity:
        return "an unknown backbone"
    sha = str(identity.get("model_sha256", "?"))[:12]
    return (
        f"model {sha}… at input {identity.get('input_size', '?')}, "
        f"cut at {identity.get('cut_layer', '?')}"
    )


def write_npz(path: str | os.PathLike[str], arrays: Mapping[str, np.ndarray]) -> None:
    """Write the arrays to ``path`` atomically: the old file or the new one, never half."""
    with atomic_write(path) as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]


def load_npz(
    path: str | os.PathLike[str],
    what: str,
    kind: str,
    version: int,
    identity: Identity,
    parse: Callable[[dict[str, np.ndarray], dict[str, Any]], T],
    move_damaged: bool = True,
) -> T:
    """Read an `.npz` written by :func:`write_npz` and turn it into an object with ``parse``.

    - missing: ``FileNotFoundError`` (the caller decides whether that is normal);
    - another kind of file or a newer format: :class:`EdgePacError`, file left alone;
    - another backbone: :class:`OtherBackbone`, file left alone (``identity=None`` accepts any);
    - truncated, damaged or inconsistent: moved aside to ``*.corrupt`` (never deleted) with a
      log line, then :class:`CorruptFile` saying where it went. That is the arcade's policy for
      its own state files; a command that only reads passes ``move_damaged=False``.
    """
    path = Path(path)
    if path.is_dir():
        raise EdgePacError(f"{path} is a folder, not {what}: give the file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        found_kind = str(arrays["kind"])
        found_version = int(arrays["format_version"])
        found_identity = json.loads(str(arrays["identity"]))
    except FileNotFoundError:
        raise
    except PermissionError as err:  # not damage: the file may be fine, just not ours to read
        raise EdgePacError(f"cannot read {what} {path} ({err.strerror}): check its owner") from err
    except (*_DAMAGE, json.JSONDecodeError) as err:
        raise _corrupt(path, what, err, move_damaged) from err
    check_stamp(
        path, what, (found_kind, found_version, found_identity), kind, version, identity,
        again="use the same --model/--input-size, or record/train again",
    )  # fmt: skip
    try:
        return parse(arrays, found_identity)
    except _DAMAGE as err:
        raise _corrupt(path, what, err, move_damaged) from err


# What reading a damaged file can raise, from zipfile, numpy's format reader or our parsers.
_DAMAGE = (OSError, ValueError, EOFError, KeyError, IndexError, TypeError, zipfile.BadZipFile)


def _corrupt(path: Path, what: str, err: BaseException, move: bool) -> CorruptFile:
    damage = _in_our_words(err)
    if not move:
        return CorruptFile(f"{what} {path} {damage}: give another file, or train again")
    moved = move_aside(path)
    log.debug("%s %s: %r", what, path, err)  # the reader's own words, for whoever debugs
    message = f"{what} {path} {damage}; moved it aside to {moved.name}: record or train again"
    log.warning("%s", message)  # the arcade's journal keeps it; the screen shows a shorter one
    return CorruptFile(message, moved)


def _in_our_words(err: BaseException) -> str:
    """What is wrong with the file, said for a user (not NumPy's advice about pickles)."""
    if isinstance(err, KeyError):
        return f"is damaged or truncated (its {str(err).strip(chr(39))} part is missing)"
    return "is damaged or truncated (or not an EdgePac .npz file)"


def header(kind: str, version: int, identity: Identity) -> dict[str, np.ndarray]:
    """The arrays every file starts with."""
    return {
        "kind": np.array(kind),
        "format_version": np.array(version),
        "identity": np.array(json.dumps(identity_dict(identity), sort_keys=True)),
    }


def strings(values: list[str] | tuple[str, ...]) -> np.ndarray:
    return np.array(list(values), dtype=np.str_) if values else np.zeros(0, dtype="<U1")
