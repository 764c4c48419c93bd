"""Sample files: finite sets of input points, read exactly (CSV or JSON).

CSV: one point per line, entries separated by commas or spaces, ``#`` starts a
comment; entries are read exactly from their text, so ``0.1`` is 1/10 and ``1/3``
is allowed.  JSON: a list of points, or ``{"points": [...]}``; JSON numbers are
read as in network files (a number with a fraction part or an exponent denotes a
float and is read as the exact binary value of that float; write ``"1/10"`` as a
string for the decimal).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from relu_geom.arith.rational import to_rational
from relu_geom.errors import FileFormatError
from relu_geom.io._common import PathLike, existing_file
from relu_geom.io.json_format import parse_json

__all__ = ["read_sample"]


def _json_points(data: Any, src: str) -> list[tuple[Fraction, ...]]:
    if isinstance(data, dict):
        if set(data) != {"points"}:
            raise FileFormatError(f"{src}: expected a list of points or an object with only 'points'")
        data = data["points"]
    if not isinstance(data, list) or not all(isinstance(p, list) for p in data):
        raise FileFormatError(f"{src}: expected a list of points (lists of numbers)")
    return [
        tuple(to_rational(v, what=f"{src}: point {i} entry {j}") for j, v in enumerate(p))
        for i, p in enumerate(data)
    ]


def _csv_points(text: str, src: str) -> list[tuple[Fraction, ...]]:
    points = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            fields = line.replace(",", " ").split()
            points.append(
                tuple(to_rational(f, what=f"{src}: line {lineno} entry {j}") for j, f in enumerate(fields))
            )
    return points


def read_sample(path: PathLike) -> list[tuple[Fraction, ...]]:
    """The points of a CSV or JSON sample file, exactly (see the module docstring).

    A file whose name ends with ``.json`` or whose text starts with ``[`` or ``{``
    is JSON, anything else CSV.  The points are not checked against a network
    here (their dimension is checked by the analysis that uses them).

    Raises
    ------
    FileFormatError
        For a missing, unreadable or non-regular file, invalid JSON or entries.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom.io import read_sample
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "x.csv")
    ...     _ = open(path, "w").write("0.1, 1/3  # a comment\\n-2 5\\n")
    ...     read_sample(path)
    [(Fraction(1, 10), Fraction(1, 3)), (Fraction(-2, 1), Fraction(5, 1))]
    """
    p = existing_file(path)
    src = f"sample {str(p)!r}"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{src}: cannot read it as UTF-8 text ({type(exc).__name__})") from None
    try:
        if p.name.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
            return _json_points(parse_json(text, src), src)
        return _csv_points(text, src)
    except FileFormatError:
        raise
    except ValueError as exc:  # InvalidInputError from to_rational: a bad entry
        raise FileFormatError(str(exc)) from None
