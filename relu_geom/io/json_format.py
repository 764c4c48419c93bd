"""The exact JSON network format ``relu-geom/network@1`` and exact JSON number reading.

JSON numbers are read exactly: an integer literal is that integer; a literal with
a fraction part or an exponent denotes a float (as in every JSON library), and is
read as the exact binary value of that float.  A literal that denotes no finite
float (``1e400``), or that underflows to zero (``1e-400``) or to a subnormal float
it does not spell, is refused: write such a number as a string (``"1e-400"``,
``"p/q"``), which is read as an exact decimal or rational.  A literal *spells* a
subnormal float when it is that float correctly rounded to as many significant
digits as the literal has (``5e-324`` and ``4.9406564584124654e-324`` spell
``2**-1074``, as Python and C write it; ``1.23456789e-320`` spells no float).

Numbers too long for decimal text are written in hexadecimal.  A decimal number
string holds at most :data:`~relu_geom.arith.rational.MAX_DIGITS` (4300) digits,
Python's own bound for int/str conversions, whose cost grows with the square of
the length.  A weight or bias with more digits (numerator and denominator
together) is written as the string ``"0x<hex>"`` or ``"0x<hex>/0x<hex>"`` (with a
leading ``-`` when negative), read back exactly in time linear in its length;
each hexadecimal part has at most :data:`MAX_HEX_DIGITS` digits, on writing
(LimitExceededError) as on reading (FileFormatError).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.rational import MAX_DIGITS, format_rational
from relu_geom.errors import FileFormatError, InvalidInputError, LimitExceededError
from relu_geom.files import write_text_atomic
from relu_geom.io._common import PathLike, check_network, existing_file, reading
from relu_geom.network import FORMAT, MAX_PARAMETERS, ReLUNetwork

__all__ = [
    "MAX_HEX_DIGITS",
    "MAX_JSON_NUMBERS",
    "network_from_dict",
    "network_from_json",
    "network_to_dict",
    "network_to_json",
    "parse_json",
]

MAX_JSON_NUMBERS = MAX_PARAMETERS + 10_000
"""The most numbers one JSON text may hold (a network's parameters and its architecture)."""

MAX_HEX_DIGITS = 1 << 16
"""The most hexadecimal digits of one part of a ``"0x..."`` number (262,144 bits, about 78,900
decimal digits)."""

_NONZERO_MANTISSA = re.compile(r"-?0*\.?0*[1-9]")
_HEX_NUMBER = re.compile(r"(-?)0x([0-9a-f]+)(?:/0x([0-9a-f]+))?")
_DECIMAL_BOUND = 10**MAX_DIGITS


def _decimal_digits(n: int) -> int:
    """The number of decimal digits of ``|n|``, or ``MAX_DIGITS + 1`` when it has more."""
    n = abs(n)
    if n >= _DECIMAL_BOUND:
        return MAX_DIGITS + 1
    try:
        return len(str(n))
    except ValueError:  # the user lowered sys.set_int_max_str_digits below MAX_DIGITS
        return MAX_DIGITS + 1


def _hex_part(n: int) -> str:
    text = format(n, "x")
    if len(text) > MAX_HEX_DIGITS:
        raise LimitExceededError(
            f"a weight of {n.bit_length()} bits, more than the {4 * MAX_HEX_DIGITS} bits a JSON file may hold"
        )
    return "0x" + text


def json_number(value: Fraction) -> int | str:
    """The JSON form of an exact rational: an int or ``"p/q"`` (as :meth:`ReLUNetwork.to_dict`)
    while it has at most MAX_DIGITS decimal digits, else ``"0x<hex>/0x<hex>"``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction
    >>> from relu_geom.io.json_format import json_number
    >>> json_number(Fraction(-3, 4)), json_number(Fraction(2**15000))[:5], json_number(Fraction(-1, 3**10000))[:8]
    ('-3/4', '0x100', '-0x1/0x3')
    """
    p, q = value.numerator, value.denominator
    if _decimal_digits(p) + (0 if q == 1 else _decimal_digits(q)) <= MAX_DIGITS:
        return format_rational(value)
    sign = "-" if p < 0 else ""
    return sign + _hex_part(abs(p)) + ("" if q == 1 else "/" + _hex_part(q))


def _from_json_number(value: Any, what: str) -> Any:
    """A ``"0x..."`` string as its exact Fraction; any other value unchanged."""
    if not (isinstance(value, str) and value.lstrip("-").startswith("0x")):
        return value
    match = _HEX_NUMBER.fullmatch(value) if len(value) <= 2 * MAX_HEX_DIGITS + 10 else None
    if match is None or any(part and len(part) > MAX_HEX_DIGITS for part in match.groups()[1:]):
        raise InvalidInputError(
            f"{what}: expected a number such as '3/4' or '0x1f/0x3' (at most {MAX_HEX_DIGITS} "
            f"hexadecimal digits a part), got the string {short_repr(value)}"
        )
    sign, p, q = match.groups()
    den = 1 if q is None else int(q, 16)
    if den == 0:
        raise InvalidInputError(f"{what}: the number {short_repr(value)} has a zero denominator")
    return Fraction(int(sign + p, 16), den)


def _decode_entries(obj: Any) -> Any:
    """``obj`` with its ``"0x..."`` weights and biases read (all else is left to from_dict)."""
    if not isinstance(obj, Mapping):
        return obj

    def nested(v: Any, depth: int, what: str) -> Any:
        if not isinstance(v, list):
            return v if depth else _from_json_number(v, what)
        return [nested(x, depth - 1, f"{what}[{i}]") for i, x in enumerate(v)] if depth else v

    out = dict(obj)
    for key, depth in (("weights", 3), ("biases", 2)):
        if key in out:
            out[key] = nested(out[key], depth, key)
    return out


class _JSONContentError(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _JSONContentError(f"{name} is not a finite number (NaN and infinities are rejected)")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONContentError(f"duplicate field {short_repr(key)} in a JSON object")
        out[key] = value
    return out


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise _JSONContentError(
            f"an integer of {len(literal.lstrip('-'))} digits, more than the limit of {MAX_DIGITS}"
        )
    return int(literal)


def _parse_float(literal: str) -> Fraction:
    """The exact binary value of the float a JSON number literal denotes, or an error."""
    hint = 'write it as a string such as "p/q" or a decimal string to keep it exact'
    if len(literal) > MAX_DIGITS:
        raise _JSONContentError(f"a number of {len(literal)} characters, more than the limit of {MAX_DIGITS}")
    value = float(literal)
    if not math.isfinite(value):
        raise _JSONContentError(f"the number {literal:.80} is beyond the range of floats; {hint}")
    if abs(value) < sys.float_info.min and _NONZERO_MANTISSA.match(literal):
        # a zero or a subnormal: fewer significant bits than the literal may state
        mantissa = re.split("[eE]", literal)[0]
        k = len(mantissa.replace(".", "").lstrip("-").lstrip("0"))
        if value == 0 or Fraction(format(value, f".{k - 1}e")) != Fraction(literal):
            raise _JSONContentError(f"the number {literal:.80} underflows to the float {value!r}; {hint}")
    return Fraction(value)


def parse_json(text: str, src: str) -> Any:
    """Parse JSON text with exact numbers (see the module docstring), naming ``src`` in errors.

    Objects with duplicate keys, NaN and infinities are refused, and a text may
    hold at most :data:`MAX_JSON_NUMBERS` numbers (LimitExceededError).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io.json_format import parse_json
    >>> parse_json('[1, 0.5, 0.1, "1/10"]', "text")
    [1, Fraction(1, 2), Fraction(3602879701896397, 36028797018963968), '1/10']
    >>> parse_json("[1e-400]", "text")
    Traceback (most recent call last):
    ...
    relu_geom.errors.FileFormatError: text: invalid JSON: the number 1e-400 underflows to the float 0.0; write it as a string such as "p/q" or a decimal string to keep it exact
    """
    count = 0

    def counted(parse: Any) -> Any:
        def hook(literal: str) -> Any:
            nonlocal count
            count += 1
            if count > MAX_JSON_NUMBERS:
                raise LimitExceededError(f"{src}: more than {MAX_JSON_NUMBERS} numbers in one JSON text")
            return parse(literal)

        return hook

    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=counted(_parse_float),
            parse_int=counted(_parse_int),
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{src}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _JSONContentError as exc:
        raise FileFormatError(f"{src}: invalid JSON: {exc}") from None
    except RecursionError:
        raise FileFormatError(f"{src}: invalid JSON: nested too deeply") from None


def read_json_file(path: object, what: str) -> tuple[Any, str]:
    """The parsed content of a JSON file (checked with os.stat first) and its name for errors."""
    p = existing_file(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{p}: not UTF-8 text (byte {exc.start}), expected a JSON {what}") from None
    return parse_json(text, str(p)), str(p)


def network_from_dict(obj: Mapping[str, Any]) -> ReLUNetwork:
    """A network from its JSON object (already parsed); same as :meth:`ReLUNetwork.from_dict`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_from_dict
    >>> net = network_from_dict({"weights": [[[1, -1]], [["1/2"]]], "biases": [[0], [0.25]]})
    >>> net.architecture, net([3, 1])
    ((2, 1, 1), (Fraction(5, 4),))
    >>> network_from_dict(net.to_dict()) == net
    True
    """
    return ReLUNetwork.from_dict(_decode_entries(obj))


def network_to_dict(net: ReLUNetwork) -> dict[str, Any]:
    """The versioned exact JSON object of a network (same as ``net.to_dict()``).

    Integers are stored as JSON integers, other rationals as strings ``"p/q"``; a number
    with more than MAX_DIGITS decimal digits as a hexadecimal string (see the module docstring).

    Raises
    ------
    LimitExceededError
        For a weight or bias whose numerator or denominator has more than
        :data:`MAX_HEX_DIGITS` hexadecimal digits.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_to_dict
    >>> network_to_dict(rg.ReLUNetwork([[[1, "1/3"]], [[2]]], [[0], ["-1/2"]]))
    {'format': 'relu-geom/network@1', 'architecture': [2, 1, 1], 'weights': [[[1, '1/3']], [[2]]], 'biases': [[0], ['-1/2']]}
    """
    net = check_network(net)
    return {
        "format": FORMAT,
        "architecture": list(net.architecture),
        "weights": [[[json_number(v) for v in row] for row in w] for w in net.weights],
        "biases": [[json_number(v) for v in b] for b in net.biases],
    }


def _json_dumps(obj: Mapping[str, Any]) -> str:
    """Deterministic, readable JSON: one matrix row or one bias vector per line."""

    def row(values: Sequence[Any]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    lines = ["{"]
    lines.append(f'  "format": {json.dumps(obj["format"])},')
    lines.append(f'  "architecture": {row(obj["architecture"])},')
    lines.append('  "weights": [')
    for k, w in enumerate(obj["weights"]):
        lines.append("    [")
        lines.extend(f"      {row(r)}" + ("," if i < len(w) - 1 else "") for i, r in enumerate(w))
        lines.append("    ]" + ("," if k < len(obj["weights"]) - 1 else ""))
    lines.append("  ],")
    lines.append('  "biases": [')
    lines.extend(
        f"    {row(b)}" + ("," if k < len(obj["biases"]) - 1 else "") for k, b in enumerate(obj["biases"])
    )
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def network_to_json(net: ReLUNetwork, path: PathLike | None = None) -> str:
    """The versioned exact JSON text of a network; also written to ``path`` if given.

    The text is deterministic (fixed field order, one matrix row per line) and
    ends with a newline.  Writing is atomic: a temporary file in the same
    directory replaces ``path`` only once it is complete.

    Parameters
    ----------
    net
        The network.
    path
        Optional file to write (str or :class:`pathlib.Path`).

    Returns
    -------
    str
        The JSON text (also when it is written to a file).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_to_json
    >>> print(network_to_json(rg.ReLUNetwork([[[1, -1], [0, "1/2"]], [[1, 1]]], [[0, 1], ["-3/4"]])))
    {
      "format": "relu-geom/network@1",
      "architecture": [2, 2, 1],
      "weights": [
        [
          [1, -1],
          [0, "1/2"]
        ],
        [
          [1, 1]
        ]
      ],
      "biases": [
        [0, 1],
        ["-3/4"]
      ]
    }
    <BLANKLINE>
    """
    text = _json_dumps(network_to_dict(net))
    if path is not None:
        write_text_atomic(path, text)
    return text


def network_from_json_file(path: PathLike) -> ReLUNetwork:
    """A network from a JSON file (the reader behind :func:`network_from_json` for paths)."""
    obj, src = read_json_file(path, "network file")
    with reading(src):
        if not isinstance(obj, dict):
            raise FileFormatError(
                f"expected a JSON object with fields 'weights' and 'biases', got {type(obj).__name__}"
            )
        return network_from_dict(obj)


def network_from_json(source: PathLike) -> ReLUNetwork:
    """A network from a JSON file or a JSON text.

    Parameters
    ----------
    source
        A path (str or :class:`pathlib.Path`) or the JSON text itself (a str
        whose first non-blank character is ``{``).  The JSON object is read by
        :meth:`ReLUNetwork.from_dict`; JSON numbers are read exactly (see the
        module docstring), NaN and infinities are rejected.

    Returns
    -------
    ReLUNetwork

    Raises
    ------
    FileFormatError
        For a missing, unreadable or non-regular file, invalid JSON (with line
        and column), a number that is no finite float or underflows, or invalid
        content of a file (naming the file and the field).
    InvalidInputError, UnsupportedInputError
        For invalid content of a JSON text, as in :meth:`ReLUNetwork.from_dict`.
    LimitExceededError
        For a file larger than :data:`relu_geom.io.MAX_FILE_BYTES`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_from_json, network_to_json
    >>> net = network_from_json('{"weights": [[[2, 1]], [[1]]], "biases": [["1/2"], [0]]}')
    >>> net([1, 1])
    (Fraction(7, 2),)
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "net.json"
    ...     _ = network_to_json(net, path)
    ...     network_from_json(path) == net
    True
    """
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return network_from_dict(parse_json(source, "JSON text"))
    return network_from_json_file(source)
