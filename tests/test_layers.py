"""Layers point down, and no module imports in a cycle (module-level and lazy imports alike).

errors -> arith -> network, geometry -> io -> compiler -> analyses -> certify -> search ->
edges (plotting, CLI). The certificate checker ``verify`` may import only ``network``,
``arith`` and ``errors``: it must share no code with the code that writes certificates.
docs/architecture.md draws the same table.

Tests use the public names of relu_geom only (no private module, function or attribute),
so that they test behaviour, not implementation: ``test_tests_use_public_names_only``.
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


# ------------------------------------------------------------------ tests use public names

TESTS = PACKAGE.parent / "tests"

FOREIGN_PRIVATE = {
    "_actions": "argparse lists a parser's sub-commands and options only in ArgumentParser._actions",
    "_repr_png_": "the IPython display protocol: public by that protocol's convention",
}
"""Private-looking attributes that belong to other libraries' objects."""

PRIVATE_ALLOWED = {
    ("conftest.py", "_from_records"): (
        "the fixture that audits every complex a test builds wraps the one internal constructor "
        "all complexes pass through; a public hook would exist only for the tests"
    ),
    ("test_io.py", "_FILE_FUNCTIONS"): (
        "importing relu_geom always fills the registry of file functions; emptying it is the only "
        "way to reach the message a program gets without it"
    ),
    ("test_configurations.py", "_sign_checks"): (
        "the depth-first sign search is compared with trying every sign vector on the same "
        "compiled sign patterns, which exist only inside one enumeration"
    ),
    ("test_configurations.py", "_surviving_signs"): (
        "the brute-force reference replaces the depth-first sign search it checks"
    ),
    ("test_configurations.py", "_cut_facets"): (
        "a network the cut facets bring into the scope is checked to lie outside it with the "
        "facets left whole; the cut exists only inside function_data"
    ),
    ("test_breakpoints.py", "_pointed_polygon"): (
        "the integer hull of a non-convex merged piece is compared with cdd on hand-made rows; "
        "through the public API it is reached only on networks whose merged pieces happen to need it"
    ),
    ("test_fibers_variety.py", "_enumerate"): (
        "the configurations a core cuts are compared one by one with those its certificate covers; "
        "the enumeration's visitor hook exists only inside deep_fiber, which keeps no list of them"
    ),
    ("test_fibers_variety.py", "_label_equations"): (
        "the label groups the core check rebuilds are compared with the whole certificate system "
        "recomputed from the configuration variety; they exist only inside the check"
    ),
}
"""(test file, private name) pairs still allowed, each with its reason."""


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")  # dunders are Python protocols


def _private_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Private relu_geom names a test module imports or reaches: ``from relu_geom.x import _y``,
    ``import relu_geom._x``, attributes ``obj._y`` (not on ``self``/``cls``) and names given as
    strings to ``setattr``/``getattr``/``monkeypatch.setattr``."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("relu_geom") and any(map(_is_private, a.name.split("."))):
                    out.append((node.lineno, a.name))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("relu_geom"):
            if any(map(_is_private, node.module.split("."))):
                out.append((node.lineno, node.module))
            out.extend((node.lineno, a.name) for a in node.names if _is_private(a.name))
        elif isinstance(node, ast.Attribute) and _is_private(node.attr):
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not own and node.attr not in FOREIGN_PRIVATE:
                out.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("setattr", "getattr", "delattr", "hasattr", "setitem"):
                for arg in node.args[:2]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        parts = arg.value.split(".")
                        if any(map(_is_private, parts)) and (len(parts) == 1 or parts[0] == "relu_geom"):
                            out.append((node.lineno, parts[-1] if len(parts) == 1 else arg.value))
    return out


def test_tests_use_public_names_only():
    problems = []
    used_allowances = set()
    for path in sorted(TESTS.rglob("*.py")):
        for line, name in _private_uses(ast.parse(path.read_text())):
            key = (path.name, name.rsplit(".", 1)[-1])
            if key in PRIVATE_ALLOWED:
                used_allowances.add(key)
                continue
            problems.append(f"tests/{path.relative_to(TESTS)}:{line}: private name {name}")
    assert not problems, "test through public names (or make the helper public):\n" + "\n".join(problems)
    assert used_allowances == set(PRIVATE_ALLOWED), f"stale allowances: {set(PRIVATE_ALLOWED) - used_allowances}"


def test_the_private_name_check_catches_each_form():
    code = """
from relu_geom.io import _common
from relu_geom.x import _helper, public
import relu_geom._util
cx._hreps
self._cases
parser._actions
monkeypatch.setattr(refine, "_process_pool", spy)
monkeypatch.setattr("relu_geom.commands._common.read_network", spy)
monkeypatch.setattr(np, "savez", spy)
"""
    assert _private_uses(ast.parse(code)) == [
        (2, "_common"),
        (3, "_helper"),
        (4, "relu_geom._util"),
        (5, "_hreps"),
        (8, "_process_pool"),
        (9, "relu_geom.commands._common.read_network"),
    ]
