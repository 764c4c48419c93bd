"""Every public value type of relu_geom is immutable for real (as Shapely's geometries are).

The test runs the public analyses on small networks, collects every object of a class
defined in relu_geom that they return (recursively, through tuples, dicts and attributes),
and checks for each: setting an existing or a new attribute raises AttributeError, there is
no instance ``__dict__`` to write into, and no public attribute holds a mutable container
(list, dict, set), so cached results cannot be changed through them.
"""

from __future__ import annotations

import dataclasses

import pytest

import relu_geom as rg

MUTABLE = (list, dict, set, bytearray)
REFUSED = (AttributeError, dataclasses.FrozenInstanceError, TypeError)
"""Frozen slotted dataclasses refuse with TypeError on Python 3.11 (a CPython quirk), else AttributeError."""

WITH_DICT = {"Polyhedron", "Cell", "PolyhedralComplex", "BreakpointComplex", "BreakpointFacet"}
"""Types that still keep lazily computed data in an instance ``__dict__`` (they refuse assignment
all the same); to be moved to :class:`relu_geom._util.lazy` slots."""

DICT_WITNESSES = {"MaskedRankCheck.witness", "SupertransversalityCheck.witness"}
"""Witnesses still given as plain dicts (to become read-only mappings)."""


def _results():
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=3)
    shallow = rg.ReLUNetwork.random([2, 3, 1], seed=1)
    cx = rg.compile_network(net)
    yield net
    yield cx
    yield rg.Polyhedron.box([(0, 1), (0, 1)])
    yield rg.breakpoint_complex(cx)
    yield rg.facet_weights(cx)
    yield rg.candidate_bent_hyperplanes(cx)
    yield rg.depth_lower_bound(cx)
    yield rg.neuron_bent_hyperplanes(cx)
    yield rg.functionally_equivalent(net, net)
    yield rg.functional_dimension(net)
    yield rg.genericity_report(net)
    yield rg.normal_form(net)
    yield rg.first_layer_visibility(net)
    yield rg.shallow_fiber(shallow)
    yield rg.canonical_form(shallow)


def _public_values(obj):
    for name in dir(obj):
        if name.startswith("_"):
            continue
        try:
            value = getattr(obj, name)
        except Exception:  # a property that needs arguments or fails on this object
            continue
        if not callable(value):
            yield name, value


def _collect():
    seen: dict[int, object] = {}
    stack = list(_results())
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float)):
            continue
        if isinstance(obj, (tuple, list, frozenset, set)):
            stack.extend(obj)
            continue
        if isinstance(obj, dict):
            stack.extend(obj.values())
            continue
        module = type(obj).__module__ or ""
        if not module.startswith("relu_geom"):
            continue
        seen[id(obj)] = obj
        if len(seen) > 400:
            break
        stack.extend(v for _, v in _public_values(obj))
    by_type: dict[type, object] = {}
    for obj in seen.values():
        by_type.setdefault(type(obj), obj)
    return by_type


OBJECTS = _collect()


@pytest.mark.parametrize("cls", sorted(OBJECTS, key=lambda c: c.__qualname__), ids=lambda c: c.__qualname__)
def test_value_type_is_immutable(cls):
    obj = OBJECTS[cls]
    if cls.__name__ not in WITH_DICT:
        assert not hasattr(obj, "__dict__"), f"{cls.__qualname__} instances have a __dict__"
    for name, _ in list(_public_values(obj))[:5]:
        with pytest.raises(REFUSED):
            setattr(obj, name, None)
    with pytest.raises(REFUSED):
        obj.new_attribute = 1  # type: ignore[attr-defined]
    for name, value in _public_values(obj):
        if f"{cls.__qualname__}.{name}" not in DICT_WITNESSES:
            assert not isinstance(value, MUTABLE), f"{cls.__qualname__}.{name} is a mutable {type(value).__name__}"
