"""Analyses on top of the compiled complex: free functions taking a network or a complex.

- :mod:`.breakpoints`: the function side (breakpoint complex, tropical weights, bent
  hyperplanes, first-layer visibility);
- :mod:`.equivalence`: exact functional equivalence;
- :mod:`.fibers`: fibers of one and two hidden layers, hidden symmetries;
- :mod:`.identifiability`, :mod:`.genericity`: functional dimension, local identifiability,
  generic parameters.

Imports :mod:`relu_geom.compiler` and below.
"""
