"""Only our own errors escape the public API: a hypothesis fuzz test over every public function.

Each call gets arguments drawn from junk (None, bools, ints, huge and negative ints, floats
with nan and inf, strings, bytes, lists, dicts, nested junk, arbitrary objects) mixed with
valid small inputs (networks with and without hidden layers, compiled complexes, points of
several dimensions, boxes). A call may return or raise a ReluGeomError subclass with a short
message; anything else (AssertionError, TypeError, IndexError, KeyError, a ValueError that
is not ours, ...) fails, and so does a call running longer than TIME_LIMIT seconds.  A
function with a ``max_seconds`` bound always gets one, junk or at most MAX_SECONDS, so a
valid call must keep it (a valid call without one may legitimately take minutes).

Every public function is fuzzed strictly; those of ``relu_geom.analyses.breakpoints`` in a
test of their own (so that each group gets its share of the calls). The slow test makes
RELU_GEOM_FUZZ_CALLS calls (default 50,000) over all of them: ``pytest -m slow -k many``.
"""

from __future__ import annotations

import inspect
import os
import signal
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens

TIME_LIMIT = 20
MAX_SECONDS = 5  # every call of a function with a max_seconds bound gets one of at most this
MAX_MESSAGE = 200

NETS = (
    specimens.affine_1x2(),  # no hidden layer
    rg.ReLUNetwork([[[0]]], [[0]]),  # the zero map
    rg.zoo.abs_1d(),
    rg.zoo.bent_2d(),
    specimens.zero_by_a_pair_2d(),  # duplicate neurons
    rg.ReLUNetwork([[[1, -1], [0, 0]], [[1, 0], [2, 1]], [[1, 1]]], [[0, 1], [0, -1], [0]]),  # zero row
    rg.ReLUNetwork.random([2, 2, 2, 1], seed=3),
)
COMPLEXES = tuple(rg.compile_network(n) for n in NETS[:4]) + (rg.compile_network(NETS[3], domain=(-1, 1)),)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(min_value=10**40, max_value=10**60),
    st.integers(max_value=-(10**40), min_value=-(10**60)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.sampled_from(["1/2", "-1", "x", "", "1/0", "nan", "inf", "1e400", "orthant", "zoo:abs_1d"]),
    st.binary(max_size=3),
    st.builds(Fraction, st.integers(-5, 5), st.integers(1, 5)),
    st.builds(object),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=8,
)
valid = st.one_of(
    st.sampled_from(NETS),
    st.sampled_from(COMPLEXES),
    st.lists(st.integers(-3, 3), min_size=0, max_size=4),  # points of several dimensions
    st.lists(st.lists(st.integers(-3, 3), min_size=1, max_size=3), min_size=0, max_size=3),  # samples
    st.sampled_from([(-1, 1), ("-1/2", "1/2"), (1, -1), [(-1, 1), (0, 2)], (0, 0), "orthant"]),
    st.sampled_from([[2, 3, 1], [1, 1], [], [0, 1], [-1, 2, 1], [2, 10**6, 1]]),  # architectures
    st.integers(-2, 6),  # small sizes, layers and indices
)
values = st.one_of(junk, valid, valid)

BREAKPOINTS_MODULE = "relu_geom.analyses.breakpoints"
SKIP = {"load_network", "save_network"}  # file functions: fuzzed in tests/test_io.py


def _public_callables() -> dict[str, Callable[..., Any]]:
    out: dict[str, Callable[..., Any]] = {}
    for name in rg.__all__:
        obj = getattr(rg, name)
        if inspect.ismodule(obj) or name in SKIP:
            continue
        if inspect.isclass(obj):
            if obj is rg.ReLUNetwork:
                out[name] = obj
                out["ReLUNetwork.random"] = obj.random
            continue  # result types and complexes are built by the library, not by users
        if callable(obj):
            out[name] = obj
    return out


FUNCTIONS = _public_callables()


def _in_breakpoints(name: str) -> bool:
    return getattr(FUNCTIONS[name], "__module__", "").startswith(BREAKPOINTS_MODULE)


CORE = sorted(n for n in FUNCTIONS if not _in_breakpoints(n))
BREAKPOINTS = sorted(n for n in FUNCTIONS if _in_breakpoints(n))


class _TooSlow(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _TooSlow


@st.composite
def calls(draw, names):
    name = draw(st.sampled_from(names))
    fn = FUNCTIONS[name]
    params = list(inspect.signature(fn).parameters.values())
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name == "progress":
            continue
        if p.default is p.empty and p.kind is not p.KEYWORD_ONLY:
            args.append(draw(values))
        elif p.name == "max_seconds":
            kwargs[p.name] = _bounded_seconds(draw(values))
        elif draw(st.booleans()):
            kwargs[p.name] = draw(values)
    return name, args, kwargs


def _bounded_seconds(value: Any) -> Any:
    """A drawn ``max_seconds``, with None and valid numbers above MAX_SECONDS made MAX_SECONDS:
    a valid call may take long without a bound (``identifiable_example([3, 3, 3, 3])`` tries
    up to 30 networks), and one with a bound must end well within TIME_LIMIT."""
    number = isinstance(value, (int, float, Fraction)) and not isinstance(value, bool)
    return MAX_SECONDS if value is None or number and value > MAX_SECONDS else value


def _call(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT)
    try:
        FUNCTIONS[name](*args, **kwargs)
    except rg.ReluGeomError as exc:
        message = str(exc)
        assert message and len(message) <= MAX_MESSAGE, f"{name}: message of {len(message)} characters"
    except _TooSlow:
        pytest.fail(f"{name} ran longer than {TIME_LIMIT} s on {_short(args)} {_short(kwargs)}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _short(obj: object) -> str:
    text = repr(obj)
    return text if len(text) <= 300 else text[:297] + "..."


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(calls(CORE))
def test_only_our_errors_escape(call):
    _call(*call)


@FUZZ
@given(calls(BREAKPOINTS))
def test_only_our_errors_escape_breakpoints(call):
    _call(*call)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # 50,000 calls take 5 to 15 minutes (chunks of 5,000: 26 to 138 s)
@settings(max_examples=int(os.environ.get("RELU_GEOM_FUZZ_CALLS", "50000")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(calls(sorted(FUNCTIONS)))
def test_only_our_errors_escape_many(call):
    _call(*call)


def test_every_public_function_is_fuzzed():
    assert {"compile_network", "functionally_equivalent", "hidden_symmetries", "normal_form"} <= set(CORE)
    assert "breakpoint_complex" in BREAKPOINTS and "ReLUNetwork" in CORE
    newer = {
        "check_property", "output_range", "lipschitz_constant", "robustness_radius", "unsafe_set",
        "search", "shrink", "get_property", "build_certificate", "write_certificate",
        "fiber_configurations", "configuration_variety", "deep_fiber", "is_identifiable",
        "iter_cells", "iter_regions", "count_regions", "verify_certificate", "read_vnnlib",
        "ReLUNetwork.random", "general_position_f_vector", "emptiness_certificate",
        "check_emptiness_certificate",
    }
    assert newer <= set(CORE)
    assert set(CORE) | set(BREAKPOINTS) == set(FUNCTIONS)


@pytest.mark.parametrize(
    "call",
    [
        lambda: rg.compile_network(NETS[2], domain=5),
        lambda: rg.compile_network(NETS[2], domain="box"),
        lambda: rg.compile_network(NETS[2], executor=NETS[3]),  # not an executor (found by the fuzz)
        lambda: rg.compile_network(NETS[3], domain=[(0, 1)]),
        lambda: rg.functionally_equivalent(NETS[0], NETS[2]),
        lambda: rg.normal_form("net"),
        # found by the slow fuzz test (RELU_GEOM_FUZZ_CALLS chunks): a TypeError, a 220-character message
        lambda: rg.identifiable_example([2, 3, 1], max_tries=specimens.identity_1d()),
        lambda: rg.identifiable_example([2, 3, 1], max_tries=10**40),
        lambda: rg.ReLUNetwork.random([10**40, 10**40 + 1]),
    ],
)
def test_known_cases(call):
    with pytest.raises(rg.ReluGeomError) as info:
        call()
    assert 0 < len(str(info.value)) <= MAX_MESSAGE


def test_networks_without_a_hidden_layer():
    aff = NETS[0]
    assert rg.hidden_symmetries(aff) == ()
    assert rg.functionally_equivalent(aff, aff).equivalent
    assert rg.normal_form(aff) == aff


LONG_INPUTS = (list(range(10**5)), "x" * 10**6, 7**10000)


@pytest.mark.parametrize("long_input", LONG_INPUTS, ids=["long list", "long string", "huge int"])
@pytest.mark.parametrize(
    "call",
    [
        lambda v: rg.neuron_graph(NETS[3], visible_only=v),
        lambda v: rg.balancing_sum(NETS[3], v),
        lambda v: rg.breakpoint_complex(NETS[3]).faces_of_dim(v),
        lambda v: rg.breakpoint_complex(rg.breakpoint_complex(NETS[3]), domain=v),
        lambda v: COMPLEXES[3].cells_of_dim(v),
        lambda v: rg.compile_network(NETS[3], max_cells=[v]),
        lambda v: rg.compile_network(NETS[3], workers=[v]),
        lambda v: rg.get_property(v),
        lambda v: rg.general_position_f_vector(v, v),
        lambda v: rg.fiber_configurations(NETS[3], v),
        lambda v: rg.zoo.get(v),
        lambda v: rg.ReLUNetwork.from_dict({"weights": v, "biases": [[0]]}),
        lambda v: NETS[3].rescale_neuron(v, 0, 2),
    ],
    ids=["neuron_graph", "balancing_sum", "faces_of_dim", "breakpoint_complex", "cells_of_dim",
         "max_cells", "workers", "get_property", "general_position_f_vector", "fiber_configurations",
         "zoo.get", "from_dict", "rescale_neuron"],
)
def test_messages_never_echo_long_inputs(call, long_input):
    # before: the breakpoints analyses put the whole input in the message (1 MB), and a huge
    # int made the message itself fail with ValueError (int/str limit)
    with pytest.raises(rg.ReluGeomError) as info:
        call(long_input)
    assert 0 < len(str(info.value)) <= MAX_MESSAGE



@pytest.mark.parametrize(
    "call",
    [
        lambda: rg.ReLUNetwork.random([10**9, 1]),
        lambda: rg.ReLUNetwork.random([3, 10**9, 1]),
        lambda: rg.functionally_equivalent(NETS[2], NETS[2], n_probes=10**9),
        lambda: rg.shallow_fiber(rg.zoo.abs_1d(), 10**6),
        lambda: rg.general_position_f_vector(10**9, 10**9),
    ],
    ids=["random [1e9, 1]", "random [3, 1e9, 1]", "n_probes=1e9", "shallow_fiber width 1e6", "counts"],
)
@pytest.mark.timeout(30)
def test_huge_requests_end_at_once_in_bounded_memory(call):
    # before: shallow_fiber built a width**2 list (13 GB for width 10**6), random() and n_probes ran unbounded
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises((rg.LimitExceededError, rg.InvalidInputError)):
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_cli_fiber_with_a_huge_width_is_a_limit_error(capsys):
    from relu_geom.cli import main

    assert main(["fiber", "zoo:abs_1d", "--width", "1000000"]) == 2
    assert "more than max_pieces=5000 candidate strata" in capsys.readouterr().err
