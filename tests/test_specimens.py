"""Tests of relu_geom.testing.specimens: each shared network computes the function its docstring
writes out, and one specimen source serves every test module.

The rule (docs/architecture.md, "Test networks"): a network written out in more than one test
module, or equal to a specimen or a zoo network, comes from ``relu_geom.testing.specimens`` or
``relu_geom.zoo``; a hand-checked network used by one test module may stay inline, next to the
values computed by hand for it.
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import random
from fractions import Fraction as F

import pytest

import relu_geom as rg
from relu_geom.testing import specimens

TESTS = pathlib.Path(__file__).resolve().parent


def relu(v):
    return max(v, F(0))


def _tie_region(a1, a2, a3):
    b1 = relu(-a1 + F(2, 3) * a2 - F(2, 3) * a3 - F(1, 3))
    b2 = relu(-2 * a1 + 2 * a2 + F(3, 2) * a3 - 1)
    b3 = relu(a2 - F(1, 2) * a3 - 2)
    return (2 * b1 - 2 * b2 - b3 - F(3, 2),)


# the functions of the docstrings, written out again
FUNCTIONS = {
    "abs_1d": lambda x: (abs(x[0]),),
    "affine_1x2": lambda x: (x[0] + 2 * x[1] + 3,),
    "cancelling_pair_2d": lambda x: (2 * relu(x[0] + x[1]) + (x[0] - 2 * x[1] + 3) - 2,),
    "gate_1d": lambda x: (relu(x[0]) + F(1, 2),),
    "hidden_line_2d": lambda x: (relu(2 * relu(x[0]) - relu(x[1]) - 1),),
    "identity_1d": lambda x: (x[0],),
    "identity_2d": lambda x: (x[0], x[1]),
    "line_classifier_2d": lambda x: (x[0] + 2 * x[1], 0),
    "max_zero_2d_other": lambda x: (max(0, x[0], x[1]),),
    "one_neuron_1x2": lambda x: (relu(x[0] + 2 * x[1] + 3),),
    "plus_minus_1d": lambda x: (x[0], -x[0]),
    "relu_diff_2d": lambda x: (relu(x[0]) - relu(x[1]),),
    "relu_1d": lambda x: (relu(x[0]),),
    "relu_of_sum_2d": lambda x: (relu(x[0] + x[1]),),
    "relu_pair_2d": lambda x: (relu(x[0]), relu(x[1])),
    "relu_relu_x1_2d": lambda x: (relu(x[0]),),
    "relu_sum_2d": lambda x: (relu(x[0]) + relu(x[1]),),
    "relu_sum_3d": lambda x: (relu(x[0]) + relu(x[1]) + relu(x[2]),),
    "relu_x1_2d": lambda x: (relu(x[0]),),
    "spectral_pair_2d": lambda x: (3 * relu(x[0]), 4 * relu(x[0]) + 5 * relu(x[1])),
    "three_lines_2d": lambda x: (relu(x[0]) + relu(x[1]) + relu(x[0] + x[1]),),
    "tie_region_2d": lambda x: _tie_region(relu(-x[0] - 2 * x[1]), relu(-x[0] - F(2, 3) * x[1]), relu(-2 * x[0] - 4 * x[1])),
    "two_hinges_2d": lambda x: (relu(x[0] - x[1]) + relu(x[0] + x[1] - F(1, 2)),),
    "two_relu_sum_2d": lambda x: (2 * relu(x[0] + x[1]) + relu(x[0] - x[1]),),
    "x1_by_a_pair_2d": lambda x: (x[0],),
    "zero_2d": lambda x: (0,),
    "zero_by_a_pair_1d": lambda x: (0,),
    "zero_by_a_pair_2d": lambda x: (0,),
}


def test_every_specimen_is_checked_here():
    assert sorted(FUNCTIONS) == sorted(specimens.__all__)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_specimens_compute_their_functions(name):
    net = getattr(specimens, name)()
    rng = random.Random(name)
    for _ in range(100):
        x = [F(rng.randint(-12, 12), rng.randint(1, 4)) for _ in range(net.input_dim)]
        assert net(x) == tuple(F(v) for v in FUNCTIONS[name](x)), (name, x)


# ------------------------------------------------------------ one specimen source


def _literal(node):
    """The value of a literal network argument: nested lists of numbers, strings, ``F(p, q)``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
        return F(node.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_literal(node.operand)
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("F", "Fraction") and not node.keywords:
        return F(*map(_literal, node.args))
    raise ValueError("not a literal")


def network_literals(source):
    """``(line, network)`` for every ``ReLUNetwork(weights, biases)`` call with literal arguments."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "ReLUNetwork":
                try:
                    out.append((node.lineno, rg.ReLUNetwork(*map(_literal, node.args))))
                except (ValueError, TypeError, ZeroDivisionError, rg.ReluGeomError):
                    pass
    return out


def _named_networks():
    named = {}
    for module in (specimens, rg.zoo):
        for name in module.__all__:
            make = getattr(module, name)
            params = inspect.signature(make).parameters.values() if inspect.isfunction(make) else None
            if params is not None and all(p.default is not p.empty for p in params):
                net = make()
                if isinstance(net, rg.ReLUNetwork):
                    named.setdefault(net, f"{module.__name__}.{name}()")
    return named


def test_a_network_in_two_test_modules_is_a_specimen():
    where: dict[rg.ReLUNetwork, set[str]] = {}
    lines: dict[tuple[rg.ReLUNetwork, str], int] = {}
    for path in sorted(TESTS.rglob("*.py")):
        for line, net in network_literals(path.read_text()):
            where.setdefault(net, set()).add(path.name)
            lines.setdefault((net, path.name), line)
    named = _named_networks()
    problems = []
    for net, files in where.items():
        places = ", ".join(f"tests/{f}:{lines[net, f]}" for f in sorted(files))
        if net in named:
            problems.append(f"{places}: use {named[net]}")
        elif len(files) > 1:
            problems.append(f"{places}: the same network in {len(files)} test modules; add it to specimens")
    assert not problems, "\n".join(problems)


def test_the_literal_check_reads_every_form():
    code = 'ReLUNetwork([[[1, -1]], [[F(1, 2)]]], [[0], ["-1/2"]]); rg.ReLUNetwork([[[-2]]], [[0]]); ReLUNetwork(ws, bs)'
    assert [net for _, net in network_literals(code)] == [
        rg.ReLUNetwork([[[1, -1]], [["1/2"]]], [[0], ["-1/2"]]),
        rg.ReLUNetwork([[[-2]]], [[0]]),
    ]
