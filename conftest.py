"""Root pytest configuration: modules that must not be imported by doctest collection."""

collect_ignore = ["relu_geom/__main__.py"]
