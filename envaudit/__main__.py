"""Entry point for ``python -m envaudit``."""

import sys

from envaudit.cli import main

sys.exit(main())
