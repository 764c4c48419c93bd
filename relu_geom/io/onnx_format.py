"""ONNX models, folded exactly into a plain ReLU network (the way VNN-COMP stores networks).

The graph is evaluated symbolically, one node at a time in topological order, for
one sample (a symbolic batch dimension is read as 1).  Every tensor is either a
constant (initializers, ``Constant`` nodes) or the *data*: an exact affine
function of the graph input between ReLUs.  Supported operators, each folded
exactly (float weights are read as their exact binary values, and arithmetic is
the exact arithmetic of the rationals, not the float arithmetic of a runtime):

- ``Gemm`` (``transA``, ``transB``, ``alpha``, ``beta``, optional ``C``) and
  ``MatMul`` with the data as either operand and a constant matrix as the other;
- ``Add``, ``Sub``, ``Mul`` and ``Div`` of the data and a constant (input
  normalization ``(x - mean) / std``; ``Div`` only by a constant, which must not
  vanish);
- ``Flatten``, ``Reshape`` (constant target shape), ``Squeeze``, ``Unsqueeze``,
  ``Transpose``, ``Identity``, ``Constant``;
- ``Relu``, which closes the pending affine map into a hidden layer.

Anything else (another operator, a branch of the data path, data combined with
data, an external tensor) raises :class:`~relu_geom.errors.UnsupportedInputError`
naming the node.  Graphs with cycles, and tensors with negative or huge
dimensions, are refused (:class:`~relu_geom.errors.FileFormatError`,
:class:`~relu_geom.errors.LimitExceededError`) before anything is allocated.
Tensor data stored outside the ``.onnx`` file is never read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from relu_geom._util import short_repr
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    UnsupportedInputError,
)
from relu_geom.files import write_bytes_atomic
from relu_geom.io._common import (
    AffineChain,
    PathLike,
    check_count,
    check_dims,
    check_network,
    exact_flat,
    existing_file,
    reading,
    require_finite_float,
    round_to_format,
)
from relu_geom.network import ReLUNetwork

__all__ = ["network_from_onnx", "network_to_onnx"]

_DOMAINS = ("", "ai.onnx")


def import_onnx() -> Any:
    try:
        import onnx
        import onnx.numpy_helper  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailableError(
            "ONNX is needed for this function but is not installed; install it with pip install 'relu-geom[onnx]'"
        ) from exc
    return onnx


@dataclass(frozen=True, slots=True)
class _Data:
    """The data tensor: its shape; its entries (C order) are the current outputs of the chain."""

    shape: tuple[int, ...]


Value = _Data | np.ndarray


def _label(index: int, node: Any) -> str:
    name = f" {short_repr(node.name)}" if node.name else ""
    return f"node {index}{name} ({node.op_type:.40})"


def _tensor_array(tensor: Any, what: str, onnx: Any) -> np.ndarray:
    """A TensorProto as a numpy array, its dims checked first; external data refused."""
    check_dims(list(tensor.dims), what)
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        raise UnsupportedInputError(f"{what}: tensor data stored outside the model file is not supported")
    try:
        return np.asarray(onnx.numpy_helper.to_array(tensor))
    except Exception as exc:  # malformed TensorProto
        raise FileFormatError(f"{what}: cannot read the tensor ({type(exc).__name__}: {exc!s:.80})") from None


# ---------------------------------------------------------------------------
# operand helpers
# ---------------------------------------------------------------------------
def _const(value: Value | None, label: str, role: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        got = "the data" if isinstance(value, _Data) else "nothing"
        raise UnsupportedInputError(
            f"{label}: the {role} must be a constant (initializer or Constant), got {got}"
        )
    return value


def _split(args: list[Value | None], label: str) -> tuple[int, _Data, np.ndarray]:
    """(position of the data, data, constant) of a binary operator with one data operand."""
    if len(args) != 2 or args[0] is None or args[1] is None:
        raise UnsupportedInputError(f"{label}: expected two operands")
    kinds = [isinstance(a, _Data) for a in args]
    if kinds == [True, True]:
        raise UnsupportedInputError(f"{label}: combines the data with itself (not a plain ReLU network)")
    if kinds == [False, False]:
        raise UnsupportedInputError(f"{label}: constant expressions are not supported")
    pos = kinds.index(True)
    return pos, args[pos], args[1 - pos]  # type: ignore[return-value]


def _broadcast(const: np.ndarray, data: _Data, label: str) -> tuple[_Data, list[Fraction]]:
    """The constant broadcast to the data's entries (the data is never broadcast)."""
    try:
        shape = np.broadcast_shapes(data.shape, const.shape)
    except ValueError:
        raise DimensionMismatchError(
            f"{label}: a constant of shape {const.shape} does not broadcast to the data of shape {data.shape}"
        ) from None
    if math.prod(shape) != math.prod(data.shape):
        raise UnsupportedInputError(
            f"{label}: a constant of shape {const.shape} would broadcast the data of shape {data.shape}"
        )
    return _Data(tuple(shape)), exact_flat(np.broadcast_to(const, shape), f"{label} constant")


def _matrix(arr: np.ndarray, label: str) -> list[list[Fraction]]:
    if arr.ndim != 2 or min(arr.shape) < 1:
        raise UnsupportedInputError(f"{label}: expected a 2-D constant matrix, got shape {arr.shape}")
    flat = exact_flat(arr, f"{label} matrix")
    cols = arr.shape[1]
    return [flat[i * cols : (i + 1) * cols] for i in range(arr.shape[0])]


def _transpose(chain: AffineChain, data: _Data, label: str) -> _Data:
    if len(data.shape) != 2:
        raise UnsupportedInputError(f"{label}: expected a 2-D operand, got shape {data.shape}")
    rows, cols = data.shape
    chain.permute([j * cols + i for i in range(cols) for j in range(rows)])
    return _Data((cols, rows))


def _data_times(chain: AffineChain, data: _Data, m: list[list[Fraction]], label: str) -> _Data:
    """data @ m for m of shape (k, n), batched over the leading dimensions of the data."""
    k, n = len(m), len(m[0])
    if data.shape[-1] != k:
        raise DimensionMismatchError(
            f"{label}: the data of shape {data.shape} cannot multiply a ({k}, {n}) matrix"
        )
    blocks = math.prod(data.shape[:-1])
    check_count(blocks * n * chain.width, label)
    zero = Fraction(0)
    w = []
    for r in range(blocks):
        for j in range(n):
            row = [zero] * chain.width
            for t in range(k):
                row[r * k + t] = m[t][j]
            w.append(row)
    chain.linear(w)
    return _Data((*data.shape[:-1], n))


def _times_data(chain: AffineChain, m: list[list[Fraction]], data: _Data, label: str) -> _Data:
    """m @ data for m of shape (n, k); a 1-D data is a vector, else batched over its leading dimensions."""
    n, k = len(m), len(m[0])
    shape = data.shape if len(data.shape) >= 2 else (*data.shape, 1)
    if shape[-2] != k:
        raise DimensionMismatchError(
            f"{label}: a ({n}, {k}) matrix cannot multiply the data of shape {data.shape}"
        )
    q = shape[-1]
    blocks = math.prod(shape[:-2])
    check_count(blocks * n * q * chain.width, label)
    zero = Fraction(0)
    w = []
    for b in range(blocks):
        for i in range(n):
            for j in range(q):
                row = [zero] * chain.width
                for t in range(k):
                    row[b * k * q + t * q + j] = m[i][t]
                w.append(row)
    chain.linear(w)
    return _Data((*shape[:-2], n, q) if len(data.shape) >= 2 else (n,))


# ---------------------------------------------------------------------------
# one function per operator: (label, operands, attributes, chain) -> value
# ---------------------------------------------------------------------------
def _op_identity(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    if len(args) != 1 or args[0] is None:
        raise UnsupportedInputError(f"{label}: expected one operand")
    return args[0]


def _op_relu(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    value = _op_identity(label, args, attrs, chain)
    if not isinstance(value, _Data):
        raise UnsupportedInputError(f"{label}: constant expressions are not supported")
    chain.relu()
    return value


def _new_shape(value: Value, shape: tuple[int, ...]) -> Value:
    if isinstance(value, _Data):
        return _Data(shape)
    return value.reshape(shape)


def _op_flatten(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    value = _op_identity(label, args, attrs, chain)
    shape = value.shape
    axis = attrs.get("axis", 1)
    if not -len(shape) <= axis <= len(shape):
        raise FileFormatError(f"{label}: axis {axis} out of range for a tensor of shape {shape}")
    axis = axis + len(shape) if axis < 0 else axis
    return _new_shape(value, (math.prod(shape[:axis]), math.prod(shape[axis:])))


def _op_reshape(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    if len(args) != 2 or args[0] is None:
        raise UnsupportedInputError(f"{label}: expected Reshape(data, shape)")
    value = args[0]
    target = _const(args[1], label, "target shape")
    if target.ndim != 1 or target.dtype.kind not in "iu":
        raise FileFormatError(
            f"{label}: the target shape must be a 1-D integer tensor, got {target.dtype} {target.shape}"
        )
    old = value.shape
    dims = [int(d) for d in target.tolist()]
    if any(d < -1 for d in dims) or dims.count(-1) > 1:
        raise FileFormatError(f"{label}: invalid target shape {short_repr(dims)}")
    if not attrs.get("allowzero", 0):
        dims = [old[i] if d == 0 and i < len(old) else d for i, d in enumerate(dims)]
    size = math.prod(old)
    known = math.prod(d for d in dims if d != -1)
    if -1 in dims:
        if known == 0 or size % known:
            raise DimensionMismatchError(f"{label}: cannot reshape {old} to {short_repr(dims)}")
        dims[dims.index(-1)] = size // known
    if math.prod(dims) != size:
        raise DimensionMismatchError(f"{label}: cannot reshape {old} ({size} entries) to {short_repr(dims)}")
    return _new_shape(value, tuple(dims))


def _axes(label: str, args: list[Value | None], attrs: dict[str, Any]) -> list[int] | None:
    """The ``axes`` of Squeeze/Unsqueeze: an attribute before opset 13, a constant input after."""
    if len(args) > 1 and args[1] is not None:
        return [int(a) for a in _const(args[1], label, "axes").reshape(-1).tolist()]
    return [int(a) for a in attrs["axes"]] if "axes" in attrs else None


def _normalized(label: str, axes: list[int], rank: int) -> list[int]:
    out = sorted(a + rank if a < 0 else a for a in axes)
    if any(not 0 <= a < rank for a in out) or len(set(out)) != len(out):
        raise FileFormatError(f"{label}: invalid axes {short_repr(axes)} for rank {rank}")
    return out


def _op_squeeze(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    if not args or args[0] is None:
        raise UnsupportedInputError(f"{label}: expected Squeeze(data, axes)")
    value, axes = args[0], _axes(label, args, attrs)
    shape = value.shape
    drop = (
        [i for i, d in enumerate(shape) if d == 1] if axes is None else _normalized(label, axes, len(shape))
    )
    if any(shape[a] != 1 for a in drop):
        raise DimensionMismatchError(f"{label}: cannot squeeze axes {drop} of shape {shape}")
    return _new_shape(value, tuple(d for i, d in enumerate(shape) if i not in drop))


def _op_unsqueeze(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    if not args or args[0] is None:
        raise UnsupportedInputError(f"{label}: expected Unsqueeze(data, axes)")
    value, axes = args[0], _axes(label, args, attrs)
    if axes is None:
        raise FileFormatError(f"{label}: Unsqueeze needs axes")
    shape = list(value.shape)
    for a in _normalized(label, axes, len(shape) + len(axes)):
        shape.insert(a, 1)
    return _new_shape(value, tuple(shape))


def _op_transpose(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    value = _op_identity(label, args, attrs, chain)
    rank = len(value.shape)
    perm = [int(p) for p in attrs.get("perm", range(rank - 1, -1, -1))]
    if sorted(perm) != list(range(rank)):
        raise FileFormatError(f"{label}: invalid perm {short_repr(perm)} for rank {rank}")
    if not isinstance(value, _Data):
        return value.transpose(perm)
    order = np.arange(math.prod(value.shape)).reshape(value.shape).transpose(perm)
    chain.permute([int(i) for i in order.reshape(-1)])
    return _Data(tuple(order.shape))


def _op_add(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    _, data, const = _split(args, label)
    data, t = _broadcast(const, data, label)
    chain.shift(t)
    return data


def _op_sub(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    pos, data, const = _split(args, label)
    data, t = _broadcast(const, data, label)
    if pos == 0:  # data - c
        chain.shift([-v for v in t])
    else:  # c - data
        chain.scale_shift([Fraction(-1)] * len(t), t)
    return data


def _op_mul(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    _, data, const = _split(args, label)
    data, t = _broadcast(const, data, label)
    chain.scale_shift(t, [Fraction(0)] * len(t))
    return data


def _op_div(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    pos, data, const = _split(args, label)
    if pos != 0:
        raise UnsupportedInputError(f"{label}: a constant divided by the data is not affine")
    data, t = _broadcast(const, data, label)
    if any(v == 0 for v in t):
        raise FileFormatError(f"{label}: division by a constant with a zero entry")
    chain.scale_shift([1 / v for v in t], [Fraction(0)] * len(t))
    return data


def _op_matmul(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    pos, data, const = _split(args, label)
    if const.ndim != 1:
        m = _matrix(const, label)
        return _data_times(chain, data, m, label) if pos == 0 else _times_data(chain, m, data, label)
    # a vector operand: multiply as a one-column (one-row) matrix, then drop that unit dimension
    v = exact_flat(const, f"{label} vector")
    if pos == 0:
        return _Data(_data_times(chain, data, [[x] for x in v], label).shape[:-1])
    shape = _times_data(chain, [v], data, label).shape
    return _Data(shape[:-2] + shape[-1:] if len(data.shape) >= 2 else ())


def _op_gemm(label: str, args: list[Value | None], attrs: dict[str, Any], chain: AffineChain) -> Value:
    unknown = set(attrs) - {"alpha", "beta", "transA", "transB"}
    if unknown:
        raise UnsupportedInputError(f"{label}: unexpected attributes {short_repr(sorted(unknown))}")
    if len(args) not in (2, 3):
        raise UnsupportedInputError(f"{label}: expected Gemm(A, B) or Gemm(A, B, C)")
    alpha = require_finite_float(attrs.get("alpha", 1.0), f"{label} alpha")
    beta = require_finite_float(attrs.get("beta", 1.0), f"{label} beta")
    pos, data, const = _split(args[:2], label)
    if len(data.shape) != 2 or const.ndim != 2:
        raise UnsupportedInputError(
            f"{label}: Gemm needs 2-D operands, got shapes {data.shape} and {const.shape}"
        )
    trans_data, trans_const = (attrs.get("transA", 0), attrs.get("transB", 0))[:: 1 if pos == 0 else -1]
    if trans_data:
        data = _transpose(chain, data, label)
    m = _matrix(const.T if trans_const else const, label)
    m = [[alpha * v for v in row] for row in m]
    out = _data_times(chain, data, m, label) if pos == 0 else _times_data(chain, m, data, label)
    if len(args) == 3 and args[2] is not None:
        c = _const(args[2], label, "bias C")
        out, t = _broadcast(c, out, label)
        chain.shift([beta * v for v in t])
    return out


_OPERATORS = {
    "Add": _op_add,
    "Div": _op_div,
    "Flatten": _op_flatten,
    "Gemm": _op_gemm,
    "Identity": _op_identity,
    "MatMul": _op_matmul,
    "Mul": _op_mul,
    "Relu": _op_relu,
    "Reshape": _op_reshape,
    "Squeeze": _op_squeeze,
    "Sub": _op_sub,
    "Transpose": _op_transpose,
    "Unsqueeze": _op_unsqueeze,
}


# ---------------------------------------------------------------------------
# the graph
# ---------------------------------------------------------------------------
def _constant_node(label: str, node: Any, onnx: Any) -> np.ndarray:
    attrs = {a.name: a for a in node.attribute}
    if len(attrs) != 1 or len(node.output) != 1:
        raise UnsupportedInputError(f"{label}: expected one output and one value attribute")
    ((name, attr),) = attrs.items()
    if name == "value":
        return _tensor_array(attr.t, label, onnx)
    if name in ("value_float", "value_floats", "value_int", "value_ints"):
        value = onnx.helper.get_attribute_value(attr)
        check_count(len(value) if isinstance(value, list) else 1, label)
        return np.array(value, dtype=np.float32 if "float" in name else np.int64)
    raise UnsupportedInputError(f"{label}: Constant with attribute {short_repr(name)} is not supported")


def _graph_input(graph: Any, consts: dict[str, np.ndarray]) -> tuple[str, tuple[int, ...]]:
    inputs = [v for v in graph.input if v.name not in consts]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise UnsupportedInputError(
            f"expected one graph input and one graph output, got inputs {short_repr([v.name for v in inputs])} "
            f"and outputs {short_repr([v.name for v in graph.output])}"
        )
    value = inputs[0]
    what = f"graph input {short_repr(value.name)}"
    tensor_type = value.type.tensor_type
    if not tensor_type.HasField("shape"):
        raise UnsupportedInputError(f"{what}: has no declared shape")
    shape = []
    for i, d in enumerate(tensor_type.shape.dim):
        if d.HasField("dim_value") and d.dim_value != 0:
            shape.append(d.dim_value)
        elif i == 0:
            shape.append(1)  # the batch: one sample
        else:
            raise UnsupportedInputError(f"{what}: dimension {i} is not static")
    check_dims(shape, what)
    if math.prod(shape) < 1:
        raise FileFormatError(f"{what}: empty shape {shape}")
    return value.name, tuple(shape)


def _topological_order(graph: Any, defined: set[str]) -> list[int]:
    """Node indices in an order where every node follows the producers of its inputs; cycles refused."""
    producer: dict[str, int] = {}
    for index, node in enumerate(graph.node):
        for name in node.output:
            if name and (name in producer or name in defined):
                raise FileFormatError(f"{_label(index, node)}: tensor {short_repr(name)} is defined twice")
            if name:
                producer[name] = index
    waiting = [0] * len(graph.node)
    users: dict[int, list[int]] = {}
    for index, node in enumerate(graph.node):
        for source in {producer[name] for name in node.input if name in producer}:
            waiting[index] += 1
            users.setdefault(source, []).append(index)
    ready = [i for i, w in enumerate(waiting) if w == 0]
    order = []
    while ready:
        index = ready.pop()
        order.append(index)
        for user in users.get(index, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    if len(order) != len(graph.node):
        stuck = next(i for i, w in enumerate(waiting) if w)
        raise FileFormatError(f"the graph has a cycle (through {_label(stuck, graph.node[stuck])})")
    return order


def _needed(graph: Any, order: list[int], target: str) -> list[int]:
    """The nodes the graph output depends on, in topological order."""
    wanted = {target}
    keep = []
    for index in reversed(order):
        node = graph.node[index]
        if wanted.intersection(node.output):
            keep.append(index)
            wanted.update(name for name in node.input if name)
    return keep[::-1]


def _tap_outputs(graph: Any, needed: list[int], hidden: tuple[str, ...]) -> dict[str, str]:
    """The tensor each name of ``hidden`` taps (a node output, or a node's name when it has
    one output), mapped to that name, in the order the graph computes them."""
    outputs: dict[str, str] = {}
    for index in needed:
        node = graph.node[index]
        names = [n for n in node.output if n]
        for name in hidden:
            if name in names or (name and name == node.name and len(names) == 1):
                tensor = name if name in names else names[0]
                if tensor in outputs:
                    raise InvalidInputError(f"hidden: a tensor is named twice in {short_repr(list(hidden))}")
                outputs[tensor] = name
    found = set(outputs.values())
    for name in hidden:
        if name not in found:
            raise UnsupportedInputError(
                f"hidden tensor {short_repr(name)}: no node output (or node with one output) of that name "
                "on the path from the graph input to its output"
            )
    return outputs


def _tap_order(net: ReLUNetwork, entries: dict[str, int], hidden: tuple[str, ...]) -> ReLUNetwork:
    """``net`` with its tapped outputs (``entries``: name -> entries, in graph order) put in
    the order of ``hidden``."""
    start, at = {}, net.output_dim - sum(entries.values())
    perm = list(range(at))
    for name, k in entries.items():
        start[name], at = at, at + k
    for name in hidden:
        perm += range(start[name], start[name] + entries[name])
    w, b = net.weights[-1], net.biases[-1]
    return ReLUNetwork([*net.weights[:-1], [w[i] for i in perm]], [*net.biases[:-1], [b[i] for i in perm]])


def _network_from_model(
    model: Any, onnx: Any, hidden: tuple[str, ...] = (), sizes: dict[str, int] | None = None
) -> ReLUNetwork:
    graph = model.graph
    if len(graph.sparse_initializer):
        raise UnsupportedInputError("sparse initializers are not supported")
    consts = {t.name: _tensor_array(t, f"initializer {short_repr(t.name)}", onnx) for t in graph.initializer}
    input_name, shape = _graph_input(graph, consts)
    order = _topological_order(graph, {*consts, input_name})
    target = graph.output[0].name
    chain = AffineChain(math.prod(shape))
    values: dict[str, Value] = {**consts, input_name: _Data(shape)}
    consumed: set[str] = set()
    needed = _needed(graph, order, target)
    taps = _tap_outputs(graph, needed, hidden)
    tapped: dict[str, int] = {}  # tensor -> its entries
    for index in needed:
        node = graph.node[index]
        label = _label(index, node)
        if node.domain not in _DOMAINS:
            raise UnsupportedInputError(
                f"{label}: operator domain {short_repr(node.domain)} is not supported"
            )
        if node.op_type == "Constant":
            values[node.output[0]] = _constant_node(label, node, onnx)
            continue
        operator = _OPERATORS.get(node.op_type)
        if operator is None:
            raise UnsupportedInputError(
                f"{label} cannot be folded into a plain ReLU network (unsupported operator)"
            )
        if len([name for name in node.output if name]) != 1:
            raise UnsupportedInputError(f"{label}: expected one output, got {len(node.output)}")
        missing = [name for name in node.input if name and name not in values]
        if missing:
            raise FileFormatError(f"{label}: input {short_repr(missing[0])} is not defined in the graph")
        for name in dict.fromkeys(node.input):
            if isinstance(values.get(name), _Data):
                if name in consumed:
                    raise UnsupportedInputError(
                        f"{label}: the data {short_repr(name)} feeds several nodes (a branch)"
                    )
                consumed.add(name)
        args = [values[name] if name else None for name in node.input]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        values[node.output[0]] = operator(label, args, attrs, chain)
        if node.output[0] in taps:
            if not isinstance(values[node.output[0]], _Data):
                raise UnsupportedInputError(
                    f"hidden tensor {short_repr(taps[node.output[0]])}: {label} is a constant, "
                    "not a function of the graph input"
                )
            chain.tap()
            tapped[node.output[0]] = chain.width
            want = None if sizes is None else sizes[taps[node.output[0]]]
            if want is not None and want != chain.width:
                raise DimensionMismatchError(
                    f"hidden tensor {short_repr(taps[node.output[0]])} has {chain.width} entries, "
                    f"{want} were declared"
                )
    result = values.get(target)
    if not isinstance(result, _Data):
        raise UnsupportedInputError(
            f"the graph output {short_repr(target)} does not depend on the graph input"
        )
    for t, name in taps.items():
        if t not in tapped:
            raise UnsupportedInputError(
                f"hidden tensor {short_repr(name)} is a constant, not a function of the graph input"
            )
    net = chain.network()
    if hidden:
        net = _tap_order(net, {name: tapped[t] for t, name in taps.items()}, hidden)
    out_type = graph.output[0].type.tensor_type
    if out_type.HasField("shape"):
        declared = [
            d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1 for d in out_type.shape.dim
        ]
        if (
            all(d.HasField("dim_value") or i == 0 for i, d in enumerate(out_type.shape.dim))
            and math.prod(declared) != net.output_dim - sum(tapped.values())
        ):
            raise DimensionMismatchError(
                f"the graph output {short_repr(target)} is declared with shape {declared}, "
                f"but the network has {net.output_dim - sum(tapped.values())} outputs"
            )
    return net


def network_from_onnx(model: Any, *, hidden: Sequence[str] | Mapping[str, int] = ()) -> ReLUNetwork:
    """A network from an ONNX model (a path or an ``onnx.ModelProto``), folded exactly.

    See the module docstring for the supported operators.  ACAS Xu networks
    (``Sub`` of the mean image, ``Flatten``, ``MatMul`` + ``Add`` and ``Relu``)
    read as networks of architecture [5, 50, 50, 50, 50, 50, 50, 5].

    ``hidden`` names tensors of the graph (a node's output, or a node with one output by
    the node's name), as VNN-LIB 2.0's ``declare-hidden`` does: the network then has, after
    the graph output, one more output per entry of each (row-major), in the order of
    ``hidden``.  A tensor ``M a_l + c`` after hidden layer ``l`` is carried to the output
    exactly as ``relu(h) - relu(-h)`` (:meth:`relu_geom.io.AffineChain.network`).  Given
    as a mapping ``{name: number of entries}``, each tensor's size is checked too.

    Raises
    ------
    UnsupportedInputError
        For any other node (named by position, name and op_type), a branch of
        the data path, a non-constant weight.
    FileFormatError
        For a missing, unreadable or non-regular file, a cycle, malformed tensors
        (NaN, negative dimensions, shapes that do not fit).
    LimitExceededError
        For a file or tensors beyond the documented bounds.
    BackendUnavailableError
        If onnx is not installed.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from onnx import TensorProto, helper, numpy_helper
    >>> from relu_geom.io import network_from_onnx
    >>> graph = helper.make_graph(
    ...     [helper.make_node("MatMul", ["x", "B"], ["h"]), helper.make_node("Add", ["h", "c"], ["z"]),
    ...      helper.make_node("Relu", ["z"], ["a"]), helper.make_node("Gemm", ["a", "W", "d"], ["y"], transB=1)],
    ...     "g",
    ...     [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 2])],
    ...     [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [None, 1])],
    ...     [numpy_helper.from_array(np.array([[1.0, 2.0], [0.5, -1.0]]), "B"),
    ...      numpy_helper.from_array(np.array([0.0, 1.0]), "c"),
    ...      numpy_helper.from_array(np.array([[1.0, 1.0]]), "W"),
    ...      numpy_helper.from_array(np.array([0.0]), "d")])
    >>> net = network_from_onnx(helper.make_model(graph))
    >>> net.weights[0], net([1, 2])
    (((Fraction(1, 1), Fraction(1, 2)), (Fraction(2, 1), Fraction(-1, 1))), (Fraction(3, 1),))
    """
    onnx = import_onnx()
    if (
        isinstance(hidden, (str, bytes))
        or not isinstance(hidden, (Sequence, Mapping))
        or not all(isinstance(h, str) for h in hidden)
        or (isinstance(hidden, Mapping) and not all(type(v) is int and v > 0 for v in hidden.values()))
    ):
        raise InvalidInputError(
            f"hidden: expected a sequence of tensor names or a mapping name -> entries, got {short_repr(hidden)}"
        )
    names = tuple(hidden)
    sizes = dict(hidden) if isinstance(hidden, Mapping) else None
    if isinstance(model, onnx.ModelProto):
        return _network_from_model(model, onnx, names, sizes)
    p = existing_file(model)
    src = str(p)
    try:
        proto = onnx.load(src, load_external_data=False)
    except Exception as exc:  # protobuf DecodeError and friends
        raise FileFormatError(f"{src}: not a readable ONNX model ({type(exc).__name__})") from None
    with reading(src):
        return _network_from_model(proto, onnx, names, sizes)


def network_to_onnx(
    net: ReLUNetwork, path: PathLike | None = None, *, dtype: str = "float64", exact: bool = False
) -> Any:
    """An ONNX model of ``Gemm`` (``transB = 1``) and ``Relu`` nodes computing the network.

    The graph has input ``"input"`` of shape (batch, n_0), output ``"output"``
    of shape (batch, n_{L+1}), initializers ``W0, b0, W1, b1, ...`` (weights of
    shape (out, in)) and nodes ``Gemm_0, Relu_0, Gemm_1, ...``; opset 17.
    **It rounds** each parameter to the nearest float of ``dtype`` (ties to
    even) unless ``exact=True``, which raises instead.

    Parameters
    ----------
    net
        The network.
    path
        Optional file to write the model to (atomically).
    dtype
        ``"float64"`` (default) or ``"float32"``.
    exact
        If true, raise :class:`~relu_geom.errors.InvalidInputError` unless every
        parameter is exactly representable in ``dtype``.

    Returns
    -------
    onnx.ModelProto

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from onnx.reference import ReferenceEvaluator
    >>> from relu_geom.io import network_from_onnx, network_to_onnx
    >>> net = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])
    >>> model = network_to_onnx(net)
    >>> [node.op_type for node in model.graph.node]
    ['Gemm', 'Relu', 'Gemm']
    >>> ReferenceEvaluator(model).run(None, {"input": np.array([[1.0, 0.0]])})[0].tolist()
    [[1.5]]
    >>> network_from_onnx(model) == net
    True
    """
    net = check_network(net)
    onnx = import_onnx()
    helper, tp = onnx.helper, onnx.TensorProto
    if dtype not in ("float64", "float32"):
        raise InvalidInputError(f"dtype: expected 'float64' or 'float32', got {short_repr(dtype)}")
    np_dtype = np.float64 if dtype == "float64" else np.float32
    elem = tp.DOUBLE if dtype == "float64" else tp.FLOAT

    def rounded(value: Fraction, what: str) -> float:
        x = round_to_format(value, dtype, what)
        if exact and Fraction(x) != value:
            raise InvalidInputError(
                f"{what} = {value!s:.80} is not exactly representable as a {dtype}; "
                "save the network as JSON to keep exact rationals, or pass exact=False to round"
            )
        return x

    nodes, inits = [], []
    current = "input"
    n_layers = len(net.weights)
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        warr = np.array([[rounded(v, f"W{k}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(w)])
        barr = np.array([rounded(v, f"b{k}[{i}]") for i, v in enumerate(b)])
        inits.append(onnx.numpy_helper.from_array(warr.astype(np_dtype), f"W{k}"))
        inits.append(onnx.numpy_helper.from_array(barr.astype(np_dtype), f"b{k}"))
        out = "output" if k == n_layers - 1 else f"z{k}"
        nodes.append(helper.make_node("Gemm", [current, f"W{k}", f"b{k}"], [out], name=f"Gemm_{k}", transB=1))
        if k < n_layers - 1:
            nodes.append(helper.make_node("Relu", [out], [f"a{k}"], name=f"Relu_{k}"))
            current = f"a{k}"
    graph = helper.make_graph(
        nodes,
        "relu_network",
        [helper.make_tensor_value_info("input", elem, ["batch", net.input_dim])],
        [helper.make_tensor_value_info("output", elem, ["batch", net.output_dim])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="relu_geom")
    model.ir_version = 8  # readable by older runtimes; IR 8 covers opset 17
    if path is not None:
        write_bytes_atomic(path, model.SerializeToString())
    return model
