"""Teachable Machine (TM) image models: read a TFLite export, check it, store it, run it.

TM's "Tensorflow Lite" tab downloads ``converted_tflite.zip`` (``model_unquant.tflite``, float in
[-1, 1]) or ``converted_tflite_quantized.zip`` (``model.tflite``, uint8 in and out), each with
``labels.txt`` ("0 Class 1" a line). Both are one graph (see TM's converter recipe,
snippets/converter/image/api.py):

    MobileNetV2 0.35 (224) -> MEAN (global average pool, 1280) -> FULLY_CONNECTED(100, relu)
        -> FULLY_CONNECTED(N, no bias) -> SOFTMAX

EdgePac cuts the graph at the MEAN's output, the *embedding* (see `truncate`): that runs as the
backbone (`TmBackbone`), and the two dense layers are read out of the flatbuffer (dequantised
for the uint8 model) into the same shape of head EdgePac trains, so training warm-starts from
what TM learned.

A zip is untrusted input: members are read into memory one by one with a size cap (never
extracted), and a member path that climbs out of the zip, a link, or more unpacked bytes than a
TM model can have are refused. Everything is checked before anything is stored; the store is one
file, written atomically (``<models>/tm/<name>.tm.zip``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from edgepac import paths
from edgepac.errors import EdgePacError
from edgepac.poses import POSES
from edgepac.vision import truncate
from edgepac.vision.backbone import Activations
from edgepac.vision.interpreter import allocate, invoke, make_interpreter
from edgepac.vision.preprocess import SquareResizer

DIRECTIONS = POSES  # the game's order
NOTHING = "nothing"  # a label mapped here steers nowhere: "no new direction"
NOTHING_LABELS = ("nothing", "background", "none", "neutral", "idle", "no pose")
MODEL_FILES = ("model_unquant.tflite", "model.tflite")  # float, quantized
EDGETPU_FILE = "model_edgetpu.tflite"
AUDIO_FILE = "soundclassifier_with_metadata.tflite"
EDGETPU_OP = b"edgetpu-custom-op"
STORE_SUFFIX = ".tm.zip"
EMBEDDING = "tm_embedding"  # the cut layer's name in identities
# MobileNetV2 0.35 float is ~2 MB; 64 MB unpacked is no TM image model, and a zip that unpacks
# to more than 8x its own size (TFLite weights barely compress: TM's zips unpack to 1.1-1.3x)
# is a bomb, not a model. A tiny zip may still unpack to 8 MB.
MAX_UNPACKED = 64 << 20
MAX_RATIO = 8
SMALL_ZIP = 1 << 20
TAB_HINT = (
    "in Teachable Machine use Export Model -> Tensorflow Lite -> Floating point or Quantized "
    "-> Download my model"
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


# --- reading an export --------------------------------------------------------------------------


@dataclass(frozen=True)
class TmExport:
    """A TM TFLite export as read (not yet checked as a model): bytes and labels."""

    model: bytes
    labels: list[str]
    source: str


def read_export(path: str | os.PathLike[str]) -> TmExport:
    """A TM zip, a folder holding one (or the unzipped files), or a .tflite beside labels.txt."""
    p = Path(path).expanduser()
    if p.is_dir():
        zips = sorted(q for q in p.iterdir() if q.suffix.lower() == ".zip" and q.is_file())
        if any((p / name).is_file() for name in (*MODEL_FILES, EDGETPU_FILE, AUDIO_FILE)):
            return _from_files({q.name: q for q in p.iterdir() if q.is_file()}, str(p))
        if len(zips) == 1:
            return read_export(zips[0])
        if not zips:
            raise EdgePacError(f"{p} holds no Teachable Machine zip or model.tflite; {TAB_HINT}")
        raise EdgePacError(f"{p} holds {len(zips)} zips: give the one to import")
    if not p.exists():
        raise EdgePacError(f"{p}: no such file or folder; check the path")
    if p.suffix.lower() == ".tflite":
        labels = p.with_name("labels.txt")
        if not labels.is_file():
            raise EdgePacError(
                f"{p}: no labels.txt beside it; put TM's labels.txt next to it, or give the zip"
            )
        return _from_files({p.name: p, "labels.txt": labels}, str(p), model_name=p.name)
    return _from_zip(p)


def _from_files(files: dict[str, Path], source: str, model_name: str | None = None) -> TmExport:
    def read(name: str) -> bytes:
        try:
            return files[name].read_bytes()
        except OSError as err:
            raise EdgePacError(f"{files[name]}: cannot read it ({err.strerror})") from err

    members = {name: read(name) for name in files if name in _WANTED or name == model_name}
    return _export(members, source, model_name)


_WANTED = (*MODEL_FILES, EDGETPU_FILE, AUDIO_FILE, "labels.txt", "metadata.json", "model.json")


def _from_zip(path: Path) -> TmExport:
    source = str(path)
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            _check_members(infos, source, size)
            members: dict[str, bytes] = {}
            for info in infos:
                name = PurePosixPath(info.filename).name
                if info.is_dir() or (name not in _WANTED and not name.endswith((".h5", ".bin"))):
                    continue
                if name in members:
                    raise EdgePacError(f"{source} holds two {name} files: give TM's zip as is")
                if name.endswith((".h5", ".bin")):
                    members[name] = b""  # only its presence matters: it is refused below
                    continue
                with z.open(info) as f:
                    data = f.read(MAX_UNPACKED + 1)
                if len(data) > MAX_UNPACKED:
                    raise EdgePacError(
                        f"{source}: {name} unpacks past {MAX_UNPACKED >> 20} MB; that is no "
                        "Teachable Machine model: not imported"
                    )
                members[name] = data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        raise EdgePacError(
            f"{source} is damaged or not a zip ({err}); download it again from Teachable Machine"
        ) from err
    except OSError as err:
        raise EdgePacError(f"{source}: cannot read it ({err.strerror or err})") from err
    return _export(members, source)


def _check_members(infos: Sequence[zipfile.ZipInfo], source: str, zip_size: int) -> None:
    """Refuse a hostile zip before reading any member: paths out of its folder, links, bombs."""
    total = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
            raise EdgePacError(
                f"{source}: member {name!r} points outside the zip's folder; refused (a hostile "
                "zip): download the model again from Teachable Machine"
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise EdgePacError(
                f"{source}: member {name!r} is a link; refused (a TM export holds plain files "
                "only): download the model again from Teachable Machine"
            )
        total += info.file_size
    if total > min(MAX_UNPACKED, MAX_RATIO * max(zip_size, SMALL_ZIP)):
        raise EdgePacError(
            f"{source} unpacks to {total >> 20} MB from {zip_size >> 10} KB: too big for a "
            "Teachable Machine model (a zip bomb?); refused, nothing imported"
        )


def _export(members: dict[str, bytes], source: str, model_name: str | None = None) -> TmExport:
    """Which kind of TM export ``members`` (file name -> bytes) is, refused unless TFLite image."""
    if AUDIO_FILE in members:
        raise EdgePacError(
            f"{source} is a Teachable Machine audio model; EdgePac steers with images: make "
            "an Image Project and export it as Tensorflow Lite"
        )
    if "model.json" in members or ("metadata.json" in members and "weights.bin" in members):
        kind = _tfjs_kind(members.get("metadata.json", b""))
        if kind != "image":
            raise EdgePacError(
                f"{source} is a Teachable Machine {kind} model (TensorFlow.js); EdgePac steers "
                "with images: make an Image Project and export it as Tensorflow Lite"
            )
        raise EdgePacError(
            f"{source} is a TensorFlow.js export, which needs TensorFlow to read; {TAB_HINT}"
        )
    if any(n.endswith(".h5") for n in members):
        raise EdgePacError(f"{source} is a Keras .h5 export, which needs TensorFlow; {TAB_HINT}")
    if EDGETPU_FILE in members and not any(n in members for n in MODEL_FILES):
        raise EdgePacError(_edgetpu_message(source))
    found = [n for n in (model_name, *MODEL_FILES) if n and n in members]
    if not found:
        raise EdgePacError(f"{source} holds no model (model.tflite or model_unquant.tflite); "
                           f"{TAB_HINT}")  # fmt: skip
    if "labels.txt" not in members:
        raise EdgePacError(f"{source} has a model but no labels.txt; {TAB_HINT}")
    return TmExport(members[found[0]], parse_labels(members["labels.txt"], source), source)


def _tfjs_kind(metadata: bytes) -> str:
    try:
        meta = json.loads(metadata.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "image"
    if not isinstance(meta, dict):
        return "image"
    package = str(meta.get("packageName", ""))
    settings = meta.get("modelSettings")
    if "pose" in package or (isinstance(settings, dict) and "posenet" in settings):
        return "pose"
    if "audio" in package or "speech" in package or "wordLabels" in meta:
        return "audio"
    return "image"


def _edgetpu_message(source: str) -> str:
    return (
        f"{source} is compiled for the Edge TPU only (edgetpu-custom-op) and cannot run on the "
        "Pi's CPU; in Teachable Machine export Tensorflow Lite -> Quantized (or Floating point), "
        "not EdgeTPU"
    )


def parse_labels(data: bytes, source: str = "labels.txt") -> list[str]:
    """TM's labels.txt: one "{index} {label}" a line, indices 0, 1, 2... in order."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise EdgePacError(f"{source}: labels.txt is not text; {TAB_HINT}") from err
    labels = []
    for n, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        index, _, label = line.strip().partition(" ")
        if index != str(len(labels)) or not label.strip():
            raise EdgePacError(
                f"{source}: labels.txt line {n + 1} is {line.strip()!r}, not "
                f"'{len(labels)} <label>'; use the labels.txt from the same TM download"
            )
        labels.append(label.strip())
    if not labels:
        raise EdgePacError(f"{source}: labels.txt is empty; use the one from the same TM download")
    return labels


# --- the model inside: the embedding and the two dense layers -----------------------------------


@dataclass(frozen=True)
class TmGraph:
    """What EdgePac needs from a TM model: its kind, the embedding cut, the head's weights."""

    kind: str  # "float" or "uint8" (the model's input and output type)
    input_size: int
    embedding: bytes  # the model cut after the global average pool
    W1: np.ndarray  # (1280, units) float32
    b1: np.ndarray  # (units,)
    W2: np.ndarray  # (units, N)


def read_graph(data: bytes, n_labels: int, source: str) -> TmGraph:
    """Check ``data`` is a TM image model with ``n_labels`` outputs; cut it and read its head."""
    s = truncate.schema()
    model = truncate.load_model(data, source)
    for code in model.operatorCodes or []:
        if code.customCode == EDGETPU_OP:
            raise EdgePacError(_edgetpu_message(source))
    graph = model.subgraphs[0]
    ops = list(graph.operators or [])
    codes = [_op_name(model, op, s) for op in ops]
    tail = [c for c in codes if c not in ("QUANTIZE", "DEQUANTIZE")][-4:]
    # TM pools (MEAN); a controller from `edgepac export` flattens (RESHAPE) EdgePac's activations
    dense = ["FULLY_CONNECTED", "FULLY_CONNECTED", "SOFTMAX"]
    if len(tail) < 4 or tail[0] not in ("MEAN", "RESHAPE") or tail[1:] != dense:
        raise EdgePacError(
            f"{source} is not a Teachable Machine image model (it ends {' -> '.join(tail)}); "
            f"{TAB_HINT}"
        )
    inp = graph.tensors[graph.inputs[0]]
    shape = [int(v) for v in inp.shape]
    if len(shape) != 4 or shape[1] != shape[2] or shape[3] != 3:
        raise EdgePacError(
            f"{source} takes {shape}, not square RGB images: not a Teachable Machine image "
            f"model (a tiny or pose model?); {TAB_HINT}"
        )
    kind = {s.TensorType.FLOAT32: "float", s.TensorType.UINT8: "uint8"}.get(inp.type)
    if kind is None:
        raise EdgePacError(f"{source}: input type {inp.type} is neither float32 nor uint8")
    fc1, fc2 = (op for op, c in zip(ops, codes, strict=True) if c == "FULLY_CONNECTED")
    if fc1.builtinOptions is None or fc1.builtinOptions.fusedActivationFunction != (
        s.ActivationFunctionType.RELU
    ):
        raise EdgePacError(f"{source}: its first dense layer has no relu; not a TM image model")
    W1 = _weights(model, fc1.inputs[1], source)  # (units, 1280)
    has_bias = len(fc1.inputs) > 2 and fc1.inputs[2] >= 0
    b1 = _weights(model, fc1.inputs[2], source) if has_bias else None
    W2 = _weights(model, fc2.inputs[1], source)  # (N, units)
    if len(fc2.inputs) > 2 and fc2.inputs[2] >= 0:
        raise EdgePacError(f"{source}: its last dense layer has a bias; not a TM image model")
    if W2.shape[0] != n_labels:
        raise EdgePacError(
            f"{source} has {W2.shape[0]} outputs but labels.txt names {n_labels} classes; use "
            "the labels.txt from the same TM download"
        )
    if W1.shape[0] != W2.shape[1]:
        raise EdgePacError(f"{source}: its dense layers do not fit together; download it again")
    units = W1.shape[0]
    b1 = np.zeros(units, np.float32) if b1 is None else b1
    cut = int(fc1.inputs[0])
    made_by = {int(t): (op, c) for op, c in zip(ops, codes, strict=True) for t in op.outputs}
    if made_by.get(cut, (None, ""))[1] == "DEQUANTIZE":  # `edgepac export`'s: keep them uint8
        cut = int(made_by[cut][0].inputs[0])
    embedding = truncate.pack(truncate.truncate_at(model, cut, EMBEDDING, source), len(data))
    return TmGraph(
        kind, shape[1], embedding,
        np.ascontiguousarray(W1.T), b1.reshape(units), np.ascontiguousarray(W2.T),
    )  # fmt: skip


def _op_name(model: Any, op: Any, s: Any) -> str:
    code = model.operatorCodes[op.opcodeIndex]
    number = max(code.builtinCode, code.deprecatedBuiltinCode)
    names = {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}
    return str(names.get(number, number))


def _weights(model: Any, index: int, source: str) -> np.ndarray:
    """A constant tensor as float32: int8/int32 weights dequantised (per channel where so)."""
    s = truncate.schema()
    t = model.subgraphs[0].tensors[index]
    raw = model.buffers[t.buffer].data
    dtypes = {
        s.TensorType.FLOAT32: np.float32,
        s.TensorType.INT8: np.int8,
        s.TensorType.UINT8: np.uint8,
        s.TensorType.INT32: np.int32,
    }
    if raw is None or t.type not in dtypes:
        raise EdgePacError(f"{source}: a dense layer's weights are missing; download it again")
    shape = [int(v) for v in t.shape]
    values = np.frombuffer(np.asarray(raw, np.uint8).tobytes(), dtypes[t.type])
    if values.size != int(np.prod(shape)):
        raise EdgePacError(f"{source} is damaged (weights of the wrong size); download it again")
    values = values.reshape(shape)
    if t.type == s.TensorType.FLOAT32:
        return values.astype(np.float32)
    q = t.quantization
    if q is None or q.scale is None or not len(q.scale):
        raise EdgePacError(f"{source}: quantized weights without a scale; download it again")
    scale = np.asarray(q.scale, np.float32)
    zero = np.asarray(q.zeroPoint if q.zeroPoint is not None else [0], np.float32)
    if scale.size > 1:  # per channel, along quantizedDimension
        axis = int(q.quantizedDimension)
        where = [1] * values.ndim
        where[axis] = scale.size
        scale, zero = scale.reshape(where), zero.reshape(where)
    return ((values.astype(np.float32) - zero) * scale).astype(np.float32)


# --- mapping labels to directions ---------------------------------------------------------------


def direction_of(label: str) -> str | None:
    """The direction a label names by itself ("Up", "LEFT arrow", "arrow_right"), else None;
    NOTHING for a "Nothing"/"Background" class."""
    words = [w for w in re.split(r"[\s_\-]+", label.strip().lower()) if w]
    if " ".join(words) in NOTHING_LABELS:
        return NOTHING
    words = [w for w in words if w not in ("arrow", "arrows")]
    if len(words) == 1 and words[0] in DIRECTIONS:
        return words[0]
    return None


def parse_maps(items: Iterable[str]) -> dict[str, str]:
    """``--map LABEL=DIRECTION`` arguments as {label: direction}."""
    maps: dict[str, str] = {}
    for item in items:
        label, sep, direction = item.rpartition("=")
        direction = direction.strip().lower()
        if not sep or not label.strip() or direction not in (*DIRECTIONS, NOTHING):
            raise EdgePacError(
                f"--map {item!r}: write LABEL=DIRECTION, DIRECTION one of "
                f"{', '.join(DIRECTIONS)} or {NOTHING} (e.g. --map 'Class 1=up')"
            )
        maps[label.strip()] = direction
    return maps


def map_labels(labels: Sequence[str], maps: dict[str, str] | None = None) -> list[str]:
    """Each label's direction (or NOTHING): ``maps`` first, then the label's own name.

    Refused, one line each: a --map for a label the model has not; a label that names nothing
    and is not mapped; two labels on one direction; fewer than two directions (cannot steer).
    """
    maps = dict(maps or {})
    folded = {label.casefold(): label for label in labels}
    for label in maps:
        if label.casefold() not in folded:
            raise EdgePacError(
                f"--map {label!r}: the model has no such label; its labels are "
                f"{', '.join(repr(x) for x in labels)}"
            )
    by_label = {folded[k.casefold()]: v for k, v in maps.items()}
    result = [by_label.get(label) or direction_of(label) for label in labels]
    unmapped = [label for label, d in zip(labels, result, strict=True) if d is None]
    if unmapped:
        pairs = zip(unmapped, DIRECTIONS * len(unmapped), strict=False)
        example = " ".join(f"--map '{label}={d}'" for label, d in pairs)
        raise EdgePacError(
            f"label{'s' if len(unmapped) > 1 else ''} {', '.join(repr(x) for x in unmapped)} "
            f"name{'' if len(unmapped) > 1 else 's'} no direction: map each, e.g. {example} "
            f"(or ={NOTHING})"
        )
    steering = [d for d in result if d != NOTHING]
    twice = sorted({d for d in steering if steering.count(d) > 1})
    if twice:
        both = [label for label, d in zip(labels, result, strict=True) if d == twice[0]]
        raise EdgePacError(
            f"labels {', '.join(repr(x) for x in both)} both map to {twice[0]}: map one of "
            f"them elsewhere with --map (or ={NOTHING})"
        )
    if len(steering) < 2:
        raise EdgePacError(
            f"this model cannot steer: only {len(steering)} of its labels "
            f"({', '.join(repr(x) for x in labels)}) map to a direction, and Pac-Man needs two "
            "or more; map them with --map LABEL=up|down|left|right"
        )
    return [str(d) for d in result]


def head_classes(labels: Sequence[str], directions: Sequence[str]) -> list[str]:
    """The arcade's class names for a TM head: the direction, or the label for a NOTHING class
    (which steers nowhere: the game knows no such direction)."""
    names = []
    for label, d in zip(labels, directions, strict=True):
        name = d
        if d == NOTHING:
            name = label
            while name.casefold() in DIRECTIONS or name in names:  # "up" mapped to nothing
                name = f"{name} (nothing)"  # is not up
        names.append(name)
    return names


# --- the stored model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TmModel:
    """A checked TM model, stored or read straight from an export."""

    name: str
    labels: list[str]
    directions: list[str] | None  # None: not mapped (read from a path, not imported)
    kind: str
    input_size: int
    model: bytes  # TM's whole model, as exported
    embedding: bytes  # cut at the embedding
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    sha256: str  # of TM's model file
    path: Path | None = None  # the stored file, if stored

    @property
    def classes(self) -> list[str]:
        """The arcade's class names (directions, or the label for a NOTHING class)."""
        if self.directions is None:
            raise EdgePacError(
                f"Teachable Machine model {self.name} has no directions yet: import it with "
                "`edgepac import-tm PATH --map LABEL=DIRECTION ...` and use its name"
            )
        return head_classes(self.labels, self.directions)

    @property
    def steers(self) -> dict[str, str]:
        return dict(zip(self.labels, self.directions or [], strict=False))


def check_name(name: str) -> str:
    if not _NAME.match(name) or name.endswith(STORE_SUFFIX):
        raise EdgePacError(
            f"--name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, not starting "
            "with '.' or '-')"
        )
    return name


def default_name(source: str) -> str:
    stem = Path(source).name
    for suffix in (".zip", ".tflite"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "tm-model"
    return stem[:64]


def tm_folder() -> Path:
    return paths.models_dir() / "tm"


def store_path(name: str) -> Path:
    return tm_folder() / f"{check_name(name)}{STORE_SUFFIX}"


def from_export(export: TmExport, name: str, maps: dict[str, str] | None) -> TmModel:
    """Check an export through and through; ``maps`` None: leave the directions unmapped."""
    graph = read_graph(export.model, len(export.labels), export.source)
    directions = map_labels(export.labels, maps) if maps is not None else None
    # The cut graph must run here: a damaged model fails now, not at the arcade.
    _run_once(graph.embedding, graph.kind, graph.input_size, export.source)
    return TmModel(
        name=name, labels=list(export.labels), directions=directions, kind=graph.kind,
        input_size=graph.input_size, model=export.model, embedding=graph.embedding,
        W1=graph.W1, b1=graph.b1, W2=graph.W2,
        sha256=hashlib.sha256(export.model).hexdigest(),
    )  # fmt: skip


def _run_once(model: bytes, kind: str, size: int, source: str) -> None:
    interp, _ = make_interpreter(model, num_threads=1, source=source)
    allocate(interp, source)
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], np.zeros((1, size, size, 3), inp["dtype"]))
    invoke(interp, source)
    out = interp.get_tensor(interp.get_output_details()[0]["index"])
    if kind == "float" and not np.isfinite(out).all():
        raise EdgePacError(f"{source} is damaged (its embedding is not finite); download it again")


def import_tm(
    path: str | os.PathLike[str], name: str | None = None, maps: dict[str, str] | None = None
) -> TmModel:
    """Check the export at ``path``, map its labels, store it atomically; -> the stored model."""
    from edgepac.vision.models import models_folder, write_model

    export = read_export(path)
    name = check_name(name) if name else default_name(export.source)
    model = from_export(export, name, maps or {})
    models_folder(create=True)
    target = store_path(name)
    try:
        if not target.parent.is_dir():
            target.parent.mkdir()
            target.parent.chmod(0o755)  # the kiosk's service user reads what `sudo` imported
        write_model(target, _pack_store(model))
    except OSError as err:
        raise EdgePacError(
            f"cannot write {target} ({err.strerror}): check the models folder's owner, or point "
            "$EDGEPAC_MODELS at another folder"
        ) from err
    return load_stored(target)


def _pack_store(m: TmModel) -> bytes:
    meta = {
        "format": 1,
        "name": m.name,
        "kind": m.kind,
        "input_size": m.input_size,
        "labels": m.labels,
        "directions": m.directions,
        "sha256": m.sha256,
    }
    weights = io.BytesIO()
    np.savez(weights, W1=m.W1, b1=m.b1, W2=m.W2)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("edgepac-tm.json", json.dumps(meta, indent=1) + "\n")
        z.writestr("labels.txt", "".join(f"{i} {label}\n" for i, label in enumerate(m.labels)))
        z.writestr(MODEL_FILES[0] if m.kind == "float" else MODEL_FILES[1], m.model)
        z.writestr("embedding.tflite", m.embedding)
        z.writestr("head.npz", weights.getvalue())
    return buf.getvalue()


def load_stored(path: Path) -> TmModel:
    """A model stored by `import_tm` (runs on a Pi without the TFLite schema: nothing to cut)."""
    source = str(path)
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as z:
            _check_members(z.infolist(), source, size)
            meta = json.loads(z.read("edgepac-tm.json"))
            with np.load(io.BytesIO(z.read("head.npz")), allow_pickle=False) as npz:
                W1, b1, W2 = (np.asarray(npz[k], np.float32) for k in ("W1", "b1", "W2"))
            model_file = MODEL_FILES[0] if meta["kind"] == "float" else MODEL_FILES[1]
            return TmModel(
                name=str(meta["name"]), labels=[str(x) for x in meta["labels"]],
                directions=[str(d) for d in meta["directions"]], kind=str(meta["kind"]),
                input_size=int(meta["input_size"]), model=z.read(model_file),
                embedding=z.read("embedding.tflite"), W1=W1, b1=b1, W2=W2,
                sha256=str(meta["sha256"]), path=path,
            )  # fmt: skip
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError, OSError) as err:
        raise EdgePacError(
            f"{source} is damaged ({type(err).__name__}); import the model again with "
            "`edgepac import-tm PATH`"
        ) from err


def stored_names() -> list[str]:
    try:
        return sorted(p.name[: -len(STORE_SUFFIX)] for p in tm_folder().glob(f"*{STORE_SUFFIX}"))
    except OSError:
        return []


def resolve_tm(arg: str | os.PathLike[str]) -> TmModel:
    """``--tm NAME|PATH``: a stored model by name, else an export read from a path (checked, not
    stored, labels unmapped unless they name directions)."""
    text = str(arg)
    if _NAME.match(text) and not text.lower().endswith((".zip", ".tflite")):
        path = tm_folder() / f"{text}{STORE_SUFFIX}"
        if path.is_file():
            return load_stored(path)
        if not Path(text).exists():
            known = stored_names()
            have = f"stored here: {', '.join(known)}" if known else "none is stored here yet"
            raise EdgePacError(
                f"no Teachable Machine model {text!r} ({have}); import one with "
                f"`edgepac import-tm PATH --name {text}`"
            )
    export = read_export(text)
    model = from_export(export, default_name(export.source), None)
    try:  # labels that name directions map by themselves (a run needs that; predict does not)
        directions = map_labels(export.labels, {})
    except EdgePacError:
        return model
    return TmModel(**{**model.__dict__, "directions": directions})


# --- running it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TmIdentity:
    """Like `BackboneIdentity`: saved samples and heads carry it."""

    model_sha256: str
    input_size: int
    cut_layer: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_sha256": self.model_sha256,
            "input_size": self.input_size,
            "cut_layer": self.cut_layer,
        }


class TmBackbone(Activations):
    """A TM model cut at its embedding, with `Backbone`'s interface: frame in, uint8 out.

    TM's preprocessing exactly: the centre square, resized to the model's input (224), then
    x/127.5 - 1 as float for the float model, raw uint8 pixels for the quantized one (its input
    quantisation does the same sum). The embedding (1280 averages of ReLU6 outputs) comes out as
    uint8 with ``scale``/``zero_point`` like EdgePac's own activations, so the sample store and
    the heads take it as they are: the quantized model's int8 embedding exactly (shifted by
    128), the float model's at 6/255 steps. ``embed`` gives the float model's embedding exactly.
    """

    def __init__(
        self, tm: TmModel, num_threads: int | None = None, resample: str = "nearest"
    ) -> None:
        self.tm = tm
        self.model_path = tm.path or Path(tm.name)
        self.num_threads = num_threads
        self.cut_layer = EMBEDDING
        self._source = source = f"Teachable Machine model {tm.name}"
        self._interp, kind = make_interpreter(tm.embedding, num_threads=num_threads, source=source)
        allocate(self._interp, source)
        self.interpreter_name = str(kind)
        inp = self._interp.get_input_details()[0]
        out = self._interp.get_output_details()[0]
        self.input_size = self.native_input_size = tm.input_size
        self._float = tm.kind == "float"
        units = int(out["shape"][-1])
        self.feature_shape = (units,)
        if self._float:
            self.scale, self.zero_point = 6.0 / 255.0, 0
        else:
            scale, zero = out["quantization"]
            self.scale = float(scale)
            self.zero_point = int(zero) + (128 if out["dtype"] == np.int8 else 0)
        self._int8 = out["dtype"] == np.int8
        self.identity = TmIdentity(
            hashlib.sha256(tm.embedding).hexdigest(), tm.input_size, EMBEDDING
        )
        self._input = self._interp.tensor(inp["index"])
        self._output = self._interp.tensor(out["index"])
        self._resize = SquareResizer(tm.input_size, resample)
        self._pixels = np.empty((tm.input_size, tm.input_size, 3), np.uint8)
        self._scaled = np.empty(units, np.float32)

    def __repr__(self) -> str:
        kind = self.interpreter_name
        return f"TmBackbone({self.tm.name!r}, {self.tm.kind}, interpreter={kind!r})"

    def _run(self, frame: np.ndarray) -> np.ndarray:
        from edgepac.vision.backbone import _as_rgb

        if self._float:
            self._resize(_as_rgb(frame), self._pixels)
            x = self._input()[0]
            np.multiply(self._pixels, np.float32(1 / 127.5), out=x)
            x -= 1.0
            del x  # the interpreter refuses to run while a view of its memory lives
        else:
            self._resize(_as_rgb(frame), self._input()[0])
        invoke(self._interp, self._source)
        return self._output()[0]

    def embed(self, frame: np.ndarray) -> np.ndarray:
        """The embedding as float32, exactly as TM's dense layer sees it."""
        raw = self._run(frame)
        if self._float:
            return raw.copy()
        zero = self.zero_point - (128 if self._int8 else 0)
        return (raw.astype(np.float32) - zero) * np.float32(self.scale)

    @property
    def exact_embedding(self) -> bool:
        """Whether ``features(..., embedding=)`` gives more than ``dequantize`` would."""
        return self._float

    def features(
        self, frame: np.ndarray, out: np.ndarray | None = None, embedding: np.ndarray | None = None
    ) -> np.ndarray:
        """The uint8 embedding (``feature_shape``) of one HxWx3 uint8 RGB frame; ``embedding``:
        a float32 buffer that gets it exactly as the model's head sees it (nothing allocated)."""
        raw = self._run(frame)
        if out is None:
            out = np.empty(self.feature_shape, np.uint8)
        if embedding is not None:
            if self._float:
                np.copyto(embedding, raw)
            else:
                np.subtract(raw, self.zero_point - (128 if self._int8 else 0), out=embedding,
                            dtype=np.float32)  # fmt: skip
                embedding *= np.float32(self.scale)
        if self._float:
            np.multiply(raw, np.float32(1 / self.scale), out=self._scaled)
            np.rint(self._scaled, out=self._scaled)
            np.clip(self._scaled, 0, 255, out=self._scaled)
            out[...] = self._scaled
        elif self._int8:
            np.bitwise_xor(raw.view(np.uint8), 0x80, out=out)  # int8 + 128, exactly
        else:
            np.copyto(out, raw)
        return out
