"""Function-preserving transforms between networks: the difference network and reduction.

:func:`difference_network` builds one network computing ``f1 - f2``;
:func:`reduce_network` shrinks a network by steps that keep its function;
:func:`stack_networks` puts several networks side by side as one network (a VNN-LIB 2.0
query over several networks). All work for
every architecture, including networks without a hidden layer (affine maps) and pairs of
different depths. Imports only :mod:`relu_geom.arith`, :mod:`relu_geom.errors` and the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from relu_geom.arith.dense import primitive_row
from relu_geom.errors import DimensionMismatchError, InvalidInputError
from relu_geom.network.model import ReLUNetwork

__all__ = ["check_pair", "difference_network", "reduce_network", "require_int", "require_network", "stack_networks"]

Point = tuple[Fraction, ...]
Layers = tuple[list[list[list[Fraction]]], list[list[Fraction]]]
_ZERO = Fraction(0)
_ONE = Fraction(1)


def require_network(obj: Any, what: str = "net", *, hidden_layers: int | None = None) -> ReLUNetwork:
    """``obj`` when it is a :class:`~relu_geom.ReLUNetwork` (with exactly ``hidden_layers``
    hidden layers, when given), else InvalidInputError naming ``what``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.network.transforms import require_network
    >>> require_network(rg.zoo.abs_1d(), hidden_layers=1).architecture
    (1, 2, 1)
    >>> require_network(rg.zoo.abs_1d(), hidden_layers=2)
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: net: expected a network with two hidden layers, got architecture [1, 2, 1]
    """
    if not isinstance(obj, ReLUNetwork):
        raise InvalidInputError(f"{what}: expected a ReLUNetwork, got {type(obj).__name__}")
    if hidden_layers is not None and obj.depth != hidden_layers:
        count = {1: "one hidden layer", 2: "two hidden layers"}.get(hidden_layers, f"{hidden_layers} hidden layers")
        raise InvalidInputError(
            f"{what}: expected a network with {count}, got architecture {list(obj.architecture)}"
        )
    return obj


def require_int(value: Any, what: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` when it is an int (not a bool) in ``[minimum, maximum]``, else InvalidInputError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what}: expected an integer, got {type(value).__name__}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        shown = str(value) if abs(value) < 10**12 else f"an integer of {len(str(abs(value)))} digits"
        bounds = " and ".join(
            text for text, bound in ((f">= {minimum}", minimum), (f"<= {maximum}", maximum)) if bound is not None
        )
        raise InvalidInputError(f"{what}: expected an integer {bounds}, got {shown}")
    return value


def check_pair(net1: Any, net2: Any) -> None:
    """Raise unless both are networks with the same input and output dimensions."""
    require_network(net1, "net1")
    require_network(net2, "net2")
    if net1.input_dim != net2.input_dim:
        raise DimensionMismatchError(
            f"net2: expected input dimension {net1.input_dim} (that of net1), got {net2.input_dim}"
        )
    if net1.output_dim != net2.output_dim:
        raise DimensionMismatchError(
            f"net2: expected output dimension {net1.output_dim} (that of net1), got {net2.output_dim}"
        )


def _layers(net: ReLUNetwork) -> Layers:
    return [[list(r) for r in w] for w in net.weights], [list(b) for b in net.biases]


def _pad_depth(net: ReLUNetwork, depth: int) -> Layers:
    """Layers of a network with ``depth`` hidden layers computing the same function.

    The last affine map ``y = W h + b`` becomes the hidden layer ``(relu(y), relu(-y))``,
    passed on by ``[I, -I; -I, I]`` layers and recombined as ``relu(y) - relu(-y) = y``.
    """
    ws, bs = _layers(net)
    extra = depth - net.depth
    if extra <= 0:
        return ws, bs
    m = net.output_dim
    w_out, b_out = ws.pop(), bs.pop()
    ws.append(w_out + [[-v for v in r] for r in w_out])
    bs.append(b_out + [-v for v in b_out])
    eye = [[_ONE if i == j else _ZERO for j in range(m)] for i in range(m)]
    for _ in range(extra - 1):
        ws.append([r + [-v for v in r] for r in eye] + [[-v for v in r] + r for r in eye])
        bs.append([_ZERO] * (2 * m))
    ws.append([r + [-v for v in r] for r in eye])
    bs.append([_ZERO] * m)
    return ws, bs


def difference_network(net1: ReLUNetwork, net2: ReLUNetwork) -> ReLUNetwork:
    """The network computing ``f1 - f2``: both networks side by side, output ``[W1_out, -W2_out]``.

    Hidden layer ``l`` of the result has width ``n1_l + n2_l``; a shallower network
    is first padded to the common depth (its output ``y`` passed on as
    ``relu(y) - relu(-y)``, adding ``2 m`` neurons per extra layer). Two networks without
    a hidden layer give the affine map ``(W1 - W2) x + (b1 - b2)``.

    Raises
    ------
    InvalidInputError, DimensionMismatchError
        For a non-network, or different input or output dimensions.

    Examples
    --------
    >>> import relu_geom as rg
    >>> a = rg.ReLUNetwork.random([2, 3, 1], seed=0)
    >>> b = rg.ReLUNetwork.random([2, 4, 1], seed=1)
    >>> D = rg.difference_network(a, b)
    >>> D.architecture
    (2, 7, 1)
    >>> D([1, 2]) == tuple(u - v for u, v in zip(a([1, 2]), b([1, 2])))
    True
    >>> aff = rg.ReLUNetwork([[[1, 2]]], [[3]])
    >>> rg.difference_network(aff, rg.ReLUNetwork([[[1, 1]]], [[0]]))([1, 1])
    (Fraction(4, 1),)
    """
    check_pair(net1, net2)
    depth = max(net1.depth, net2.depth)
    w1, b1 = _pad_depth(net1, depth)
    w2, b2 = _pad_depth(net2, depth)
    ws: list[list[list[Fraction]]] = []
    bs: list[list[Fraction]] = []
    for k in range(depth + 1):
        if k == depth:  # the output layer (also the first one when depth == 0)
            if depth:
                ws.append([r + [-v for v in s] for r, s in zip(w1[k], w2[k])])
            else:
                ws.append([[u - v for u, v in zip(r, s)] for r, s in zip(w1[k], w2[k])])
            bs.append([u - v for u, v in zip(b1[k], b2[k])])
        elif k == 0:
            ws.append(w1[0] + w2[0])
            bs.append(b1[0] + b2[0])
        else:
            n1p, n2p = len(w1[k - 1]), len(w2[k - 1])
            ws.append([r + [_ZERO] * n2p for r in w1[k]] + [[_ZERO] * n1p + r for r in w2[k]])
            bs.append(b1[k] + b2[k])
    return ReLUNetwork(ws, bs)


def reduce_network(net: ReLUNetwork) -> ReLUNetwork | Point:
    """A smaller network computing the same function on ``R^d``, or its constant value.

    Steps, repeated until nothing changes: neurons with zero outgoing weights
    are removed; neurons with zero incoming weights are constants ``relu(b)``,
    folded into the next layer's bias; neurons of one layer whose incoming rows
    ``(w, b)`` are positive multiples ``c (w', b')`` of an earlier neuron's are
    merged into it (its outgoing weights added with factor ``c``).  When a hidden
    layer becomes empty, or the network is affine with zero weights, the function is
    constant and that constant (a tuple of Fractions) is returned.

    Complexity: ``O(P)`` rational operations and hash look-ups per pass, with
    ``P`` the number of parameters.

    Raises
    ------
    InvalidInputError
        When ``net`` is not a :class:`~relu_geom.ReLUNetwork`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 3, 1], seed=4)
    >>> copy = net.permute_layer(1, [2, 0, 1]).rescale_neuron(1, 0, 3)
    >>> rg.reduce_network(rg.difference_network(net, copy))
    (Fraction(0, 1),)
    >>> rg.reduce_network(rg.ReLUNetwork([[[0, 0]]], [[5]]))
    (Fraction(5, 1),)
    """
    require_network(net)
    ws, bs = _layers(net)
    depth = net.depth
    changed = True
    while changed:
        changed = False
        for layer in range(depth):
            w, b = ws[layer], bs[layer]
            nxt_w, nxt_b = ws[layer + 1], bs[layer + 1]
            keep: list[int] = []
            seen: dict[tuple[int, ...], tuple[int, Fraction]] = {}
            for i, (row, bias) in enumerate(zip(w, b)):
                if not any(r[i] for r in nxt_w):
                    changed = True
                    continue
                if not any(row):
                    changed = True
                    if bias > 0:
                        for out, r in enumerate(nxt_w):
                            nxt_b[out] += r[i] * bias
                    continue
                full = row + [bias]
                key = primitive_row(full)
                lead = next(k for k, v in enumerate(key) if v)
                if key in seen:
                    j, ref = seen[key]
                    factor = full[lead] / ref
                    for r in nxt_w:
                        r[j] += factor * r[i]
                    changed = True
                    continue
                seen[key] = (i, full[lead])
                keep.append(i)
            if len(keep) != len(w):
                ws[layer] = [w[i] for i in keep]
                bs[layer] = [b[i] for i in keep]
                ws[layer + 1] = [[r[i] for i in keep] for r in nxt_w]
            if not keep:
                return _constant_tail(ws, bs, layer)
    if depth == 0 and not any(any(r) for r in ws[0]):
        return tuple(bs[0])
    return ReLUNetwork(ws, bs)


def _constant_tail(ws: list[list[list[Fraction]]], bs: list[list[Fraction]], layer: int) -> Point:
    """The constant output once hidden layer ``layer`` (0-based) has no neurons left."""
    a = list(bs[layer + 1])
    for k in range(layer + 2, len(ws)):
        prev = [v if v > 0 else _ZERO for v in a]
        a = [sum((x * y for x, y in zip(row, prev)), bb) for row, bb in zip(ws[k], bs[k])]
    return tuple(a)


def stack_networks(nets: Sequence[ReLUNetwork], inputs: Sequence[Sequence[int]] | None = None) -> ReLUNetwork:
    """One network ``F`` computing several networks side by side: ``F(v) = (f_1(x_1), ..., f_k(x_k))``.

    Each ``x_i`` is gathered from ``F``'s input ``v``: ``x_i[j] = v[inputs[i][j]]``, so
    two networks may read the same variables (by default every network has its own,
    ``v`` being the concatenation ``x_1, ..., x_k``).  The output is the concatenation
    of the outputs.  Hidden layer ``l`` of ``F`` is the block-diagonal stack of the
    networks' layers ``l``; a shallower network is first padded to the common depth by
    exact identity layers (its output ``y`` passed on as ``relu(y) - relu(-y)``, ``2 m``
    neurons per extra layer), so ``F`` computes exactly the separate networks.

    Parameters
    ----------
    nets
        One or more networks.
    inputs
        For each network, the index in ``v`` of each of its inputs (a sequence of
        ``input_dim`` indices); every index in ``0..D-1`` is used, ``D`` being ``F``'s
        input dimension. Default: the concatenation.

    Raises
    ------
    InvalidInputError, DimensionMismatchError
        For no network, a non-network, a map of the wrong length or with an index
        outside ``0..D-1`` or an unused index.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.network.transforms import stack_networks
    >>> absx = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|, one hidden layer
    >>> double = rg.ReLUNetwork([[[2]]], [[0]])                       # 2 x, no hidden layer
    >>> F = stack_networks([absx, double])
    >>> F.architecture, F([-3, 5])
    ((2, 4, 2), (Fraction(3, 1), Fraction(10, 1)))
    >>> shared = stack_networks([absx, double], inputs=[[0], [0]])   # both read v[0]
    >>> shared.architecture, shared([-3])
    ((1, 4, 2), (Fraction(3, 1), Fraction(-6, 1)))
    """
    if not isinstance(nets, (list, tuple)):
        raise InvalidInputError(f"nets: expected a list of networks, got {type(nets).__name__}")
    nets = [require_network(n, f"nets[{i}]") for i, n in enumerate(nets)]
    if not nets:
        raise InvalidInputError("nets: expected at least one network, got none")
    if inputs is None:
        starts = [sum(n.input_dim for n in nets[:i]) for i in range(len(nets))]
        maps = [list(range(s, s + n.input_dim)) for s, n in zip(starts, nets)]
    else:
        if not isinstance(inputs, (list, tuple)) or not all(isinstance(c, (list, tuple)) for c in inputs):
            raise InvalidInputError("inputs: expected one list of input indices per network")
        if len(inputs) != len(nets):
            raise DimensionMismatchError(f"inputs: expected {len(nets)} index lists, got {len(inputs)}")
        maps = []
        for i, (n, cols) in enumerate(zip(nets, inputs)):
            cols = [require_int(c, f"inputs[{i}][{j}]", minimum=0) for j, c in enumerate(cols)]
            if len(cols) != n.input_dim:
                raise DimensionMismatchError(
                    f"inputs[{i}]: network {i} has {n.input_dim} inputs, got {len(cols)} indices"
                )
            maps.append(cols)
    dim = max(c for cols in maps for c in cols) + 1
    unused = sorted(set(range(dim)) - {c for cols in maps for c in cols})
    if unused:
        raise InvalidInputError(f"inputs: every input of the stack must be read; {unused[0]} is not")
    depth = max(n.depth for n in nets)
    padded = [_pad_depth(n, depth) for n in nets]
    ws: list[list[list[Fraction]]] = []
    bs: list[list[Fraction]] = []
    for k in range(depth + 1):
        rows: list[list[Fraction]] = []
        if k == 0:
            for (w, _), cols in zip(padded, maps):
                for r in w[0]:
                    full = [_ZERO] * dim
                    for c, v in zip(cols, r):
                        full[c] += v
                    rows.append(full)
        else:
            widths = [len(w[k - 1]) for w, _ in padded]
            before = 0
            for (w, _), n_prev in zip(padded, widths):
                after = sum(widths) - before - n_prev
                rows.extend([_ZERO] * before + list(r) + [_ZERO] * after for r in w[k])
                before += n_prev
        ws.append(rows)
        bs.append([v for _, b in padded for v in b[k]])
    return ReLUNetwork(ws, bs)
