"""Cut a TFLite classifier after one layer: the MobileNet becomes a feature extractor.

The tutorial takes MobileNet v1's activations at Keras' `conv_pw_13_relu`, which the TFLite
graph calls `MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6`. We rebuild the model with the
TFLite schema's object API (no byte patching): keep only the operators that the cut tensor
depends on, make that tensor the graph's output, and drop every tensor, buffer and operator code
nothing uses any more. Quantisation is untouched, so it stays uint8 in, uint8 activations out.
The classifier's TFLite metadata (labels, a 1001-way output) no longer describes the model and
is dropped too. The same input always gives the same bytes, so a cut model's SHA-256 names it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from edgepac.atomic import atomic_write_bytes
from edgepac.errors import EdgePacError

DEFAULT_LAYER = "conv_pw_13_relu"
TFLITE_IDENTIFIER = b"TFL3"
# Metadata that describes the classifier's output, meaningless once it is cut off.
CLASSIFIER_METADATA = {b"TFLITE_METADATA"}

_TF_LAYER = re.compile(r"Conv2d_(\d+)(?:_(pointwise|depthwise))?/Relu6$")


def schema() -> Any:
    """The generated TFLite schema module (object API)."""
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError:
        try:
            from tensorflow.lite.python import schema_py_generated  # type: ignore[no-redef]
        except ImportError:
            raise EdgePacError(
                "truncating a model needs the TFLite schema: pip install ai-edge-litert, "
                "or truncate it on another machine with `edgepac truncate` and copy it over"
            ) from None
    return schema_py_generated


def is_tflite(data: bytes) -> bool:
    return len(data) >= 8 and data[4:8] == TFLITE_IDENTIFIER


def keras_name(tf_name: str) -> str | None:
    """The Keras name of a TFLite layer: Conv2d_13_pointwise/Relu6 -> conv_pw_13_relu."""
    m = _TF_LAYER.search(tf_name)
    if not m:
        return None
    number, kind = m.groups()
    if kind is None:
        return "conv1_relu" if number == "0" else None
    return f"conv_{'pw' if kind == 'pointwise' else 'dw'}_{number}_relu"


def _primary(name: bytes | None) -> str:
    # MLIR joins the names of fused ops with ';' and puts the op's own name first.
    return (name or b"").decode("utf-8", "replace").split(";")[0]


def load_model(data: bytes, source: str = "the model") -> Any:
    """Parse TFLite bytes into the schema's mutable ModelT, or explain what is wrong."""
    if not is_tflite(data):
        raise EdgePacError(
            f"{source} is not a TFLite model (no TFL3 identifier); "
            "give a .tflite file, e.g. one from `edgepac fetch-model`"
        )
    model_class = schema().ModelT
    try:
        model = model_class.InitFromPackedBuf(data, 0)
    except Exception as err:  # a damaged flatbuffer can fail in many ways
        raise EdgePacError(
            f"{source} is damaged or truncated: it starts like a TFLite model but does not "
            "read as one; fetch it again with `edgepac fetch-model`"
        ) from err
    if not model.subgraphs:
        raise EdgePacError(f"{source} has no graph; fetch it again")
    return model


def layers(model: Any) -> list[str]:
    """The layers one can cut at, in graph order: Keras names where there is one."""
    graph = model.subgraphs[0]
    names = []
    for op in graph.operators or []:
        for t in op.outputs:
            tf_name = _primary(graph.tensors[t].name)
            names.append(keras_name(tf_name) or tf_name)
    return names


def layer_name(tensor_name: str | bytes) -> str:
    """A tensor's layer name as `layers` lists it (Keras name where there is one)."""
    raw = tensor_name if isinstance(tensor_name, bytes) else tensor_name.encode()
    tf_name = _primary(raw)
    return keras_name(tf_name) or tf_name


def output_layer(model: Any) -> str:
    """The layer the model ends at (Keras name where there is one)."""
    graph = model.subgraphs[0]
    return layer_name(graph.tensors[graph.outputs[0]].name)


def _find_tensor(model: Any, layer: str, source: str) -> int:
    graph = model.subgraphs[0]
    for op in graph.operators or []:
        for t in op.outputs:
            tf_name = _primary(graph.tensors[t].name)
            if layer in (tf_name, keras_name(tf_name)) or tf_name.endswith("/" + layer):
                return int(t)
    raise EdgePacError(
        f"{source} has no layer {layer!r}; its layers are: {', '.join(layers(model))}"
    )


def truncate_model(model: Any, layer: str = DEFAULT_LAYER, source: str = "the model") -> Any:
    """Cut ``model`` (a ModelT, changed in place and returned) after ``layer``."""
    if len(model.subgraphs) != 1:
        raise EdgePacError(f"{source} has {len(model.subgraphs)} graphs; only one can be cut")
    return truncate_at(model, _find_tensor(model, layer, source), layer, source)


def truncate_at(model: Any, cut: int, layer: str, source: str = "the model") -> Any:
    """Cut ``model`` (changed in place and returned) so that tensor ``cut`` is its output;
    ``layer`` names the cut in the signature and description."""
    if len(model.subgraphs) != 1:
        raise EdgePacError(f"{source} has {len(model.subgraphs)} graphs; only one can be cut")
    graph = model.subgraphs[0]

    # Walk back from the cut tensor: an operator stays if it makes a tensor still needed.
    needed = {cut}
    kept_ops = []
    for op in reversed(graph.operators):
        if needed.intersection(int(t) for t in op.outputs):
            kept_ops.append(op)
            needed.update(int(t) for t in op.inputs if t >= 0)
    kept_ops.reverse()
    missing = [int(t) for t in graph.inputs if int(t) not in needed]
    if missing:
        raise EdgePacError(f"{source}: layer {layer!r} does not depend on every model input")

    # Renumber the tensors that are still used, in their old order.
    used = sorted(
        {int(t) for t in graph.inputs}
        | {cut}
        | {int(t) for op in kept_ops for t in (*op.inputs, *op.outputs) if t >= 0}
    )
    new_index = {old: new for new, old in enumerate(used)}
    for op in kept_ops:
        op.inputs = [new_index[int(t)] if t >= 0 else -1 for t in op.inputs]
        op.outputs = [new_index[int(t)] for t in op.outputs]
        if op.intermediates is not None and len(op.intermediates):
            raise EdgePacError(f"{source}: operators with intermediates cannot be cut yet")
    graph.tensors = [graph.tensors[t] for t in used]
    graph.inputs = [new_index[int(t)] for t in graph.inputs]
    graph.outputs = [new_index[cut]]
    graph.operators = kept_ops

    _drop_unused_opcodes(model)
    _drop_unused_buffers(model)
    _fix_signatures(model, new_index, layer)
    model.description = (model.description or b"") + f" Cut at {layer} by EdgePac.".encode()
    return model


def _drop_unused_opcodes(model: Any) -> None:
    ops = model.subgraphs[0].operators
    used = sorted({op.opcodeIndex for op in ops})
    new_index = {old: new for new, old in enumerate(used)}
    model.operatorCodes = [model.operatorCodes[i] for i in used]
    for op in ops:
        op.opcodeIndex = new_index[op.opcodeIndex]


def _drop_unused_buffers(model: Any) -> None:
    metadata = [m for m in model.metadata or [] if m.name not in CLASSIFIER_METADATA]
    # Buffer 0 is the schema's empty sentinel and must stay first.
    used = sorted(
        {0} | {t.buffer for t in model.subgraphs[0].tensors} | {m.buffer for m in metadata}
    )
    new_index = {old: new for new, old in enumerate(used)}
    model.buffers = [model.buffers[b] for b in used]
    for t in model.subgraphs[0].tensors:
        t.buffer = new_index[t.buffer]
    for m in metadata:
        m.buffer = new_index[m.buffer]
    model.metadata = metadata or None
    model.metadataBuffer = None  # old-style list of buffer indices, now stale


def _fix_signatures(model: Any, new_index: dict[int, int], layer: str) -> None:
    s = schema()
    for sig in model.signatureDefs or []:
        for tensor_map in sig.inputs or []:
            tensor_map.tensorIndex = new_index[tensor_map.tensorIndex]
        out = s.TensorMapT()
        out.name = layer.encode()
        out.tensorIndex = model.subgraphs[0].outputs[0]
        sig.outputs = [out]


def pack(model: Any, size_hint: int = 1 << 20) -> bytes:
    import flatbuffers

    builder = flatbuffers.Builder(size_hint)
    builder.Finish(model.Pack(builder), file_identifier=TFLITE_IDENTIFIER)
    return bytes(builder.Output())


def truncate_bytes(data: bytes, layer: str = DEFAULT_LAYER, source: str = "the model") -> bytes:
    """The bytes of the model in ``data`` cut after ``layer``."""
    model = load_model(data, source)
    return pack(truncate_model(model, layer, source), len(data))


def truncate_file(
    src: str | os.PathLike[str], dst: str | os.PathLike[str], layer: str = DEFAULT_LAYER
) -> Path:
    """Cut the model file ``src`` after ``layer`` and write it atomically to ``dst``."""
    src_path, dst_path = Path(src), Path(dst)
    try:
        data = src_path.read_bytes()
    except FileNotFoundError:
        raise EdgePacError(f"{src_path}: no such model file; check the path") from None
    except IsADirectoryError:
        raise EdgePacError(f"{src_path} is a folder: give the .tflite file in it") from None
    except OSError as err:
        raise EdgePacError(f"{src_path}: cannot read it ({err.strerror})") from err
    out = truncate_bytes(data, layer, str(src_path))
    if src_path.resolve() == dst_path.resolve():
        raise EdgePacError(f"{dst_path}: give an output path other than the input")
    atomic_write_bytes(dst_path, out)
    return dst_path
