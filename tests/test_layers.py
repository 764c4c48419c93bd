"""Layers point down: a module imports (at module level) only modules of its own or lower layers.

arithmetic -> geometry, network -> compiler -> analyses -> edges (io, plotting, CLI).
Imports inside functions (lazy, for optional dependencies or named constructors such as
``ReLUNetwork.from_json``) are allowed and not checked here.
"""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "relu_geom"

LAYERS = {
    "errors": 0,
    "_util": 0,
    "arith": 1,
    "network": 2,
    "geometry": 2,
    "combinatorics": 2,
    "compiler": 3,
    "testing": 4,
    "breakpoints": 4,
    "tropical": 4,
    "bent_hyperplanes": 4,
    "equivalence": 4,
    "fibers": 4,
    "visibility": 4,
    "symmetry": 4,
    "identifiability": 4,
    "genericity": 4,
    "io": 5,
    "zoo": 5,
    "plotting": 5,
    "commands": 6,
    "cli": 6,
    "__init__": 7,
    "__main__": 7,
}


def _layer(module: str) -> int:
    top = module.split(".")[1] if module.startswith("relu_geom.") else "__init__"
    assert top in LAYERS, f"module relu_geom.{top} has no layer: add it to LAYERS in tests/test_layers.py"
    return LAYERS[top]


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(rel.parts)


def test_every_module_imports_only_lower_or_equal_layers():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        if name.endswith(".__init__") and name != "relu_geom.__init__":
            name = name[: -len(".__init__")]
        own = _layer(name if name != "relu_geom.__init__" else "relu_geom")
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level only
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("relu_geom"):
                targets = (
                    [node.module]
                    if node.module != "relu_geom"
                    else [f"relu_geom.{a.name}" for a in node.names]
                )
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("relu_geom")]
            for t in targets:
                if t != "relu_geom" and _layer(t) > own:
                    problems.append(f"{name} (layer {own}) imports {t} (layer {_layer(t)})")
    assert not problems, "\n".join(problems)


def test_matplotlib_is_not_imported_by_the_package():
    import subprocess
    import sys

    code = "import relu_geom, sys; import relu_geom.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
