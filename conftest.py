"""Doctests of modules built on optional dependencies skip, with the reason, when the
dependency is not installed (the ``test`` extra installs them all)."""

from __future__ import annotations

import importlib
from functools import cache

import pytest

OPTIONAL = {
    "relu_geom.io.torch_format": "torch",
    "relu_geom.io.onnx_format": "onnx",
    "relu_geom.plotting.interactive": "plotly",
    "relu_geom.testing.strategies": "hypothesis",
}


@cache
def _installed(dependency: str) -> bool:
    try:
        importlib.import_module(dependency)
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not isinstance(item, pytest.DoctestItem):
            continue
        for module, dependency in OPTIONAL.items():
            if item.name.startswith(module + ".") and not _installed(dependency):
                item.add_marker(pytest.mark.skip(reason=f"{module} needs the optional package {dependency}"))
