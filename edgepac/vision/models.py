"""Model files: the manifest of known MobileNets, fetching, importing, and finding one to run.

A variant is *present* when its classifier sits in the models directory with an accepted
SHA-256; next to it lies the same model cut at ``cut_layer`` (``<name>.<layer>.tflite``), which
is what the arcade loads. Every way a model gets there (download, ``--from`` a file or folder,
found on ``$EDGEPAC_MODEL_SEARCH``) goes through one verify-cut-store path, `store_model`, so a
file that is not the model it claims to be is never kept, and a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import logging
import os
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from edgepac import paths
from edgepac.atomic import atomic_write_bytes, move_aside
from edgepac.errors import EdgePacError
from edgepac.vision import truncate

log = logging.getLogger(__name__)

MODELS_ENV = "EDGEPAC_MODELS"  # where models are kept (see edgepac.paths)
SEARCH_ENV = "EDGEPAC_MODEL_SEARCH"  # colon-separated folders that may hold known models
MAX_DOWNLOAD = 256 << 20  # the largest MobileNet v1 archive is ~100 MB: more is a wrong URL
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")
MIN_INPUT, MAX_INPUT = 32, 1024  # MobileNet halves the image 5 times; past 1024 is just slow


# --- the manifest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str  # e.g. "0.25_224"
    url: str
    member: str  # the .tflite inside the archive
    sha256: tuple[str, ...]  # accepted SHA-256s of that .tflite
    alpha: float
    native_input_size: int
    cut_layer: str
    run_input_size: int | None = None

    @property
    def filename(self) -> str:
        return Path(self.member).name

    @property
    def cut_filename(self) -> str:
        return cut_name(self.filename, self.cut_layer)

    @property
    def input_size(self) -> int:
        """The size the arcade runs this variant at."""
        return self.run_input_size or self.native_input_size


@dataclass(frozen=True)
class Manifest:
    default: str
    variants: dict[str, Variant] = field(default_factory=dict)

    def variant(self, name: str) -> Variant:
        try:
            return self.variants[name]
        except KeyError:
            raise EdgePacError(
                f"unknown model variant {name!r}: known are {', '.join(self.variants)}"
            ) from None

    def by_sha256(self, sha: str) -> Variant | None:
        return next((v for v in self.variants.values() if sha in v.sha256), None)

    def in_preference_order(self) -> list[Variant]:
        """The default first, then the others as the manifest lists them."""
        rest = [v for n, v in self.variants.items() if n != self.default]
        return [self.variants[self.default], *rest]


def load_manifest(path: Path | None = None) -> Manifest:
    path = path or paths.MANIFEST
    try:
        raw = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise EdgePacError(f"{path}: cannot read the model manifest ({err})") from err
    variants = {}
    for name, v in raw.get("variants", {}).items():
        try:
            variants[name] = Variant(
                name=name,
                url=str(v["url"]),
                member=str(v["member"]),
                sha256=tuple(s.lower() for s in v["sha256"]),
                alpha=float(v["alpha"]),
                native_input_size=int(v["native_input_size"]),
                cut_layer=str(v.get("cut_layer", truncate.DEFAULT_LAYER)),
                run_input_size=int(v["run_input_size"]) if "run_input_size" in v else None,
            )
        except (KeyError, TypeError, ValueError) as err:
            raise EdgePacError(f"{path}: variant {name!r} is missing or has a bad {err}") from err
    default = raw.get("default")
    if default not in variants:
        raise EdgePacError(f"{path}: default {default!r} is not one of its variants")
    return Manifest(default, variants)


# --- files in the models directory ----------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cut_name(filename: str, layer: str) -> str:
    """mobilenet_v1_0.25_224_quant.tflite -> mobilenet_v1_0.25_224_quant.conv_pw_13_relu.tflite"""
    return f"{Path(filename).stem}.{layer.replace('/', '_')}.tflite"


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


def models_folder(create: bool = False) -> Path:
    """The models directory ($EDGEPAC_MODELS), made if ``create``; one line when it cannot be."""
    folder = paths.models_dir()
    fix = f"point ${MODELS_ENV} at a folder (or unset it)"
    if folder.exists() and not folder.is_dir():
        raise EdgePacError(f"the models folder {folder} is a file, not a folder: {fix}")
    if create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise EdgePacError(
                f"cannot make the models folder {folder} ({err.strerror}): {fix}"
            ) from err
    return folder


def write_model(path: Path, data: bytes) -> None:
    """Write a model file atomically, readable by all: the kiosk's service user may not be the
    user who fetched it (atomic writes start as owner-only temporary files)."""
    atomic_write_bytes(path, data)
    path.chmod(0o644)


def store_model(
    data: bytes, source: str, variant: Variant | None = None, manifest: Manifest | None = None
) -> Path:
    """Verify ``data`` is a known model (``variant`` if given), cut it, store both; -> the cut file.

    Both files are written atomically, the full one first: a power cut leaves at most a full
    model without its cut twin, which `present_model` cuts again.
    """
    manifest = manifest or load_manifest()
    if not truncate.is_tflite(data):
        raise EdgePacError(
            f"{source} is not a TFLite model; give the .tgz from the model catalogue or "
            "the .tflite inside it"
        )
    sha = sha256_bytes(data)
    if variant is None:
        variant = manifest.by_sha256(sha)
        if variant is None:
            raise EdgePacError(
                f"{source} is not a model EdgePac knows (SHA-256 {sha[:16]}...); "
                f"known are {', '.join(manifest.variants)} (see models/manifest.toml)"
            )
    elif sha not in variant.sha256:
        raise EdgePacError(
            f"{source}: SHA-256 {sha[:16]}... does not match model {variant.name} "
            f"({variant.sha256[0][:16]}...); the file is damaged or another model: fetch it again"
        )
    cut = truncate.truncate_bytes(data, variant.cut_layer, source)  # before writing anything
    folder = models_folder(create=True)
    try:
        write_model(folder / variant.filename, data)
        write_model(folder / variant.cut_filename, cut)
    except OSError as err:
        raise EdgePacError(
            f"cannot write model {variant.name} into {folder} ({err.strerror}): check the "
            f"folder's owner, or point ${MODELS_ENV} at another folder"
        ) from err
    return folder / variant.cut_filename


def present_model(variant: Variant) -> Path | None:
    """The cut model of ``variant`` if its verified classifier is in the models directory."""
    folder = paths.models_dir()
    full = folder / variant.filename
    try:
        data = full.read_bytes()
    except OSError:
        return None
    if sha256_bytes(data) not in variant.sha256:
        try:
            aside = move_aside(full)  # damaged: keep it for the curious, fetch a good one
            log.warning("%s has the wrong SHA-256; moved it to %s", full, aside.name)
        except OSError:  # a read-only models folder: just do not use it
            log.warning("%s has the wrong SHA-256; not using it", full)
        return None
    cut = folder / variant.cut_filename
    if not _starts_as_tflite(cut):
        try:
            write_model(cut, truncate.truncate_bytes(data, variant.cut_layer, str(full)))
        except OSError:  # a read-only models folder: the Backbone cuts the classifier on load
            return full
    return cut


def _starts_as_tflite(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return truncate.is_tflite(f.read(8))
    except OSError:
        return False


def default_input_size(model: Path, manifest: Manifest | None = None) -> int | None:
    """The size the arcade should run ``model`` at, if it is a known variant's file (by name)."""
    manifest = manifest or load_manifest()
    for v in manifest.variants.values():
        if model.name in (v.filename, v.cut_filename):
            return v.input_size
    return None


def input_size_for(model: Path, requested: int | None = None) -> int | None:
    """THE input-size rule, for every command and the arcade: ``requested`` when given; None or
    0 mean "the size EdgePac runs this model at": the manifest's for a known variant (0.25_128
    runs at 224), else None, the model's own. So a head trained by `edgepac train --model M`
    fits `edgepac run --model M`: both ran M at the same size."""
    return requested or default_input_size(model)


def check_input_size(value: int | None) -> int | None:
    """A user's input size: 0 or None (the model's run size, see `input_size_for`) or 32..1024."""
    if not value:
        return None
    if not MIN_INPUT <= value <= MAX_INPUT:
        raise EdgePacError(
            f"the input size must be from {MIN_INPUT} to {MAX_INPUT}, or 0 for the size EdgePac "
            f"runs the model at; got {value}"
        )
    return value


# --- cutting any model on load, cached ------------------------------------------------------


def cache_path(source_sha256: str, layer: str) -> Path:
    return paths.models_dir() / "cache" / f"{source_sha256}.{layer.replace('/', '_')}.tflite"


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
        write_model(cached, cut)
    except OSError as err:  # a read-only models dir: still run, just cut again next time
        log.warning("could not cache the cut model in %s (%s)", cached.parent, err.strerror)
    return cut


# --- fetching ---------------------------------------------------------------------------------


class ProgressBar:
    """A one-line download progress bar on a text stream (stderr).

    On a terminal it is redrawn in place; elsewhere (a log, the journal) only the final line is
    written, so a boot log does not fill with carriage returns.
    """

    def __init__(self, label: str, total: int | None, stream: IO[str], width: int = 30) -> None:
        self.label, self.total, self.stream, self.width = label, total, stream, width
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self.done = 0
        self._start = time.monotonic()
        self._last_draw = -1.0
        self._open = False  # a line is drawn and not yet ended

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.live and now - self._last_draw >= 0.1:  # redrawing faster only costs time
            self._draw(now)

    def finish(self) -> None:
        self._draw(time.monotonic())
        self.close()

    def close(self) -> None:
        """End the line (also when the download failed half-way, before the error is shown)."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False

    def _draw(self, now: float) -> None:
        self._last_draw = now
        rate = self.done / max(now - self._start, 1e-6) / 1e6
        size = f"{self.done / 1e6:.1f}"
        if self.total:
            frac = min(self.done / self.total, 1.0)
            filled = round(frac * self.width)
            bar = "#" * filled + "." * (self.width - filled)
            line = f"{self.label} [{bar}] {frac:4.0%} {size}/{self.total / 1e6:.1f} MB"
        else:
            line = f"{self.label} {size} MB"
        start = "\r" if self.live else ""  # back to the line's start, to redraw it in place
        self.stream.write(f"{start}{line} {rate:.1f} MB/s")
        self.stream.flush()
        self._open = True


def download(url: str, dest: IO[bytes], progress: IO[str] | None, timeout: float = 30) -> None:
    """Copy ``url`` into ``dest``, drawing a progress bar on ``progress``."""
    hint = "check the network, or download it elsewhere and run `edgepac fetch-model --from FILE`"
    bar: ProgressBar | None = None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if progress is not None:
                bar = ProgressBar(f"downloading {Path(url).name}", total, progress)
            read = 0
            while chunk := response.read(1 << 16):
                read += len(chunk)
                if read > MAX_DOWNLOAD:
                    raise EdgePacError(f"{url} is larger than any known model; check the URL")
                dest.write(chunk)
                if bar:
                    bar.update(len(chunk))
            if total is not None and read != total:
                raise http.client.IncompleteRead(b"", total - read)
            if bar:
                bar.finish()
    except urllib.error.HTTPError as err:
        raise EdgePacError(
            f"could not download {url} (HTTP {err.code} {err.reason}); {hint}"
        ) from err
    except http.client.IncompleteRead as err:
        raise EdgePacError(f"the download of {url} stopped early; {hint}") from err
    except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
        reason = getattr(err, "reason", None) or err
        raise EdgePacError(f"could not download {url} ({reason}); {hint}") from err
    finally:
        if bar:
            bar.close()


def tflite_from_archive(archive: IO[bytes] | bytes, member: str | None, source: str) -> bytes:
    """The bytes of ``member`` (by file name; the only .tflite if None) in a .tgz archive."""
    fileobj = io.BytesIO(archive) if isinstance(archive, bytes) else archive
    try:
        with tarfile.open(fileobj=fileobj, mode="r:*") as tar:
            files = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".tflite")]
            if member is not None:
                files = [m for m in files if Path(m.name).name == Path(member).name]
            if len(files) != 1:
                want = Path(member).name if member else "exactly one .tflite file"
                raise EdgePacError(f"{source} does not hold {want}; check the URL or file")
            extracted = tar.extractfile(files[0])
            assert extracted is not None  # a regular file always extracts
            return extracted.read()
    except (tarfile.TarError, EOFError, OSError) as err:
        raise EdgePacError(
            f"{source} is not a .tgz archive ({err}); give the archive from the model "
            "catalogue or the .tflite inside it"
        ) from err


def fetch_model(
    variant_name: str | None = None,
    url: str | None = None,
    progress: IO[str] | None = sys.stderr,
    manifest: Manifest | None = None,
) -> Path:
    """Download a variant (the default if None), verify, cut and store it; -> the cut file."""
    manifest = manifest or load_manifest()
    variant = manifest.variant(variant_name or manifest.default)
    url = url or variant.url
    folder = models_folder(create=True)
    # The download goes to a temporary file beside the models, deleted whatever happens.
    with tempfile.TemporaryFile(dir=folder) as tmp:
        download(url, tmp, progress)
        tmp.seek(0)
        if url.endswith(".tflite"):
            data = tmp.read()
        else:
            data = tflite_from_archive(tmp, variant.member, url)
    return store_model(data, url, variant, manifest)


def import_models(source: Path, variant_name: str | None = None) -> list[Path]:
    """Verify and store models from a .tflite, a .tgz, or a folder: every known model in it (only
    ``variant_name`` if given), most preferred first; -> their cut files."""
    manifest = load_manifest()
    variant = manifest.variant(variant_name) if variant_name else None
    if source.is_dir():
        found = known_in_folders([source], manifest, [variant] if variant else None)
        if not found:
            want = f"model {variant.name}" if variant else "a known model"
            raise EdgePacError(f"{source} holds no {want} (.tflite or .tgz); check the folder")
        return [store_model(data, name, v, manifest) for name, data, v in found]
    if not source.is_file():
        raise EdgePacError(f"{source}: no such file or folder; check the path")
    try:
        if source.name.endswith(ARCHIVE_SUFFIXES):
            with source.open("rb") as f:
                data = tflite_from_archive(f, variant.member if variant else None, str(source))
        else:
            data = source.read_bytes()
    except OSError as err:
        raise EdgePacError(f"{source}: cannot read it ({err.strerror})") from err
    return [store_model(data, str(source), variant, manifest)]


def import_model(source: Path, variant_name: str | None = None) -> Path:
    """`import_models`' most preferred model; -> its cut file."""
    return import_models(source, variant_name)[0]


# --- finding a model to run -------------------------------------------------------------------


def search_folders() -> list[Path]:
    return [Path(p) for p in os.environ.get(SEARCH_ENV, "").split(":") if p]


def _candidates(folder: Path) -> Iterator[tuple[str, bytes]]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for path in entries:
        try:
            if path.suffix == ".tflite" and path.is_file():
                yield str(path), path.read_bytes()
            elif path.name.endswith(ARCHIVE_SUFFIXES) and path.is_file():
                with path.open("rb") as f:
                    yield str(path), tflite_from_archive(f, None, str(path))
        except (OSError, EdgePacError):
            continue


def known_in_folders(
    folders: list[Path], manifest: Manifest, wanted: list[Variant] | None = None
) -> list[tuple[str, bytes, Variant]]:
    """Each known model (by checksum) in ``folders``, once, most preferred first:
    [(source, bytes, variant)]."""
    wanted = wanted or manifest.in_preference_order()
    found: dict[str, tuple[str, bytes, Variant]] = {}
    for folder in folders:
        for source, data in _candidates(folder):
            v = manifest.by_sha256(sha256_bytes(data))
            if v in wanted and v.name not in found:
                found[v.name] = (source, data, v)
    return sorted(found.values(), key=lambda f: wanted.index(f[2]))


def find_in_folders(
    folders: list[Path], manifest: Manifest, wanted: list[Variant] | None = None
) -> tuple[str, bytes, Variant] | None:
    """The most preferred known model (by checksum) in ``folders``: (source, bytes, variant)."""
    found = known_in_folders(folders, manifest, wanted)
    return found[0] if found else None


def ensure_model(progress: IO[str] | None = sys.stderr, manifest: Manifest | None = None) -> Path:
    """A usable cut model, getting one if needed; -> its path in the models directory.

    In order: (a) the default variant already here, (b) any known variant already here,
    (c) download the default, (d) a known variant found by checksum in a folder listed in
    $EDGEPAC_MODEL_SEARCH (scripts/run adds ../shared/models in a development checkout).
    """
    manifest = manifest or load_manifest()
    models_folder()  # a file where the folder should be is said as such, not as "no model"
    for variant in manifest.in_preference_order():  # (a), then (b)
        path = present_model(variant)
        if path is not None:
            return path
    try:  # (c)
        return fetch_model(None, progress=progress, manifest=manifest)
    except EdgePacError as err:
        fetch_error = err
        if search_folders():
            log.warning("%s; looking in $%s instead", err, SEARCH_ENV)
    found = find_in_folders(search_folders(), manifest)  # (d)
    if found is not None:
        log.info("using %s (model %s) found in $%s", found[0], found[2].name, SEARCH_ENV)
        return store_model(found[1], found[0], found[2], manifest)
    raise EdgePacError(f"no model here and none could be fetched: {fetch_error}")


def resolve_model(arg: str | os.PathLike[str] | None, full: bool = False) -> Path:
    """What ``--model`` names: None (the best model here), a variant name, or a file path.

    A variant gives its cut model, or with ``full`` its classifier (for `edgepac classify`).
    Nothing is downloaded here: that is `ensure_model` and `edgepac fetch-model`.
    """
    manifest = load_manifest()
    if arg is None or str(arg) in manifest.variants:
        models_folder()  # a file in its place is said as such, not as "no model"
        wanted = manifest.in_preference_order() if arg is None else [manifest.variants[str(arg)]]
        for variant in wanted:
            cut = present_model(variant)
            if cut is not None:
                return cut.with_name(variant.filename) if full else cut
        which = f" {arg}" if arg is not None else ""
        raise EdgePacError(f"no model{which} here yet: run `edgepac fetch-model{which}`")
    path = Path(arg).expanduser()
    if not path.exists():
        raise EdgePacError(
            f"{path}: no such model file; give a .tflite path or one of "
            f"{', '.join(manifest.variants)}"
        )
    return path


def find_model_or_problem(
    arg: str | None, ensure: bool = False, progress: IO[str] | None = sys.stderr
) -> tuple[Path | None, str | None]:
    """The model the arcade runs, or (None, one line for the screen saying how to get one).

    ``arg`` is ``model.path`` (None: the best model here); ``ensure`` (`run --ensure-model`, as
    scripts/run does) may download it or import it from $EDGEPAC_MODEL_SEARCH first. Never
    raises for a missing model: a kiosk with no model keeps its screen and says what to do.
    """
    try:
        folder = models_folder()
    except EdgePacError as err:  # a file where the folder should be: that is the problem
        return None, str(err)
    named_file = arg is not None and arg not in load_manifest().variants
    try:
        if ensure and arg is None:
            return ensure_model(progress), None
        return resolve_model(arg), None
    except EdgePacError as err:
        log.debug("no model: %s", err)
        if named_file:  # the file the config or --model names: its own problem and fix
            return None, str(err)
    which = f" {arg}" if arg else ""
    tried = " and none could be downloaded" if ensure and arg is None else ""
    return None, (
        f"No model{which} in {folder}{tried}: run `edgepac fetch-model{which}` (offline: "
        f"`edgepac fetch-model --from FILE`, or a folder in ${SEARCH_ENV})"
    )


def describe(manifest: Manifest | None = None) -> list[dict[str, Any]]:
    """Each known variant and whether it is here (for `fetch-model --list` and doctor)."""
    manifest = manifest or load_manifest()
    return [
        {
            "variant": v.name,
            "default": v.name == manifest.default,
            "alpha": v.alpha,
            "input_size": v.input_size,
            "present": str(p) if (p := present_model(v)) else None,
        }
        for v in manifest.variants.values()
    ]
