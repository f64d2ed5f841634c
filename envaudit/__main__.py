"""Entry point for ``python -m envaudit``."""

from envaudit.cli import console

console()
