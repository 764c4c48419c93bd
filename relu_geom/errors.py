"""The exception hierarchy of relu_geom (every error the package raises on purpose).

All classes derive from :class:`ReluGeomError`, so ``except rg.ReluGeomError``
catches everything the library raises deliberately.  Input problems are also
:class:`ValueError` so that generic code keeps working.
"""

from __future__ import annotations

__all__ = [
    "BackendUnavailableError",
    "DimensionMismatchError",
    "FileFormatError",
    "InvalidInputError",
    "LimitExceededError",
    "ReluGeomError",
    "UnsupportedInputError",
]


class ReluGeomError(Exception):
    """Base class of every error raised deliberately by relu_geom."""


class InvalidInputError(ReluGeomError, ValueError):
    """An argument has the wrong type, value or shape; the message names it."""


class DimensionMismatchError(InvalidInputError):
    """Shapes do not fit together (layer widths, point dimension, domain dimension)."""


class FileFormatError(InvalidInputError):
    """A file cannot be read: missing, unreadable, or not in a supported format."""


class UnsupportedInputError(ReluGeomError):
    """The input is well formed but describes something relu_geom does not handle."""


class LimitExceededError(ReluGeomError):
    """A computation would exceed a limit the caller set (for example ``max_cells``)."""


class BackendUnavailableError(ReluGeomError, ImportError):
    """An optional dependency (torch, onnx, matplotlib, ...) is not installed."""
