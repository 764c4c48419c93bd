"""Certified cores of equations shared between configurations (relu_geom/analyses/fibers/variety.py)."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as F

import pytest
import sympy

import relu_geom as rg
from relu_geom.analyses.fibers.configurations import _enumerate, function_data
from relu_geom.analyses.fibers.variety import _label_equations, certificate_system
from relu_geom.testing import specimens

SUM = specimens.relu_sum_2d()  # relu(x) + relu(y)
CUT = "its equations contain a core certified empty (shared with an earlier configuration)"


def _flipped_line_x0():
    """relu(x) + relu(y)'s configuration with both facets of the line x = 0 flipped (delta = -1)."""
    cfg = rg.fiber_configurations(SUM, (2, 2, 1)).configurations[0]
    line = [j for j, f in enumerate(cfg.data.facets) if f.normal == (1, 0)]
    assert len(line) == 2
    bad = dataclasses.replace(
        cfg, facet_deltas=tuple(-d if j in line else d for j, d in enumerate(cfg.facet_deltas))
    )
    return cfg, bad, line


def _subsystem(cfg, labels):
    """The equations of ``labels`` must be equations of ``cfg``'s certificate system with delta fixed,
    recomputed from the configuration variety."""
    eqs, _ineqs, _gens = certificate_system(cfg)
    var = rg.configuration_variety(cfg)
    fix = dict(zip(var.deltas, cfg.facet_deltas))
    whole = {sympy.expand(e.xreplace(fix)) for e in eqs} - {0}
    return {e for group in _label_equations(cfg, labels) for e in group} <= whole


def test_core_of_a_flipped_orientation_is_certified_and_checked():
    # The neuron of x = 0 with delta = -1 has row -lambda (1, 0) (alignment, facet k); its jump
    # is lambda v = 1 (weight matching, c_hat = 1); on the region x > 0 (f = x) with that neuron
    # active its slope in x is v * (-lambda) = 1.  lambda v = 1 and -lambda v = 1 add up to 0 = 2:
    # these three labels alone have no zero, whatever else the configuration holds.
    cfg, bad, line = _flipped_line_x0()
    assert rg.emptiness_certificate(cfg, core=True) is None  # it holds the swapped network
    cert = rg.emptiness_certificate(bad, core=True)
    assert cert is not None
    labels = cert.core
    k = next(lab[1] for lab in labels if lab[0] == "A")
    assert k in line
    region = next(lab[1] for lab in labels if lab[0] == "R")
    A, c = bad.data.regions[region]
    assert A == ((F(1), F(0)),) and c == (F(0),)  # f = x there
    assert sorted(lab[0] for lab in labels) == ["A", "M", "R"]
    assert cert.kind == "farkas" and cert.constant < 0 and cert.core == tuple(cert.core)
    assert rg.check_emptiness_certificate(bad, cert)
    assert _subsystem(bad, cert.core)
    # the core alone has no complex zero: an independent Groebner basis
    eqs = [e for group in _label_equations(bad, cert.core) for e in group]
    free = sorted(set().union(*(e.free_symbols for e in eqs)), key=str)
    assert list(sympy.groebner(eqs, *free, order="lex").exprs) == [1]
    assert json.loads(json.dumps(cert.to_dict()))["core"][0][0] == "A"


def test_tampered_core_certificates_are_refused():
    cfg, bad, _line = _flipped_line_x0()
    cert = rg.emptiness_certificate(bad, core=True)
    assert rg.check_emptiness_certificate(bad, cert)
    # a configuration without these labels (delta = +1 on x = 0): the certificate says nothing
    assert not rg.check_emptiness_certificate(cfg, cert)
    # a label dropped, or one the configuration does not have
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, core=cert.core[:-1]))
    fake = tuple((lab[0], lab[1], (1, 1)) if lab[0] == "R" else lab for lab in cert.core)
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, core=fake))
    # the multipliers or the constant changed
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, constant=cert.constant + 1))
    half = tuple((i, z / 2) for i, z in cert.equation_multipliers)
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, equation_multipliers=half))
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, substitutions=()))


def test_label_groups_are_the_certificate_system():
    # the labels' equations rebuilt by the checker are exactly the certificate system with delta
    # fixed, recomputed from the configuration variety
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=3)
    en = rg.fiber_configurations(net, (2, 3, 2, 1))
    for cfg in en.configurations[:12]:
        cert = rg.emptiness_certificate(cfg, core=True)
        if cert is not None:
            assert _subsystem(cfg, cert.core)
        var = rg.configuration_variety(cfg)
        eqs, _ineqs, _gens = certificate_system(cfg)
        fix = dict(zip(var.deltas, cfg.facet_deltas))
        whole = {sympy.expand(e.xreplace(fix)) for e in eqs} - {0}
        # every label of cfg: its G, A, M labels per facet and R label per side pattern
        widths = cfg.architecture[1:-1]
        labels = set()
        first = {}
        for k in range(len(cfg.data.facets)):
            neuron = cfg.neuron_of_facet(k)
            first.setdefault(neuron, k)
            flat, signs = cfg.facet_pattern(k), []
            for w in widths:
                signs.append(tuple(flat[:w]))
                flat = flat[w:]
            labels.add(("A", k, neuron, cfg.facet_deltas[k], tuple(signs[: neuron[0] - 1])))
            labels.add(("M", k, neuron, tuple(signs[neuron[0] :])))
        labels |= {("G", k) for k in first.values()}
        labels |= {("R", region, tuple(p)) for region, p in cfg.side_patterns}
        groups = _label_equations(cfg, sorted(labels, key=str))
        assert groups is not None
        assert {e for g in groups for e in g} == whole
        assert _label_equations(cfg, [("R", 0, (0,) * sum(widths))]) is None  # not one of its labels


@pytest.mark.timeout(120)
def test_cores_never_cover_a_point_of_the_configuration():
    # a configuration with a certified core: the solver finds no point on its variety (it proves
    # it empty or leaves it unresolved), and the network's own point is never in it
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=3)
    en = rg.fiber_configurations(net, (2, 3, 2, 1))
    n_cores = 0
    for cfg in en.configurations[:40]:
        cert = rg.emptiness_certificate(cfg, core=True)
        if cert is None:
            continue
        n_cores += 1
        assert rg.check_emptiness_certificate(cfg, cert) and _subsystem(cfg, cert.core)
        sol = rg.solve_configuration(cfg)
        assert sol.status in ("empty", "unresolved")
        var = rg.configuration_variety(cfg)
        assert all(var.point_of(eta) is None for eta in sol.networks)
    assert n_cores > 0
    for cfg in rg.fiber_configurations(net, net.architecture).configurations:
        var = rg.configuration_variety(cfg)
        point = var.point_of(net)
        if point is not None and tuple(int(point[d]) for d in var.deltas) == cfg.facet_deltas:
            assert rg.emptiness_certificate(cfg, core=True) is None


def test_cores_cut_exactly_the_configurations_that_contain_them():
    # with a certified core known from the start, the enumeration visits exactly the configurations
    # the core's certificate does not cover (checked one by one on the built configurations)
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=3)
    data = function_data(net)
    arch = (2, 3, 2, 1)
    every = rg.fiber_configurations(data, arch).configurations
    certs = [c for c in map(lambda cfg: rg.emptiness_certificate(cfg, core=True), every[:30]) if c is not None]
    assert len(certs) >= 2
    for cert in certs[:3]:

        class Visitor:
            cores = [(frozenset(cert.core), cert)]
            seen: list = []

            @staticmethod
            def visit(cfg):
                Visitor.seen.append(cfg)

        en, _ = _enumerate(data, arch, 10**6, 64, visitor=Visitor)
        keep = [c for c in every if not rg.check_emptiness_certificate(c, cert)]
        assert sorted(map(repr, Visitor.seen)) == sorted(map(repr, keep))
        assert en.pruned.get(CUT, 0) == len(every) - len(keep) > 0


def test_deep_fiber_keeps_the_core_certificates():
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=0)
    fib = rg.deep_fiber(net, cores=True)
    assert fib.cores and fib.enumeration.configurations == ()
    for cfg, cert in fib.cores:
        assert cert.core and rg.check_emptiness_certificate(cfg, cert)
    assert fib.empty_reasons.get(CUT, 0) == fib.enumeration.pruned.get(CUT, 0) > 0
    assert json.loads(json.dumps(fib.to_dict()))["cores"][0]["certificate"]["core"]


def _kinds(fib):
    return sorted(p.kind for p in fib.pieces if p.kind != "empty")


def _n_configurations(fib):
    # pieces of kind "empty" are counted in n_empty too
    return fib.n_empty + len(_kinds(fib))


def _would_be_identifiable(fib):
    return (
        fib.status == "complete"
        and all(p.kind in ("orbit", "empty") for p in fib.pieces)
        and any(p.kind == "orbit" for p in fib.pieces)
    )


@pytest.mark.timeout(600)
@pytest.mark.parametrize("arch, n_seeds", [([2, 2, 2, 1], 6), ([2, 3, 2, 1], 4)])
def test_verdicts_with_and_without_cores_agree(arch, n_seeds):
    for seed in range(n_seeds):
        net = rg.ReLUNetwork.random(arch, seed=seed)
        plain = rg.deep_fiber(net, cores=False)
        shared = rg.deep_fiber(net, cores=True)
        assert shared.status == plain.status, seed
        assert _kinds(shared) == _kinds(plain), seed
        assert _n_configurations(shared) == _n_configurations(plain), seed
        assert _would_be_identifiable(shared) == _would_be_identifiable(plain), seed
        if rg.is_identifiable(net).verdict == "not identifiable":
            assert not _would_be_identifiable(shared)


@pytest.mark.parametrize("net", [rg.zoo.dead_neuron(), rg.zoo.duplicate_neurons(), rg.zoo.minimal_redundant()])
def test_hidden_symmetry_never_comes_out_identifiable(net):
    # each has an equivalent network outside its orbit (planted); with the cores it is never identifiable
    assert any(rg.same_up_to_symmetry(net, h.network) is None for h in rg.hidden_symmetries(net))
    fib = rg.deep_fiber(net, cores=True)
    assert not _would_be_identifiable(fib)


def test_cores_argument_is_checked():
    with pytest.raises(rg.InvalidInputError, match="cores"):
        rg.deep_fiber(SUM, cores="yes")
