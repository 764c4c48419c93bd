"""Reading a hostile certificate: bounded JSON parsing and exact rational decoding.

The certificate is attacker input.  This module bounds the file size, parses JSON of any
nesting depth without recursion (the C parser is tried first; a nesting too deep for it
falls back to an iterative parser), refuses duplicate keys, marks JSON floats and
over-long integers instead of converting them, and decodes rationals with a bound on
their length.  Python's limit on int/str conversions (4300 digits) is sidestepped by
exact divide-and-conquer conversions, so the digit bound here is the only one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from fractions import Fraction
from json.decoder import scanstring  # type: ignore[attr-defined]  # public in json.decoder, absent from typeshed
from pathlib import Path
from typing import Any

from relu_geom.errors import FileFormatError, LimitExceededError

__all__ = [
    "MAX_BYTES",
    "MAX_DIGITS",
    "Invalid",
    "JsonPath",
    "JsonFloat",
    "JsonBigInt",
    "digits_to_int",
    "int_to_digits",
    "load_certificate",
    "parse_rational",
]

MAX_BYTES = 1 << 30
"""Largest certificate read (1 GiB)."""

MAX_DIGITS = 100_000
"""Largest number of decimal digits of a numerator, denominator or decimal literal."""

_SAFE_DIGITS = 4000  # below Python's default int-string limit of 4300


JsonPath = str | tuple
"""A JSON path: a string, or a linked pair ``(parent, suffix)``."""


class Invalid(Exception):
    """A certificate fails a check: ``path`` names the JSON element, ``reason`` says why.

    ``path`` may be given as a linked pair ``(parent, suffix)`` (proof trees build their
    paths this way, so that a path is spelled out only when a check fails).
    """

    def __init__(self, path: JsonPath, reason: str):
        path = render_path(path)
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def render_path(path: JsonPath) -> str:
    """Spell out a linked path ``(((root, s1), s2), s3)`` as ``root + s1 + s2 + s3``."""
    parts = []
    while isinstance(path, tuple):
        path, suffix = path
        parts.append(suffix)
    parts.append(path)
    return "".join(reversed(parts))


class JsonFloat(str):
    """A JSON number with a fraction or exponent part (refused in certificates), as written."""

    __slots__ = ()


class JsonBigInt(str):
    """A JSON integer with more digits than ``int()`` converts by default, as written."""

    __slots__ = ()


def digits_to_int(text: str) -> int:
    """The integer denoted by a string of decimal digits (any length), exactly."""
    if len(text) <= _SAFE_DIGITS:
        return int(text)
    half = len(text) // 2
    return digits_to_int(text[:half]) * 10 ** (len(text) - half) + digits_to_int(text[half:])


def int_to_digits(n: int) -> str:
    """The decimal digits of an integer (any size), exactly; a leading ``-`` if negative."""
    if n < 0:
        return "-" + int_to_digits(-n)
    if n.bit_length() <= 3 * _SAFE_DIGITS:
        return str(n)
    k = int(n.bit_length() * 0.30103) // 2  # about half of the digits
    high, low = divmod(n, 10**k)
    return int_to_digits(high) + int_to_digits(low).rjust(k, "0")


def _parse_int(text: str) -> int | JsonBigInt:
    return JsonBigInt(text) if len(text) > _SAFE_DIGITS else int(text)


class _Refused(Exception):
    pass


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {key!r} in an object")
        out[key] = value
    return out


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?")


def _skip_ws(text: str, pos: int) -> int:
    """The position after the white space starting at ``pos``."""
    m = _WS.match(text, pos)
    assert m is not None  # the pattern matches the empty string
    return m.end()


def _iterative_loads(text: str) -> Any:
    """JSON without recursion (same results as :func:`json.loads` with our hooks)."""
    stack: list[tuple[Any, str | None]] = []  # (container, pending key of an object)
    pos = _skip_ws(text, 0)
    result: Any = None
    done = False
    while True:
        if pos >= len(text):
            raise _Refused("unexpected end of the text")
        ch = text[pos]
        value: Any
        opened = False
        if ch == "{" or ch == "[":
            container: Any = {} if ch == "{" else []
            stack.append((container, None))
            pos = _skip_ws(text, pos + 1)
            close = "}" if ch == "{" else "]"
            if text.startswith(close, pos):
                stack.pop()
                value, pos = container, pos + 1
            else:
                if ch == "{":
                    if not text.startswith('"', pos):
                        raise _Refused(f"expected a key at character {pos}")
                    key, pos = scanstring(text, pos + 1)
                    pos = _skip_ws(text, pos)
                    if not text.startswith(":", pos):
                        raise _Refused(f"expected ':' at character {pos}")
                    pos = _skip_ws(text, pos + 1)
                    stack[-1] = (container, key)
                opened = True
        elif ch == '"':
            value, pos = scanstring(text, pos + 1)
        elif text.startswith("true", pos):
            value, pos = True, pos + 4
        elif text.startswith("false", pos):
            value, pos = False, pos + 5
        elif text.startswith("null", pos):
            value, pos = None, pos + 4
        else:
            m = _NUMBER.match(text, pos)
            if m is None or m.end() == pos:
                raise _Refused(f"unexpected character {ch!r} at character {pos}")
            value = JsonFloat(m.group()) if m.group(2) or m.group(3) else _parse_int(m.group())
            pos = m.end()
        if opened:
            continue
        # attach value, then close as many containers as the text closes
        while True:
            if not stack:
                result, done = value, True
                break
            container, key = stack[-1]
            if isinstance(container, dict):
                if key in container:
                    raise _Refused(f"duplicate key {key!r} in an object")
                container[key] = value
            else:
                container.append(value)
            pos = _skip_ws(text, pos)
            if text.startswith(",", pos):
                pos = _skip_ws(text, pos + 1)
                if isinstance(container, dict):
                    if not text.startswith('"', pos):
                        raise _Refused(f"expected a key at character {pos}")
                    key, pos = scanstring(text, pos + 1)
                    pos = _skip_ws(text, pos)
                    if not text.startswith(":", pos):
                        raise _Refused(f"expected ':' at character {pos}")
                    pos = _skip_ws(text, pos + 1)
                    stack[-1] = (container, key)
                break
            close = "}" if isinstance(container, dict) else "]"
            if not text.startswith(close, pos):
                raise _Refused(f"expected ',' or {close!r} at character {pos}")
            stack.pop()
            value, pos = container, pos + 1
        if done:
            break
    if _skip_ws(text, pos) != len(text):
        raise _Refused(f"extra data at character {pos}")
    return result


def _loads(text: str, src: str) -> Any:
    try:
        try:
            return json.loads(
                text,
                parse_float=JsonFloat,
                parse_int=_parse_int,
                parse_constant=_constant,
                object_pairs_hook=_pairs,
            )
        except RecursionError:
            return _iterative_loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{src}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except (_Refused, ValueError) as exc:
        raise FileFormatError(f"{src}: not JSON ({exc})") from None


def load_certificate(cert: object) -> tuple[Any, str]:
    """The parsed certificate and a name for messages, from a dict, a JSON text or a path.

    The text is read as hostile input (module documentation): any nesting depth (without
    recursion), duplicate keys refused, JSON floats and over-long integers marked
    (:class:`JsonFloat`, :class:`JsonBigInt`) instead of converted.

    Raises
    ------
    FileFormatError
        A missing or unreadable file, or text that is not JSON.
    LimitExceededError
        A file or text larger than :data:`MAX_BYTES`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> cert, name = rg.verify.load_certificate('{"format": "relu-geom/certificate@1", "x": [1, 0.5]}')
    >>> cert["x"], type(cert["x"][1]).__name__, name
    ([1, '0.5'], 'JsonFloat', 'certificate text')
    """
    if isinstance(cert, dict):
        return cert, "certificate"
    if isinstance(cert, bytes):
        cert = cert.decode("utf-8", errors="replace")
    if isinstance(cert, str) and cert.lstrip().startswith("{"):
        if len(cert) > MAX_BYTES:
            raise LimitExceededError(
                f"certificate text: {len(cert)} characters, more than the limit {MAX_BYTES}"
            )
        return _loads(cert, "certificate text"), "certificate text"
    if not isinstance(cert, (str, os.PathLike)):
        raise FileFormatError(
            f"certificate: expected a dict, a JSON text or a path, got {type(cert).__name__}"
        )
    path = Path(cert)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise FileFormatError(f"{path}: not a regular file")
        if size > MAX_BYTES:
            raise LimitExceededError(f"{path}: {size} bytes, more than the limit {MAX_BYTES} (1 GiB)")
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such certificate file") from None
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise LimitExceededError(f"{path}: more than the limit of {MAX_BYTES} bytes (1 GiB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return _loads(text, str(path)), str(path)


_RATIONAL = re.compile(r"(-?)(\d+)(?:/(\d+)|\.(\d+)(?:[eE]([-+]?\d{1,7}))?|[eE]([-+]?\d{1,7}))?")


def _obj(
    value: object, path: JsonPath, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, Any]:
    """``value`` as an object with every ``required`` key and no key outside ``optional``."""
    if not isinstance(value, dict):
        raise Invalid(path, f"expected an object, got {_kind(value)}")
    for key in required:
        if key not in value:
            raise Invalid(path, f"missing key {key!r}")
    for key in value:
        if key not in required and key not in optional:
            raise Invalid(path, f"unexpected key {key!r}")
    return value


def parse_rational(value: object, path: JsonPath) -> Fraction:
    """A rational from a JSON integer or a string ``"p/q"``, ``"-p/q"``, ``"p"`` or a decimal.

    Raises :class:`Invalid` (with ``path``) for floats, booleans, other types, malformed
    strings, zero denominators and numbers longer than :data:`MAX_DIGITS` digits.
    """
    if isinstance(value, bool):
        raise Invalid(path, f"expected a rational, got the boolean {str(value).lower()}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, JsonFloat):
        raise Invalid(path, f'JSON float {value} refused: write rationals as strings such as "3/4"')
    if isinstance(value, JsonBigInt):
        value = str(value)
    elif isinstance(value, float):
        raise Invalid(path, f'float {value!r} refused: write rationals as strings such as "3/4"')
    if not isinstance(value, str):
        raise Invalid(path, f'expected a rational (integer or string "p/q"), got {_kind(value)}')
    if len(value) > 2 * MAX_DIGITS + 20:
        raise Invalid(
            path, f"rational of {len(value)} characters, more than the limit of {MAX_DIGITS} digits"
        )
    m = _RATIONAL.fullmatch(value)
    if m is None:
        raise Invalid(path, f'expected a rational such as "3/4", "-2" or "0.45", got {_short(value)!r}')
    sign, whole, den, frac, exp1, exp2 = m.groups()
    for part in (whole, den, frac):
        if part is not None and len(part) > MAX_DIGITS:
            raise Invalid(path, f"number with {len(part)} digits, more than the limit of {MAX_DIGITS}")
    exp_text = exp1 if exp1 is not None else exp2
    exp = int(exp_text) if exp_text is not None else 0
    if abs(exp) > MAX_DIGITS:
        raise Invalid(path, f"exponent {exp} beyond the limit of {MAX_DIGITS}")
    if den is not None:
        q = digits_to_int(den)
        if q == 0:
            raise Invalid(path, f"zero denominator in {_short(value)!r}")
        out = Fraction(digits_to_int(whole), q)
    elif frac is not None:
        out = Fraction(digits_to_int(whole + frac), 10 ** len(frac))
    else:
        out = Fraction(digits_to_int(whole))
    if exp:
        out = out * 10**exp if exp > 0 else out / 10 ** (-exp)
    return -out if sign else out


def canonical_rational(value: Fraction) -> str:
    """``"p/q"`` in lowest terms, or ``"p"`` for an integer (the form hashed in certificates)."""
    if value.denominator == 1:
        return int_to_digits(value.numerator)
    return f"{int_to_digits(value.numerator)}/{int_to_digits(value.denominator)}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {_short(value)!r}"
    return type(value).__name__
