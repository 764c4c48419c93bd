"""PyTorch models and files, read exactly and without running code from a file.

Reading a module: an ``nn.Sequential`` (nested ones are flattened) of ``Linear``,
``ReLU``, ``BatchNorm1d`` (eval mode), and the no-ops ``Identity``, ``Dropout``
(read as its inference-time identity) and ``Flatten`` (default arguments: the
model is read as a function of a flat input vector), in any order.  Consecutive
affine layers are composed exactly, so the result is the plain network computing
the same function in exact arithmetic (a ReLU at the end gets an identity output
layer).  Float weights are read as their exact binary values.

``BatchNorm1d`` in eval mode is the affine map
``x -> gamma * (x - mean) / sqrt(var + eps) + beta``.  Where ``var + eps`` (exact
rationals from the float buffers and the float ``eps``) is the square of a
rational, the factor ``1 / sqrt(var + eps)`` is folded exactly.  Otherwise it is
irrational, no rational network computes the model exactly, and the reader uses
**the float value torch itself computes**, ``1 / torch.sqrt(running_var + eps)``
in the buffers' dtype, read as its exact binary value (like any float weight of
the framework), and warns naming the layer.  A BatchNorm in training mode
(which normalizes by batch statistics) is refused.

Files (``.pt``, ``.pth``, ``.bin``, ``.pth.tar``, or no extension) are read with
``torch.load(weights_only=True)``, which loads tensors and plain containers and
never runs code from the file.  A file holding a pickled ``nn.Module`` needs
``trust=True`` (CLI: ``--trust-pickle``), which uses ``weights_only=False`` and
thereby runs whatever code the file contains: pass it only for files you trust;
it warns.  A ``state_dict`` stores weights but not the activations between
layers, so it is refused unless the caller states the architecture with
``activation="relu"`` (CLI: ``--assume-relu``): its ``weight``/``bias`` pairs are
then taken in order with a ReLU between consecutive layers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

from relu_geom._util import short_repr
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    UnsupportedInputError,
)
from relu_geom.io._common import (
    FLOAT_FORMATS,
    AffineChain,
    check_count,
    check_layer_shapes,
    check_network,
    existing_file,
    index_text,
    reading,
    round_to_format,
)
from relu_geom.network import ReLUNetwork

__all__ = ["network_from_torch", "network_to_torch"]

_TRUST_HINT = (
    "only if you trust the file, pass trust=True (CLI: --trust-pickle), which runs code stored in it"
)


def import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise BackendUnavailableError(
            "PyTorch is needed for this function but is not installed; install it with "
            "pip install 'relu-geom[torch]'"
        ) from exc
    return torch


def _tensor_exact(tensor: Any, what: str, torch: Any) -> list[Fraction]:
    """The exact entries of a real tensor, flat in C order (floats of <= 64 bits convert exactly)."""
    t = tensor.detach()
    if t.is_complex() or t.dtype == torch.bool:
        raise InvalidInputError(f"{what}: expected real numbers, got a tensor of dtype {t.dtype}")
    check_count(t.numel(), what)
    try:
        t = t.cpu()
        if t.is_floating_point():
            finite = torch.isfinite(t)
            if not bool(finite.all()):
                index = tuple(int(i) for i in (~finite).nonzero()[0].tolist())
                raise InvalidInputError(
                    f"{what}{index_text(index)}: expected a finite number, got {float(t[index])}"
                )
            if t.element_size() > 8:
                raise InvalidInputError(f"{what}: unsupported dtype {t.dtype}")
        return [
            Fraction(v) for v in t.reshape(-1).tolist()
        ]  # Python floats: exact for float64/32/16, bfloat16
    except (RuntimeError, NotImplementedError, TypeError) as exc:
        raise InvalidInputError(f"{what}: cannot read the tensor's values ({type(exc).__name__})") from None


def _is_plain(module: Any, cls: Any) -> bool:
    return isinstance(module, cls) and type(module).forward is cls.forward


def _describe(pos: int, label: str, module: Any) -> str:
    name = f" '{label}'" if label else ""
    return f"layer {pos}{name} ({type(module).__name__})"


def _flatten_modules(module: Any, nn: Any, label: str, out: list[tuple[str, Any]]) -> None:
    uninitialized = getattr(nn.parameter, "UninitializedParameter", ())
    if any(isinstance(p, uninitialized) for p in module.parameters(recurse=False)):
        name = f"'{label}' " if label else ""
        raise InvalidInputError(
            f"module {name}({type(module).__name__}): the parameters are not initialized (lazy module never run)"
        )
    if getattr(module, "_forward_hooks", None) or getattr(module, "_forward_pre_hooks", None):
        name = f"'{label}' " if label else ""
        raise UnsupportedInputError(
            f"module {name}({type(module).__name__}) has forward hooks, which may change its output"
        )
    if _is_plain(module, nn.Sequential):
        for name, child in module.named_children():
            _flatten_modules(child, nn, f"{label}.{name}" if label else name, out)
    else:
        out.append((label, module))


def _input_width(layers: list[tuple[str, Any]], nn: Any) -> int:
    for _, mod in layers:
        if _is_plain(mod, nn.Linear):
            return int(mod.in_features)
        if _is_plain(mod, nn.BatchNorm1d):
            return int(mod.num_features)
    raise UnsupportedInputError("module: contains no Linear layer (its input width is unknown)")


def _fold_linear(chain: AffineChain, mod: Any, what: str, torch: Any) -> None:
    out, inp = (int(n) for n in mod.weight.shape)
    if inp != chain.width:
        raise DimensionMismatchError(
            f"{what}: expected weight shape ({out}, {chain.width}) to follow a layer of width {chain.width}, "
            f"got ({out}, {inp})"
        )
    flat = _tensor_exact(mod.weight, f"{what}.weight", torch)
    w = [flat[i * inp : (i + 1) * inp] for i in range(out)]
    b = None if mod.bias is None else _tensor_exact(mod.bias, f"{what}.bias", torch)
    chain.linear(w, b)


def _exact_inverse_sqrt(value: Fraction) -> Fraction | None:
    """``1 / sqrt(value)`` when it is rational (numerator and denominator are squares), else None."""
    n, d = value.numerator, value.denominator
    rn, rd = math.isqrt(n), math.isqrt(d)
    return Fraction(rd, rn) if rn * rn == n and rd * rd == d else None


def _fold_batchnorm(chain: AffineChain, mod: Any, what: str, torch: Any) -> None:
    if mod.training:
        raise UnsupportedInputError(
            f"{what} is in training mode (it normalizes by batch statistics); call model.eval() first"
        )
    if mod.running_mean is None or mod.running_var is None:
        raise UnsupportedInputError(f"{what} has no running statistics (track_running_stats=False)")
    if int(mod.num_features) != chain.width:
        raise DimensionMismatchError(
            f"{what}: expected {chain.width} features to follow the previous layer, got {mod.num_features}"
        )
    n = chain.width
    mean = _tensor_exact(mod.running_mean, f"{what}.running_mean", torch)
    var = _tensor_exact(mod.running_var, f"{what}.running_var", torch)
    bn_eps = Fraction(float(mod.eps))  # BatchNorm's own parameter, read exactly
    gamma = (
        _tensor_exact(mod.weight, f"{what}.weight", torch) if mod.weight is not None else [Fraction(1)] * n
    )
    beta = _tensor_exact(mod.bias, f"{what}.bias", torch) if mod.bias is not None else [Fraction(0)] * n
    with torch.no_grad():
        framework = (1 / torch.sqrt(mod.running_var.detach().cpu() + mod.eps)).tolist()
    inverse, n_float = [], 0
    for i, v in enumerate(var):
        if v + bn_eps <= 0:
            raise FileFormatError(f"{what}: running_var[{i}] plus the layer's eps is {v + bn_eps!s:.40}, not positive")
        exact = _exact_inverse_sqrt(v + bn_eps)
        if exact is None:
            n_float += 1
            exact = Fraction(framework[i])
        inverse.append(exact)
    if n_float:
        warnings.warn(
            f"{what}: 1/sqrt(running_var + eps) is irrational for {n_float} of {n} features; "
            "read as the float value torch computes (its exact binary value)",
            UserWarning,
            stacklevel=4,
        )
    scale = [g * s for g, s in zip(gamma, inverse, strict=True)]
    chain.scale_shift(scale, [b - m * s for b, m, s in zip(beta, mean, scale, strict=True)])


def _kind(mod: Any, what: str, nn: Any) -> str:
    """The role of a layer: linear, relu, batchnorm or skip (a no-op); anything else is refused."""
    for cls, kind in ((nn.Linear, "linear"), (nn.ReLU, "relu"), (nn.BatchNorm1d, "batchnorm")):
        if _is_plain(mod, cls):
            return kind
    if _is_plain(mod, nn.Identity) or _is_plain(mod, nn.Dropout):
        return "skip"
    if _is_plain(mod, nn.Flatten) and (mod.start_dim, mod.end_dim) == (1, -1):
        return "skip"
    known = (nn.Linear, nn.ReLU, nn.BatchNorm1d, nn.Identity, nn.Dropout)
    reason = "overrides forward" if isinstance(mod, known) else "is not supported"
    if isinstance(mod, nn.Flatten) and _is_plain(mod, nn.Flatten):
        reason = "is supported only with start_dim=1, end_dim=-1 (a flat input)"
    raise UnsupportedInputError(
        f"{what} {reason}; expected Linear, ReLU, BatchNorm1d, Identity, Dropout and Flatten layers"
    )


def _network_from_module(module: Any, torch: Any) -> ReLUNetwork:
    nn = torch.nn
    layers: list[tuple[str, Any]] = []
    _flatten_modules(module, nn, "", layers)
    kinds = [_kind(mod, _describe(pos, label, mod), nn) for pos, (label, mod) in enumerate(layers)]
    chain = AffineChain(_input_width(layers, nn))
    for pos, ((label, mod), kind) in enumerate(zip(layers, kinds, strict=True)):
        what = _describe(pos, label, mod)
        if kind == "linear":
            _fold_linear(chain, mod, what, torch)
        elif kind == "relu":
            chain.relu()
        elif kind == "batchnorm":
            _fold_batchnorm(chain, mod, what, torch)
    return chain.network()


def _network_from_state_dict(state: Mapping[Any, Any], torch: Any) -> ReLUNetwork:
    groups: dict[str, dict[str, Any]] = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise FileFormatError(
                f"state_dict: expected string keys such as '0.weight', got {short_repr(key)}"
            )
        prefix, _, suffix = key.rpartition(".")
        if suffix not in ("weight", "bias"):
            raise UnsupportedInputError(
                f"state_dict: key {short_repr(key)} is neither a weight nor a bias; only Linear layers are supported"
            )
        if not isinstance(value, torch.Tensor):
            raise FileFormatError(
                f"state_dict: {short_repr(key)} is a {type(value).__name__}, expected a tensor"
            )
        groups.setdefault(prefix, {})[suffix] = (key, value)
    if not groups:
        raise FileFormatError("state_dict: empty, expected keys '0.weight', '0.bias', '2.weight', ...")
    layers = []
    for prefix, parts in groups.items():
        if "weight" not in parts:
            raise FileFormatError(
                f"state_dict: {short_repr(parts['bias'][0])} has no matching {short_repr(prefix + '.weight')}"
            )
        layers.append((parts["weight"], parts.get("bias")))
    shapes = [(tuple(w[1].shape), tuple(b[1].shape) if b else None) for w, b in layers]
    names = [(short_repr(w[0]), short_repr(b[0]) if b else "bias") for w, b in layers]
    check_layer_shapes(shapes, names)
    check_count(sum(w[1].numel() + (b[1].numel() if b else 0) for w, b in layers), "state_dict")
    ws, bs = [], []
    for ((_, wt), bpair), (wname, bname) in zip(layers, names, strict=True):
        flat = _tensor_exact(wt, wname, torch)
        cols = int(wt.shape[1])
        ws.append([flat[i * cols : (i + 1) * cols] for i in range(int(wt.shape[0]))])
        bs.append(_tensor_exact(bpair[1], bname, torch) if bpair else [0] * int(wt.shape[0]))
    return ReLUNetwork(ws, bs)


def _check_activation(activation: object) -> None:
    if activation not in (None, "relu"):
        raise InvalidInputError(f"activation: expected None or 'relu', got {short_repr(activation)}")


def network_from_torch_file(
    path: object, *, trust: bool = False, activation: str | None = None
) -> ReLUNetwork:
    """A network from a file written by ``torch.save`` (see the module docstring for the safety rules)."""
    _check_activation(activation)
    p: Path = existing_file(path)
    torch = import_torch()
    src = str(p)
    if trust:
        warnings.warn(
            f"{src}: loading with torch.load(weights_only=False) runs code stored in the file (trust=True)",
            UserWarning,
            stacklevel=3,
        )
    try:
        obj = torch.load(p, weights_only=not trust, map_location="cpu")
    except Exception as exc:  # torch.load raises many types (pickle, zip, runtime); never echo its dump
        if trust:
            raise FileFormatError(f"{src}: torch.load cannot read it ({type(exc).__name__})") from None
        raise FileFormatError(
            f"{src}: torch.load(weights_only=True) cannot read it ({type(exc).__name__}): it is not a "
            f"PyTorch file, or it holds pickled objects such as a whole nn.Module; {_TRUST_HINT}"
        ) from None
    with reading(src):
        if isinstance(obj, torch.nn.Module):
            return _network_from_module(obj, torch)
        if isinstance(obj, Mapping):
            if activation is None:
                raise UnsupportedInputError(
                    "a state_dict stores the weights but not the activations between the layers; if the model "
                    "is Linear layers with a ReLU between consecutive ones, pass activation='relu' "
                    "(CLI: --assume-relu)"
                )
            return _network_from_state_dict(obj, torch)
        raise FileFormatError(
            f"expected a saved nn.Module or a state_dict of Linear layers, got {type(obj).__name__}"
        )


def network_from_torch(model: Any, *, trust: bool = False, activation: str | None = None) -> ReLUNetwork:
    """A network from a PyTorch module or a file written by ``torch.save``, folded exactly.

    Parameters
    ----------
    model
        An ``nn.Sequential`` (or a single layer) of ``Linear``, ``ReLU``,
        eval-mode ``BatchNorm1d``, ``Identity``, ``Dropout`` and ``Flatten``, or
        a path to a PyTorch file.
    trust
        For a file only: load it with ``weights_only=False`` (needed for a
        pickled ``nn.Module``), which **runs code stored in the file**; warns.
    activation
        For a file holding a ``state_dict`` only: ``"relu"`` states that the
        layers are Linear with a ReLU between consecutive ones.

    Raises
    ------
    UnsupportedInputError
        For any other layer type, a subclass that overrides ``forward``, forward
        hooks, a BatchNorm in training mode, or a state_dict without
        ``activation``; the message names the layer and its position (0-based,
        after flattening).
    InvalidInputError
        For NaN or infinite weights, or layer widths that do not fit.
    FileFormatError
        For a file ``torch.load(weights_only=True)`` refuses (without ``trust``) or cannot read.
    BackendUnavailableError
        If PyTorch is not installed.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import torch
    >>> from relu_geom.io import network_from_torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    >>> with torch.no_grad():
    ...     _ = model[0].weight.copy_(torch.tensor([[1.0, 0.5], [-1.0, 0.0], [0.25, 2.0]]))
    ...     _ = model[0].bias.zero_()
    ...     _ = model[2].weight.fill_(1.0)
    ...     _ = model[2].bias.fill_(-0.125)
    >>> net = network_from_torch(model)
    >>> net.architecture, net([1, 1])
    ((2, 3, 1), (Fraction(29, 8),))
    >>> network_from_torch(torch.nn.Linear(2, 3)).architecture
    (2, 3)
    """
    torch = import_torch()
    if isinstance(model, torch.nn.Module):
        return _network_from_module(model, torch)
    if isinstance(model, (str, Path)) or hasattr(model, "__fspath__"):
        return network_from_torch_file(model, trust=trust, activation=activation)
    raise InvalidInputError(f"model: expected a torch.nn.Module or a file path, got {type(model).__name__}")


def _torch_dtype(dtype: Any, torch: Any) -> tuple[Any, str]:
    if dtype is None:
        return torch.float64, "float64"
    name = dtype if isinstance(dtype, str) else str(dtype).removeprefix("torch.")
    name = {"double": "float64", "float": "float32", "half": "float16"}.get(name, name)
    if name not in FLOAT_FORMATS:
        raise InvalidInputError(
            f"dtype: expected torch.float64, torch.float32, torch.float16 or torch.bfloat16, got {short_repr(dtype)}"
        )
    return getattr(torch, name), name


def network_to_torch(net: ReLUNetwork, dtype: Any = None) -> Any:
    """A PyTorch ``nn.Sequential`` that computes the network in floating point.

    The result is ``Linear, ReLU, ..., Linear`` (so its ``state_dict`` keys are
    ``0.weight, 0.bias, 2.weight, ...``).  **It rounds**: each exact parameter
    becomes the nearest float of ``dtype`` (rounded once, ties to even), and
    torch then computes with rounding, so outputs approximate the exact ones.
    When every parameter is representable in ``dtype`` (for example a network
    read from a float model), :func:`network_from_torch` gives back exactly the
    same network.

    Parameters
    ----------
    net
        The network.
    dtype
        ``torch.float64`` (default), ``torch.float32``, ``torch.float16`` or
        ``torch.bfloat16`` (or their names as strings).

    Raises
    ------
    InvalidInputError
        For another dtype, or a parameter beyond the range of ``dtype``.
    BackendUnavailableError
        If PyTorch is not installed.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import torch
    >>> from relu_geom.io import network_from_torch, network_to_torch
    >>> net = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])
    >>> model = network_to_torch(net)
    >>> model
    Sequential(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): ReLU()
      (2): Linear(in_features=2, out_features=1, bias=True)
    )
    >>> model(torch.tensor([[1.0, 0.0]], dtype=torch.float64)).item(), net([1, 0])
    (1.5, (Fraction(3, 2),))
    >>> network_from_torch(model) == net
    True
    """
    net = check_network(net)
    torch = import_torch()
    nn = torch.nn
    tdtype, fmt = _torch_dtype(dtype, torch)
    layers: list[Any] = []
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        out, inp = len(w), len(w[0])
        lin = nn.utils.skip_init(nn.Linear, inp, out, dtype=tdtype)
        wf = [
            [round_to_format(v, fmt, f"W{k}[{i}][{j}]") for j, v in enumerate(row)] for i, row in enumerate(w)
        ]
        bf = [round_to_format(v, fmt, f"b{k}[{i}]") for i, v in enumerate(b)]
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(wf, dtype=torch.float64))  # exact: the values are already in fmt
            lin.bias.copy_(torch.tensor(bf, dtype=torch.float64))
        layers.append(lin)
        if k < len(net.weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)
