"""Networks: the exact model (:mod:`.model`), transforms between networks and symmetries.

Imports only :mod:`relu_geom.arith` and :mod:`relu_geom.errors`.
"""

from relu_geom.network.model import ReLUNetwork

__all__ = ["ReLUNetwork"]
