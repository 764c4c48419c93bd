"""``python -m relu_geom`` runs the command line."""

import sys

from relu_geom.cli import main

sys.exit(main())
