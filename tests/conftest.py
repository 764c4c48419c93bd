"""Shared test set-up: hypothesis profiles, the strategies (from relu_geom.testing.strategies) and
the audit of every complex a test builds."""

from __future__ import annotations

import functools
import os

import pytest
from hypothesis import HealthCheck, Phase, settings

from relu_geom.compiler.audit import check_complex
from relu_geom.compiler.complex import PolyhedralComplex
from relu_geom.testing.strategies import networks, small_rationals

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow "explain"
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

__all__ = ["networks", "small_rationals"]  # imported by test modules from here

# Every complex a test builds passes the independent invariant checks of
# relu_geom.compiler.audit.check_complex when the test ends (tests that build
# broken complexes on purpose, or very many, opt out with the marker below).
CHECK_COMPLEX_MAX_CELLS = 3000


@pytest.fixture(autouse=True)
def _every_complex_is_checked(request, monkeypatch):
    if request.node.get_closest_marker("no_check_complex"):
        yield
        return
    built: list[PolyhedralComplex] = []
    original = PolyhedralComplex._from_records.__func__

    @functools.wraps(original)  # pickled by name, like the original
    def recording(cls, *args, **kwargs):
        cx = original(cls, *args, **kwargs)
        built.append(cx)
        return cx

    monkeypatch.setattr(PolyhedralComplex, "_from_records", classmethod(recording))
    yield
    monkeypatch.undo()
    for cx in built:
        if len(cx.cells) <= CHECK_COMPLEX_MAX_CELLS:
            check_complex(cx)
