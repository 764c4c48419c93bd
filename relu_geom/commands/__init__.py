"""One module per ``relu-geom`` command (see :mod:`relu_geom.cli`)."""
