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
    """A computation would exceed a limit the caller set (for example ``max_cells``).

    ``partial`` is what was computed when the limit was reached, where the computation can
    say something exact about it (for example :func:`~relu_geom.count_regions`' counts so
    far, each a lower bound), else None.

    Examples
    --------
    >>> import relu_geom as rg
    >>> err = rg.LimitExceededError("max_seconds=1 reached", partial=7)
    >>> str(err), err.partial
    ('max_seconds=1 reached', 7)
    """

    def __init__(self, *args: object, partial: object = None) -> None:
        super().__init__(*args)
        self.partial = partial

    def __reduce__(self) -> tuple[object, ...]:
        # keep ``partial`` when the error crosses a process boundary
        return (_limit_error, (type(self), self.args, self.partial))


def _limit_error(cls: type[LimitExceededError], args: tuple[object, ...], partial: object) -> LimitExceededError:
    return cls(*args, partial=partial)


class BackendUnavailableError(ReluGeomError, ImportError):
    """An optional dependency (torch, onnx, matplotlib, ...) is not installed."""
