"""Small shared helpers below every other layer: short reprs for messages, immutable value types.

(Files are written by :mod:`relu_geom.files`.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "Frozen",
    "lazy",
    "short_repr",
]


def short_repr(obj: object, limit: int = 80) -> str:
    """``repr(obj)`` cut to at most ``limit`` characters (error messages never echo big inputs).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom._util import short_repr
    >>> short_repr("x" * 1000, 12)
    "'xxxxxxxx..."
    >>> short_repr(10**5000)
    'an integer of 16610 bits'
    """
    if isinstance(obj, int) and obj.bit_length() > 4 * limit:
        return f"an integer of {obj.bit_length()} bits"  # repr would be long, or refused beyond 4300 digits
    try:
        text = repr(obj)
    except Exception:  # a user object whose repr fails
        text = f"<{type(obj).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Frozen:
    """Base of immutable value types: slots only, attributes set once by the constructor.

    Subclasses declare ``__slots__`` (with ``"_lazy"`` when they use :class:`lazy`), set their
    attributes in the constructor with :meth:`_set`, and can never be changed afterwards:
    assigning or deleting an attribute raises :class:`AttributeError`.

    Examples
    --------
    >>> from relu_geom._util import Frozen, lazy
    >>> class Pair(Frozen):
    ...     __slots__ = ("a", "b", "_lazy")
    ...     def __init__(self, a, b):
    ...         self._set(a=a, b=b, _lazy={})
    ...     @lazy
    ...     def total(self):
    ...         return self.a + self.b
    >>> p = Pair(1, 2)
    >>> p.total
    3
    >>> p.a = 5
    Traceback (most recent call last):
    ...
    AttributeError: Pair is immutable: cannot set 'a'
    """

    __slots__ = ()

    def _set(self, **values: object) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __copy__(self) -> Frozen:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Frozen:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the slots' values (not the ``_lazy`` cache), for other processes."""
        slots = [n for c in type(self).__mro__ for n in getattr(c, "__slots__", ()) if n != "_lazy"]
        return (_restore, (type(self), {n: getattr(self, n) for n in slots if hasattr(self, n)}))


def _restore(cls: type[Frozen], state: dict[str, object]) -> Frozen:
    obj = object.__new__(cls)
    obj._set(**state)
    if any("_lazy" in getattr(c, "__slots__", ()) for c in cls.__mro__):
        obj._set(_lazy={})
    return obj


class lazy:  # noqa: N801  (used like functools.cached_property)
    """A property computed once and kept in the instance's ``_lazy`` dictionary slot.

    The slotted counterpart of :func:`functools.cached_property` for :class:`Frozen` types
    (which have no ``__dict__``). The value must itself be immutable.
    """

    def __init__(self, func: Callable[[Any], Any]):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        cache = obj._lazy
        try:
            return cache[self.name]
        except KeyError:
            value = cache[self.name] = self.func(obj)
            return value
