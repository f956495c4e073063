"""Image files to RGB arrays: the one way photos enter EdgePac (classify, tests, replays).

Every Pillow mode becomes HxWx3 uint8 RGB: grey is repeated into three channels, 16-bit grey
keeps its top 8 bits, and transparency is laid over white (how image viewers show it), so a
cut-out photo does not turn into a black blob. EXIF rotation is applied, as a phone shows it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from edgepac.errors import EdgePacError


def is_image_name(path: Path) -> bool:
    """Whether Pillow reads files named like ``path`` (.png, .JPG, .bmp, .webp...), any case."""
    return path.suffix.lower() in Image.registered_extensions()


def load_rgb(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as an HxWx3 uint8 RGB array."""
    p = Path(path)
    if p.is_dir():
        raise EdgePacError(f"{p} is a folder: give the image files in it")
    if not p.is_file():
        raise EdgePacError(f"{p}: no such image file; check the path")
    try:
        with Image.open(p) as im:
            im.load()  # decode now, so a truncated file fails here and not later
            im = ImageOps.exif_transpose(im)
            return to_rgb(im)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise EdgePacError(
            f"{p}: not a readable image ({_reason(err)}); use a JPEG, PNG or BMP file"
        ) from err


def _reason(err: Exception) -> str:
    if isinstance(err, UnidentifiedImageError):
        return "not a format Pillow knows, or not an image at all"
    if isinstance(err, IsADirectoryError):
        return "it is a folder"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return f"damaged or truncated: {err}"


def to_rgb(im: Image.Image) -> np.ndarray:
    """Convert a Pillow image of any mode to an HxWx3 uint8 RGB array."""
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        return _wide_grey_to_rgb(np.asarray(im), sixteen_bit=im.mode.startswith("I;16"))
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8).copy()


def _wide_grey_to_rgb(a: np.ndarray, sixteen_bit: bool) -> np.ndarray:
    """16-bit, 32-bit or float grey to 8 bits: 16-bit keeps its top byte, floats in 0..1 scale."""
    if a.dtype.kind == "f":
        top = float(np.nanmax(a)) if a.size else 0.0
        a = np.nan_to_num(a) * (255.0 if top <= 1.0 else 1.0)
    elif sixteen_bit or (a.size and int(a.max()) > 255):
        a = a.astype(np.int64) >> 8
    grey = np.clip(a, 0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)
