"""Running the compiler's tasks on a Dask distributed cluster.

The region and face stages of :func:`~relu_geom.compile_network` are split into
independent tasks (see ``parallel_stages`` in :mod:`relu_geom.compiler.refine`): the
first hidden layer is split in the calling process; its pieces (in depth-first order) are
cut into contiguous chunks, and each chunk is one task: the depth-first search below its
pieces (the region stage) and the face lattice of every region found, glued within the
chunk (the face stage).  A task needs only the exact integer problem and its pieces, so
it runs on any process or machine.  The results are merged in chunk order, which is the
order of the serial search, so the complex is the same for every number of workers,
cell order included.  Here: an executor on a cluster.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from relu_geom.errors import BackendUnavailableError

__all__ = ["cluster_executor"]


@contextmanager
def cluster_executor(address: str) -> Iterator[Executor]:
    """A :class:`concurrent.futures.Executor` on the Dask distributed cluster at ``address``
    (for example ``tcp://127.0.0.1:8786``), closed on exit; needs ``dask[distributed]``.

    Every worker of the cluster needs relu_geom installed (tasks are plain functions of
    this module and picklable integer data).
    """
    try:
        from distributed import Client
    except ImportError:
        raise BackendUnavailableError(
            "--cluster needs Dask distributed: pip install 'relu-geom[distributed]'"
        ) from None
    _probe(address)
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendUnavailableError(f"cluster: cannot connect to {address!r} ({exc})") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()


def _probe(address: str) -> None:
    """Refuse at once a ``tcp://HOST:PORT`` address where nothing listens (Dask's client
    would retry it for its whole timeout); other addresses are left to Dask."""
    host, sep, port = address.removeprefix("tcp://").rpartition(":")
    if not (address.startswith("tcp://") and sep and port.isdigit()):
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=10).close()
    except (OSError, ValueError, OverflowError) as exc:
        raise BackendUnavailableError(f"cluster: cannot connect to {address!r} ({exc})") from None
