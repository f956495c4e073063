"""Model files: where they live, and the cache of truncated models.

(Manifest, fetch and search come below the cache.)
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from edgepac import paths
from edgepac.atomic import atomic_write_bytes
from edgepac.errors import EdgePacError
from edgepac.vision import truncate

log = logging.getLogger(__name__)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_model_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EdgePacError(
            f"{path}: no such model file; run `edgepac fetch-model` or give --model"
        ) from None
    except IsADirectoryError:
        raise EdgePacError(f"{path} is a folder; give the .tflite file in it") from None
    except OSError as err:
        raise EdgePacError(f"{path}: cannot read it ({err.strerror})") from err
    if not truncate.is_tflite(data):
        raise EdgePacError(
            f"{path} is not a TFLite model (no TFL3 identifier); "
            "give a .tflite file, e.g. one from `edgepac fetch-model`"
        )
    return data


def cache_dir() -> Path:
    return paths.models_dir() / "cache"


def cache_path(source_sha256: str, layer: str) -> Path:
    return cache_dir() / f"{source_sha256}.{layer.replace('/', '_')}.tflite"


def truncated_model(path: Path, layer: str = truncate.DEFAULT_LAYER) -> bytes:
    """The bytes of the model at ``path`` cut after ``layer``: as is if it already ends there,
    else from the cache (keyed by the source's SHA-256), else cut now and cached."""
    data = read_model_bytes(path)
    model = truncate.load_model(data, str(path))
    if truncate.output_layer(model) == layer:
        return data
    cached = cache_path(sha256_bytes(data), layer)
    try:
        cut = cached.read_bytes()
        if truncate.is_tflite(cut):
            return cut
    except OSError:
        pass
    cut = truncate.pack(truncate.truncate_model(model, layer, str(path)), len(data))
    try:
        atomic_write_bytes(cached, cut)
    except OSError as err:  # a read-only models dir: still run, just cut again next time
        log.warning("could not cache the truncated model in %s (%s)", cached.parent, err.strerror)
    return cut
