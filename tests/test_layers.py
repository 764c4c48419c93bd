"""Layers point down, and no module imports in a cycle (module-level and lazy imports alike).

errors -> arith -> network, geometry -> io -> compiler -> analyses -> certify -> search ->
edges (plotting, CLI). The certificate checker ``verify`` may import only ``network``,
``arith`` and ``errors``: it must share no code with the code that writes certificates.
docs/architecture.md draws the same table.
"""

from __future__ import annotations

import ast
import pathlib

import networkx as nx

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "relu_geom"

LAYERS = {
    "errors": 0,
    "_util": 0,
    "_compat": 0,
    "_version": 0,
    "_startup": 0,
    "files": 0,
    "arith": 1,
    "network": 2,
    "geometry": 2,
    "io": 3,
    "verify": 3,
    "zoo": 3,
    "compiler": 4,
    "testing": 5,
    "analyses": 5,
    "certify": 6,
    "search": 7,
    "plotting": 8,
    "commands": 9,
    "cli": 9,
    "__init__": 10,
    "__main__": 10,
}

ONLY = {"verify": {"verify", "network", "arith", "errors"}}
"""Packages that may import only the listed top-level parts."""

ALLOWED: set[tuple[str, str]] = {
    # the deprecated standard_form alias (one release) calls the normal form it wraps, on use only
    ("relu_geom._compat", "relu_geom.network.symmetry"),
}
"""Exceptions to the rules above, each with its reason."""


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    name = ".".join(rel.parts)
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _top(module: str) -> str:
    return module.split(".")[1] if module != "relu_geom" else "__init__"


def _imports(module: str) -> set[str]:
    """Every relu_geom module ``module`` imports, at module level or inside functions."""
    tree = ast.parse(MODULES[module].read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("relu_geom"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("relu_geom"):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in MODULES else node.module)
    return out


def test_every_module_has_a_layer():
    missing = sorted({_top(m) for m in MODULES} - set(LAYERS))
    assert not missing, f"add these parts of relu_geom to LAYERS in tests/test_layers.py: {missing}"


def test_every_import_points_down():
    problems = []
    for module in MODULES:
        own = _top(module)
        for target in _imports(module):
            if (module, target) in ALLOWED:
                continue
            top = _top(target)
            if own in ONLY and top not in ONLY[own]:
                problems.append(f"{module} may not import {target}")
            elif LAYERS[top] > LAYERS[own]:
                problems.append(f"{module} (layer {LAYERS[own]}) imports {target} (layer {LAYERS[top]})")
    assert not problems, "\n".join(problems)


def test_no_import_cycles():
    graph = nx.DiGraph()
    for module in MODULES:
        graph.add_edges_from((module, t) for t in _imports(module) if (module, t) not in ALLOWED)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles[:10])


def test_matplotlib_is_not_imported_by_the_package():
    import subprocess
    import sys

    code = "import relu_geom, sys; import relu_geom.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
