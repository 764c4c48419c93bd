"""Rewrite the module table of docs/architecture.md from the first paragraph of each module's docstring.

Run: ``python scripts/make_architecture.py`` (from the repository root). The text above the
table (the layer drawing and the rules) is kept as it is.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
MARK = "| module | owns |\n|---|---|\n"


def first_line(path: pathlib.Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(doc.strip().split("\n\n")[0].split())  # the first paragraph, on one line


def table() -> str:
    rows = [
        f"| `{p.relative_to(ROOT).as_posix()}` | {first_line(p).replace('|', '/')} |"
        for p in sorted((ROOT / "relu_geom").rglob("*.py"))
    ]
    return MARK + "\n".join(rows) + "\n"


def main() -> None:
    text = DOC.read_text()
    head = text[: text.index(MARK)]
    DOC.write_text(head + table())


if __name__ == "__main__":
    main()
