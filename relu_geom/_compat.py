"""Old module paths of relu_geom 0.1, kept importable for one release.

``import relu_geom.breakpoints`` (and the other paths in :data:`MOVED`) returns the module
at its new place, with a :class:`DeprecationWarning` naming it. The modules are the same
objects, so nothing is loaded twice. Names removed from a package's API
(:data:`DEPRECATED_NAMES`) stay reachable through the package's ``__getattr__`` with a
DeprecationWarning.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

__all__ = ["DEPRECATED_NAMES", "MOVED", "deprecated_name", "install"]

MOVED = {
    "relu_geom.breakpoints": "relu_geom.analyses.breakpoints.complex",
    "relu_geom.tropical": "relu_geom.analyses.breakpoints.tropical",
    "relu_geom.bent_hyperplanes": "relu_geom.analyses.breakpoints.bent_hyperplanes",
    "relu_geom.visibility": "relu_geom.analyses.breakpoints.visibility",
    "relu_geom.equivalence": "relu_geom.analyses.equivalence",
    "relu_geom.identifiability": "relu_geom.analyses.identifiability",
    "relu_geom.genericity": "relu_geom.analyses.genericity",
    "relu_geom.fibers": "relu_geom.analyses.fibers",
    "relu_geom.fibers.shallow": "relu_geom.analyses.fibers.shallow",
    "relu_geom.fibers.hidden": "relu_geom.analyses.fibers.hidden",
    "relu_geom.fibers.three_layer": "relu_geom.analyses.fibers.bottleneck",
    "relu_geom.symmetry": "relu_geom.network.symmetry",
    "relu_geom.combinatorics": "relu_geom.arith.counting",
    "relu_geom.geometry.complex": "relu_geom.compiler.complex",
    "relu_geom.geometry.linear": "relu_geom.arith.dense",
}
"""Old module path -> new module path."""


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: object, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} has moved to {new}", DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module at its new place is already loaded."""


def standard_form(net: Any, **options: Any) -> tuple[Any, ...]:
    """Deprecated: compare :func:`relu_geom.normal_form` results (``nf.weights``, ``nf.biases``) instead.

    The normal form as nested tuples ``((W_1, b_1), ...)``; ``options`` go to ``normal_form``.
    """
    warnings.warn(
        "relu_geom.analyses.fibers.standard_form is deprecated: use relu_geom.normal_form",
        DeprecationWarning,
        stacklevel=2,
    )
    from relu_geom.network.symmetry import normal_form

    nf = normal_form(net, **options)
    return tuple(zip(nf.weights, nf.biases))


DEPRECATED_NAMES: dict[str, tuple[Callable[..., Any], str]] = {
    "relu_geom.analyses.fibers.standard_form": (standard_form, "relu_geom.normal_form"),
}
"""Qualified old name -> (the object still answering to it for one release, what to use instead)."""


def deprecated_name(module: str, name: str) -> Any:
    """The deprecated ``module.name`` (with a DeprecationWarning), for a package's ``__getattr__``.

    Raises AttributeError for any other name, as a module without the name would.
    """
    try:
        obj, instead = DEPRECATED_NAMES[f"{module}.{name}"]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    warnings.warn(f"{module}.{name} is deprecated: use {instead}", DeprecationWarning, stacklevel=2)
    return obj


def install() -> None:
    """Make the old paths importable (idempotent; done when this module is imported)."""
    if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
        sys.meta_path.append(_MovedModules())


install()  # on import: relu_geom imports this module first, so old paths work during its own import
