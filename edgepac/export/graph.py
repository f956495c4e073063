"""One TFLite graph from the cut MobileNet and a trained dense head: the controller, portable.

The backbone's graph (uint8 in, uint8 activations out) is kept operator for operator; the head
is appended as plain TFLite builtins, so any LiteRT or tflite-runtime interpreter runs it:

    activations (1,h,w,c) uint8
      RESHAPE (1, h*w*c)      -> the head's flatten, still uint8 (the same quantisation)
      DEQUANTIZE              -> float32, (q - zero_point) * scale, as Backbone.dequantize
      [L2_NORMALIZATION]      -> only for normalize="l2"; its sqrt(D) is folded into W1
      FULLY_CONNECTED + RELU  -> hidden units (W1, b1)
      FULLY_CONNECTED         -> one logit a class (W2, no bias, as the head)
      SOFTMAX                 -> probabilities (1, k) float32: the model's output

Weights are float32 constant buffers, 16-byte aligned as TFLite's converter writes them. The
graph is built with the TFLite schema's object API, as `vision.truncate` does, so nothing here
needs TensorFlow. The same inputs give the same bytes.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from edgepac.errors import EdgePacError
from edgepac.vision import truncate

OUTPUT_NAME = "probabilities"


def controller_model(
    backbone: bytes,
    tensor_shapes: Mapping[int, Sequence[int]],
    head: Mapping[str, np.ndarray],
    normalize: str = "none",
    classes: Sequence[str] = (),
) -> bytes:
    """The bytes of one .tflite: ``backbone`` (a cut, quantized model) followed by the head.

    ``tensor_shapes``: every backbone tensor's shape at the input size to export (index ->
    shape), as an interpreter resized to it reports them; the file declares that input size.
    ``head``: ``W1`` (D, units), ``b1`` (units,), ``W2`` (units, k), float32, as DenseHead
    keeps them; D must be the activations' h*w*c.
    """
    s = truncate.schema()
    model = truncate.load_model(backbone, "the backbone")
    graph = model.subgraphs[0]
    for index, shape in tensor_shapes.items():
        tensor = graph.tensors[index]
        tensor.shape = np.array(shape, dtype=np.int32)
        tensor.shapeSignature = None  # a fixed shape: the one just set
    features = graph.tensors[graph.outputs[0]]
    if features.type != s.TensorType.UINT8:
        raise EdgePacError("the backbone's activations are not uint8: use a quantized model")
    d = math.prod(int(n) for n in features.shape[1:])
    W1 = np.asarray(head["W1"], dtype=np.float32)
    b1 = np.asarray(head["b1"], dtype=np.float32)
    W2 = np.asarray(head["W2"], dtype=np.float32)
    if W1.shape[0] != d or b1.shape != (W1.shape[1],) or W2.shape[0] != W1.shape[1]:
        raise EdgePacError(
            f"the head takes {W1.shape[0]} activations but the backbone gives {d} at this input "
            "size: export with the --model and --input-size the head was trained with"
        )
    if normalize == "l2":
        W1 = W1 * np.float32(math.sqrt(d))  # the head scales unit-length activations by sqrt(D)
    elif normalize != "none":
        raise EdgePacError(f"the head's normalize={normalize!r} has no TFLite form")
    units, k = W2.shape

    g = _Graph(s, model)
    # Flatten the uint8 activations (same quantisation), then dequantise: the float tensor that
    # feeds the first dense layer comes straight from a DEQUANTIZE of the flat uint8 one, so a
    # reader cutting the graph there (`edgepac import-tm`) gets EdgePac's own activations back.
    new_shape = g.constant("head/flatten/shape", np.array([1, d], dtype=np.int32))
    x = g.op(
        "RESHAPE",
        [graph.outputs[0], new_shape],
        g.tensor("head/flatten", (1, d), s.TensorType.UINT8, features.quantization),
        options=("ReshapeOptions", s.ReshapeOptionsT(), {"newShape": [1, d]}),
    )
    x = g.op("DEQUANTIZE", [x], g.tensor("head/dequantize", (1, d)))
    if normalize == "l2":
        x = g.op(
            "L2_NORMALIZATION",
            [x],
            g.tensor("head/l2_normalize", (1, d)),
            options=("L2NormOptions", s.L2NormOptionsT(), {}),
        )
    # TFLite's FULLY_CONNECTED keeps weights as (out, in): the head's, transposed.
    x = g.op(
        "FULLY_CONNECTED",
        [x, g.constant("head/dense/kernel", W1.T), g.constant("head/dense/bias", b1)],
        g.tensor("head/dense/relu", (1, units)),
        options=(
            "FullyConnectedOptions",
            s.FullyConnectedOptionsT(),
            {"fusedActivationFunction": s.ActivationFunctionType.RELU},
        ),
    )
    x = g.op(
        "FULLY_CONNECTED",
        [x, g.constant("head/logits/kernel", W2.T), -1],
        g.tensor("head/logits", (1, k)),
        options=("FullyConnectedOptions", s.FullyConnectedOptionsT(), {}),
    )
    x = g.op(
        "SOFTMAX",
        [x],
        g.tensor(OUTPUT_NAME, (1, k)),
        options=("SoftmaxOptions", s.SoftmaxOptionsT(), {"beta": 1.0}),
    )
    graph.outputs = [x]
    for sig in model.signatureDefs or []:
        out = s.TensorMapT()
        out.name = OUTPUT_NAME.encode()
        out.tensorIndex = x
        sig.outputs = [out]
    model.description = (
        f"EdgePac controller: MobileNet v1 cut at {truncate.DEFAULT_LAYER} + dense head "
        f"({', '.join(classes)})"
    ).encode()
    for i, buffer in enumerate(model.buffers):
        model.buffers[i] = _aligned(s, buffer)
    return truncate.pack(model, len(backbone) + 4 * (W1.size + b1.size + W2.size) + 4096)


class _Graph:
    """Appends tensors, constant buffers, operator codes and operators to a model's graph."""

    def __init__(self, s: Any, model: Any) -> None:
        self.s, self.model, self.graph = s, model, model.subgraphs[0]

    def tensor(
        self, name: str, shape: Sequence[int], dtype: int | None = None, quantization: Any = None
    ) -> int:
        t = self.s.TensorT()
        t.name = name.encode()
        t.shape = np.array(shape, dtype=np.int32)
        t.type = self.s.TensorType.FLOAT32 if dtype is None else dtype
        t.quantization = copy.deepcopy(quantization)
        t.buffer = 0  # buffer 0: no data, the interpreter's to fill
        self.graph.tensors.append(t)
        return len(self.graph.tensors) - 1

    def constant(self, name: str, value: np.ndarray) -> int:
        kinds = {np.dtype(np.float32): "FLOAT32", np.dtype(np.int32): "INT32"}
        value = np.ascontiguousarray(value)
        index = self.tensor(name, value.shape, getattr(self.s.TensorType, kinds[value.dtype]))
        buffer = self.s.BufferT()
        buffer.data = np.frombuffer(value.astype(value.dtype.newbyteorder("<")).tobytes(), np.uint8)
        self.model.buffers.append(buffer)
        self.graph.tensors[index].buffer = len(self.model.buffers) - 1
        return index

    def op(
        self,
        kind: str,
        inputs: Sequence[int],
        output: int,
        options: tuple[str, Any, dict[str, Any]] | None = None,
    ) -> int:
        op = self.s.OperatorT()
        op.opcodeIndex = self._opcode(getattr(self.s.BuiltinOperator, kind))
        op.inputs = [int(i) for i in inputs]
        op.outputs = [output]
        if options is not None:
            union, value, fields = options
            for name, field in fields.items():
                setattr(value, name, field)
            op.builtinOptionsType = getattr(self.s.BuiltinOptions, union)
            op.builtinOptions = value
        self.graph.operators.append(op)
        return output

    def _opcode(self, builtin: int) -> int:
        for i, code in enumerate(self.model.operatorCodes):
            if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin:
                return i
        code = self.s.OperatorCodeT()
        code.builtinCode = builtin
        # Old readers look only at the int8 field; codes past 127 live in the int32 one.
        code.deprecatedBuiltinCode = min(builtin, 127)
        code.version = 1
        self.model.operatorCodes.append(code)
        return len(self.model.operatorCodes) - 1


def _aligned(s: Any, buffer: Any) -> Any:
    """The buffer, packed with its data 16-byte aligned (the schema's force_align: 16, which
    the Python object API leaves out): float kernels may read weights in place."""

    class AlignedBuffer(s.BufferT):  # type: ignore[misc, name-defined]
        def Pack(self, builder: Any) -> int:
            data = None
            if self.data is not None and len(self.data):
                payload = np.asarray(self.data, dtype=np.uint8).tobytes()
                builder.StartVector(1, len(payload), 16)
                builder.head -= len(payload)
                builder.Bytes[builder.head : builder.head + len(payload)] = payload
                data = builder.EndVector()
            s.BufferStart(builder)
            if data is not None:
                s.BufferAddData(builder, data)
            return s.BufferEnd(builder)

    out = AlignedBuffer()
    out.data = buffer.data
    return out
