"""Every public value type of relu_geom is immutable for real (as Shapely's geometries are).

The test runs the public analyses on small networks, collects every object of a class
defined in relu_geom that they return (recursively, through tuples, dicts and attributes),
and checks for each: setting an existing or a new attribute raises AttributeError, there is
no instance ``__dict__`` to write into, and no public attribute holds a mutable container
(list, dict, set), so cached results cannot be changed through them.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

import relu_geom as rg
from relu_geom.testing import specimens

MUTABLE = (list, dict, set, bytearray)
REFUSED = (AttributeError, dataclasses.FrozenInstanceError, TypeError)
"""Frozen slotted dataclasses refuse with TypeError on Python 3.11 (a CPython quirk), else AttributeError."""


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
    # three lines through 0, masked product (1, -1)(1, 1)^T = 0: both genericity witnesses
    yield rg.genericity_report(specimens.three_lines_2d())
    yield rg.masked_product_ranks(specimens.zero_by_a_pair_1d())
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
    assert not hasattr(obj, "__dict__"), f"{cls.__qualname__} instances have a __dict__"
    for name, _ in list(_public_values(obj))[:5]:
        with pytest.raises(REFUSED):
            setattr(obj, name, None)
    with pytest.raises(REFUSED):
        obj.new_attribute = 1  # type: ignore[attr-defined]
    for name, value in _public_values(obj):
        assert not isinstance(value, MUTABLE), (
            f"{cls.__qualname__}.{name} is a mutable {type(value).__name__}"
        )


def test_the_failing_witnesses_are_collected():
    names = {cls.__name__ for cls in OBJECTS}
    assert {"MaskedRankWitness", "SupertransversalityWitness", "BreakpointFacet", "Cell"} <= names


def test_cached_results_cannot_be_changed_through_the_objects():
    # the scenario of issue 9: assigning to a cached, shared result must fail and change nothing
    cx = rg.compile_network(rg.zoo.bent_2d())
    bc = rg.breakpoint_complex(cx)
    n = bc.n_facets
    assert n > 0
    with pytest.raises(AttributeError):
        bc.facets = ()
    with pytest.raises(AttributeError):
        cx.dim = 123
    with pytest.raises(AttributeError):
        cx.cells[0].polyhedron = None
    assert rg.breakpoint_complex(cx).n_facets == n and cx.dim == 2
    # cached mappings are read-only views
    with pytest.raises(TypeError):
        bc.facet_table[0] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        bc.linear_region_of_cell[0] = 1  # type: ignore[index]


def _same_complex(a, b):
    assert a.f_vector == b.f_vector and a.network == b.network and a.domain == b.domain
    for c, e in zip(a.cells, b.cells):
        assert (c.sign_vector, c.face_indices, c.coface_indices) == (
            e.sign_vector,
            e.face_indices,
            e.coface_indices,
        )
        assert c.polyhedron == e.polyhedron and c.affine_map == e.affine_map


@pytest.mark.parametrize("domain", [None, (-1, 1)])
def test_pickle_round_trips(domain):
    cx = rg.compile_network(rg.zoo.bent_2d(), domain=domain)
    cx.cells[1].polyhedron.dim  # noqa: B018 - a filled cache must not travel or break the copy
    back = pickle.loads(pickle.dumps(cx))
    _same_complex(cx, back)
    cell = pickle.loads(pickle.dumps(cx.cells[2]))
    assert cell.index == 2 and cell.sign_vector == cx.cells[2].sign_vector
    # a cell travels with its complex: the copy is that complex's own cell object
    cx2, c2 = pickle.loads(pickle.dumps((cx, cx.cells[2])))
    assert c2 is cx2.cells[2]
    bc = rg.breakpoint_complex(cx)
    bc2 = pickle.loads(pickle.dumps(bc))
    assert bc2.signature() == bc.signature() and bc2.n_bent_facets == bc.n_bent_facets
    facet = pickle.loads(pickle.dumps(bc.facets[0]))
    assert facet.signature == bc.facets[0].signature


def test_pickle_polyhedra_made_from_thunks():
    cx = rg.compile_network(rg.zoo.bent_2d(), domain=(-1, 1))
    for cell in cx.cells:
        p = cell.polyhedron  # both representations still thunks
        q = pickle.loads(pickle.dumps(p))
        assert q == p and q.dim == cell.dim and q.vertices == p.vertices
    box = rg.Polyhedron.box([(0, 1), (0, 2)])
    assert pickle.loads(pickle.dumps(box)) == box and pickle.loads(pickle.dumps(box)).volume() == 2


def test_copies_are_the_object_itself():
    cx = rg.compile_network(rg.zoo.bent_2d())
    bc = rg.breakpoint_complex(cx)
    for obj in (cx, cx.cells[0], cx.cells[0].polyhedron, bc, bc.facets[0], bc.linear_regions[0]):
        assert copy.copy(obj) is obj and copy.deepcopy(obj) is obj
