"""The compiler: a network in, its canonical polyhedral complex out.

- :mod:`.refine`: the region stage (layer-by-layer double description) and the assembly of
  lower-dimensional cells (``compile_network``, ``iter_region_data``);
- :mod:`.complex`: the compiled :class:`PolyhedralComplex` and its :class:`Cell` objects;
- :mod:`.entry`: ``as_complex``, the one entry point of every analysis (network or complex);
- :mod:`.audit`: ``check_complex``, the independent invariant checker;
- :mod:`.stream`: ``iter_cells``, ``iter_regions``, ``count_regions``, ``stream_to_file``, ``load_stream`` (bounded memory);
- :mod:`.parallel`: an executor on a Dask cluster for the compiler's tasks;
- :mod:`.store`: the compact complex file relu-geom/complex@1 (.rgc); :mod:`.forms`: layer forms.

Imports :mod:`relu_geom.network`, :mod:`relu_geom.geometry` and below.
"""

from relu_geom.compiler.audit import check_complex
from relu_geom.compiler.complex import Cell, PolyhedralComplex, RegionData
from relu_geom.compiler.entry import as_complex, as_network
from relu_geom.compiler.refine import compile_network, iter_region_data, parse_domain
from relu_geom.compiler.stream import (
    CellCounts,
    StreamedCell,
    count_regions,
    iter_cells,
    iter_regions,
    load_stream,
    stream_to_file,
)

__all__ = [
    "Cell",
    "CellCounts",
    "PolyhedralComplex",
    "RegionData",
    "StreamedCell",
    "as_complex",
    "as_network",
    "check_complex",
    "compile_network",
    "count_regions",
    "iter_cells",
    "iter_region_data",
    "iter_regions",
    "load_stream",
    "stream_to_file",
    "parse_domain",
]
