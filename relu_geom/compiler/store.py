"""The compact complex file ``relu-geom/complex@1`` (extension ``.rgc``).

A gzip-compressed text file of lines, written and read one line at a time:

1. ``relu-geom/complex@1`` (the magic line, versioned);
2. one JSON object: the network (``relu-geom/network@1``), the domain's inequalities
   (integer rows ``a | b`` for ``a.x <= b``, or null for ``R^d``), the output scale (hex) and
   the numbers of regions and cells;
3. one line per region (depth-first order): ``pos neg n_rays n_lin`` then the
   homogenized generators, their constraint bitsets and the lineality basis;
4. one line per cell (in the complex's order): ``dim pos neg dom region raymask zmask``
   then the indices of its facets.

Every integer is written in hexadecimal (``-`` for negatives): exact, compact, and
parsed without Python's limit on decimal digits.  The integer forms of the layers on
each region are not stored: they follow from the network and the sign bits, and are
recomputed on reading, so a file cannot hold inconsistent forms.

Why this format: it is streamed (nothing is held but one line), needs no dependency,
and the integers compress well with gzip (about 10 to 40 times smaller than
``PolyhedralComplex.to_json``, which writes every cell's vertices and
inequalities as decimal fractions); a columnar format (Parquet) would need pyarrow
and does not store integers of hundreds of bits natively.

Reading treats the file as untrusted: line lengths, counts and bit widths are
bounded, indices are checked, and any violation raises :class:`FileFormatError`.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from typing import IO, Any

from relu_geom._util import short_repr
from relu_geom.compiler.forms import layer_forms
from relu_geom.errors import FileFormatError, ReluGeomError
from relu_geom.files import write_bytes_atomic
from relu_geom.geometry.polyhedron import Polyhedron

__all__ = ["FORMAT", "STREAM_FORMAT", "read_complex", "read_stream", "save_complex"]

FORMAT = "relu-geom/complex@1"
#: The streamed variant (:func:`relu_geom.compiler.stream.stream_to_file`): the header without
#: counts, then each region's line (``r ...``) followed by one line per cell it owns
#: (``c dim pos neg dom raymask zmask``), then ``end n_regions n_cells f_0 ... f_d``.
STREAM_FORMAT = "relu-geom/complex-stream@1"

#: Bounds on what a file may claim (reading is attacker input).
MAX_LINE = 1 << 28  # bytes of one decompressed line
MAX_COUNT = 1 << 32  # regions or cells
MAX_HEX_DIGITS = 1 << 16  # one integer: 262144 bits


def _hex(v: int) -> str:
    return format(v, "x")


def save_complex(cx: Any, path: str | os.PathLike[str]) -> None:
    """Write ``cx`` to ``path`` in the compact format, atomically (temporary file + rename).

    Examples
    --------
    >>> import relu_geom as rg, tempfile, os
    >>> cx = rg.compile_network(rg.zoo.demo(), domain=(-1, 1))
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.rgc")
    >>> cx.save(path)
    >>> back = rg.PolyhedralComplex.load(path)
    >>> [c.sign_key for c in back.cells] == [c.sign_key for c in cx.cells]
    True
    """
    def write(raw: IO[bytes]) -> None:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as gz:
            _write(cx, gz)

    write_bytes_atomic(path, write)


def header_lines(magic: str, net: Any, dom_rows: Any, counts: dict[str, int]) -> bytes:
    """The magic line and the JSON header line."""
    from relu_geom.io import network_to_dict

    header = {
        "network": network_to_dict(net),
        "domain": None if not dom_rows else [list(r) for r in dom_rows],
        "output_scale": _hex(net.integer_scales[-1]),
        **counts,
    }
    return f"{magic}\n{json.dumps(header, separators=(',', ':'))}\n".encode()


def region_line(reg: Any) -> str:
    """``pos neg n_rays n_lin``, the generators, their constraint bitsets, the lineality basis."""
    parts = [_hex(reg.pos), _hex(reg.neg), _hex(len(reg.rays)), _hex(len(reg.lin))]
    parts.extend(_hex(x) for r in reg.rays for x in r)
    parts.extend(map(_hex, reg.zm))
    parts.extend(_hex(x) for v in reg.lin for x in v)
    return " ".join(parts) + "\n"


def _write(cx: Any, out: gzip.GzipFile) -> None:
    counts = {"n_regions": len(cx._regions), "n_cells": len(cx._records)}
    out.write(header_lines(FORMAT, cx.network, cx._dom_rows if cx.domain is not None else None, counts))
    for reg in cx._regions:
        out.write(region_line(reg).encode())
    for (dim, (pos, neg, dom), region, raymask, zmask), faces in zip(cx._records, cx._face_lists):
        parts = [_hex(dim), _hex(pos), _hex(neg), _hex(dom), _hex(region), _hex(raymask), _hex(zmask)]
        parts.extend(map(_hex, faces))
        out.write((" ".join(parts) + "\n").encode())


def read_complex(path: str | os.PathLike[str]) -> tuple[Any, ...]:
    """The data of a complex written by :func:`save_complex` (raises :class:`FileFormatError`):
    ``(network, domain, domain rows, regions as RegionData fields, cell records, facet lists,
    output scale)``, for :meth:`PolyhedralComplex.load`."""
    return _open(path, False)


def read_stream(path: str | os.PathLike[str]) -> tuple[Any, ...]:
    """The data of a streamed file (:data:`STREAM_FORMAT`; raises :class:`FileFormatError`):
    ``(network, domain, domain rows, regions as RegionData fields, (dim, key) of each cell
    listed, trailer counts)``, for :func:`relu_geom.compiler.stream.load_stream`."""
    return _open(path, True)


def _open(path: str | os.PathLike[str], streamed: bool) -> tuple[Any, ...]:
    try:
        with gzip.open(os.fspath(path), "rb") as fh:
            return _read(fh, os.fspath(path), streamed)
    except FileFormatError:
        raise
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise FileFormatError(f"{os.fspath(path)}: not a readable {FORMAT} file ({exc})") from None


def _read(fh: gzip.GzipFile, where: str, streamed: bool) -> tuple[Any, ...]:
    lines = _lines(fh, where)

    def bad(msg: str) -> FileFormatError:
        return FileFormatError(f"{where}: {msg}")

    magic = next(lines, None)
    if magic not in (FORMAT, STREAM_FORMAT):
        raise bad(f"not a {FORMAT} file (first line)")
    text = next(lines, "")
    try:
        header = json.loads(text)
    except ValueError:
        raise bad("the header line is not JSON") from None
    if not isinstance(header, dict):
        raise bad("the header line is not a JSON object")
    from relu_geom.io import network_from_dict

    try:
        net = network_from_dict(header.get("network"))  # type: ignore[arg-type]  # checked there
    except (ReluGeomError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise bad(f"network: {exc}") from None
    d, H = net.input_dim, net.n_hidden
    if magic == FORMAT:
        n_regions, n_cells = header.get("n_regions"), header.get("n_cells")
    else:
        n_regions = n_cells = MAX_COUNT  # bounds only: the trailer gives the counts
    for name, v in (("n_regions", n_regions), ("n_cells", n_cells)):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 < v <= MAX_COUNT:
            raise bad(f"header: {name} must be a positive integer, got {short_repr(v)}")
    assert isinstance(n_regions, int) and isinstance(n_cells, int)
    scale = net.integer_scales[-1]
    if header.get("output_scale") != _hex(scale):
        raise bad("header: output_scale does not match the network")
    rows = header.get("domain")
    if rows is None:
        domain, dom_rows = None, []
    else:
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == d + 1 and all(type(v) is int for v in r) for r in rows
        ):
            raise bad("header: domain must be null or a list of integer rows a | b of length d + 1")
        try:
            domain = Polyhedron.from_hrep(rows, ambient_dim=d)
        except ReluGeomError as exc:
            raise bad(f"header: domain: {exc}") from None
        dom_rows = list(domain.inequalities)
        if [list(r) for r in dom_rows] != rows or domain.dim != d:
            raise bad("header: the domain rows are not a canonical full-dimensional polyhedron")
    n_bits = H + len(dom_rows) + 1  # neurons, domain rows, t >= 0
    widths, offs, layers = net.hidden_widths, net.layer_offsets, net.integer_layers

    def parse_region(v: list[int]) -> tuple[Any, ...]:
        if len(v) < 4:
            raise bad("a region line is too short")
        pos, neg, n_rays, n_lin = v[:4]
        if pos >> H or neg >> H or pos & neg or n_rays < 1 or n_lin < 0:
            raise bad("a region line has bad sign bits or counts")
        if len(v) != 4 + n_rays * (d + 2) + n_lin * (d + 1):
            raise bad("a region line has the wrong number of entries")
        k = 4 + n_rays * (d + 1)
        rays = tuple(tuple(v[4 + i * (d + 1) : 4 + (i + 1) * (d + 1)]) for i in range(n_rays))
        zm = tuple(v[k : k + n_rays])
        lin = tuple(tuple(v[k + n_rays + i * (d + 1) : k + n_rays + (i + 1) * (d + 1)]) for i in range(n_lin))
        if any(z < 0 or z >> n_bits for z in zm) or any(r[-1] < 0 for r in rays):
            raise bad("a region line has bad generators")
        forms: tuple[Any, ...] = ()
        for level in range(len(widths)):
            prev = offs[level - 1] if forms else 0
            forms = forms + (layer_forms(layers[level][0], layers[level][1], forms, pos, prev, d),)
        prev = offs[len(widths) - 1] if forms else 0
        out_rows = layer_forms(layers[-1][0], layers[-1][1], forms, pos, prev, d)
        return (rays, zm, lin, pos, neg, forms, out_rows)

    if (magic == STREAM_FORMAT) != streamed:
        hint = "rg.compiler.load_stream" if streamed is False else "rg.PolyhedralComplex.load"
        raise bad(f"a {magic} file: read it with {hint}")
    if streamed:
        return _read_stream(lines, bad, net, domain, dom_rows, parse_region)
    regions = [parse_region(_ints(next(lines, None), bad, "region")) for _ in range(n_regions)]
    records, face_lists = [], []
    for i in range(n_cells):
        v = _ints(next(lines, None), bad, "cell")
        if len(v) < 7:
            raise bad("a cell line is too short")
        dim, pos, neg, dom, region, raymask, zmask = v[:7]
        faces = tuple(v[7:])
        if not 0 <= dim <= d or region >= n_regions or pos >> H or neg >> H or pos & neg:
            raise bad(f"cell {i}: bad dimension, region or sign bits")
        if raymask <= 0 or raymask >> len(regions[region][0]) or zmask < 0 or zmask >> n_bits:
            raise bad(f"cell {i}: bad generator or constraint mask")
        if dom < 0 or dom >> n_bits or dom & ((1 << H) - 1):
            raise bad(f"cell {i}: bad domain face")
        if list(faces) != sorted(set(faces)) or any(not i < j < n_cells for j in faces):
            raise bad(f"cell {i}: facet indices must be sorted, distinct and point to later cells")
        records.append((dim, (pos, neg, dom), region, raymask, zmask))
        face_lists.append(faces)
    if next(lines, None) is not None:
        raise bad("data after the last cell")
    if len({r[1] for r in records}) != n_cells:
        raise bad("two cells have the same sign key")
    if any(records[j][0] != records[i][0] - 1 for i, fs in enumerate(face_lists) for j in fs):
        raise bad("a facet of a cell must have one dimension less")
    return net, domain, dom_rows, regions, records, face_lists, scale


def _lines(fh: gzip.GzipFile, where: str) -> Iterator[str]:
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE:
            raise FileFormatError(f"{where}: a line is longer than {MAX_LINE} bytes")
        yield line.rstrip(b"\n").decode("ascii")


def _ints(line: str | None, bad: Any, what: str) -> list[int]:
    if line is None:
        raise bad(f"the file ends before the last {what}")
    out = []
    for tok in line.split(" "):
        body = tok[1:] if tok.startswith("-") else tok
        if not body or len(body) > MAX_HEX_DIGITS or not all(c in "0123456789abcdef" for c in body):
            raise bad(f"a {what} line holds something other than hexadecimal integers")
        out.append(int(tok, 16))
    return out


def _read_stream(
    lines: Iterator[str], bad: Any, net: Any, domain: Any, dom_rows: Any, parse_region: Any
) -> tuple[Any, ...]:
    """The rest of a streamed file: the regions, the ``(dim, key)`` of the cells they own and
    the trailer's counts."""
    regions, keys = [], []
    trailer = None
    for line in lines:
        tag, _, rest = line.partition(" ")
        if trailer is not None:
            raise bad("data after the trailer line")
        if tag == "r":
            regions.append(parse_region(_ints(rest, bad, "region")))
        elif tag == "c":
            v = _ints(rest, bad, "cell")
            if len(v) != 6 or not regions:
                raise bad("a cell line must follow a region and hold 6 integers")
            keys.append((v[0], tuple(v[1:4])))
        elif tag == "end":
            trailer = _ints(rest, bad, "trailer")
        else:
            raise bad(f"unknown line tag {tag[:20]!r}")
    if trailer is None or len(trailer) != net.input_dim + 3 or not regions:
        raise bad("the file ends before its trailer line (an interrupted write?)")
    return net, domain, dom_rows, regions, keys, trailer
