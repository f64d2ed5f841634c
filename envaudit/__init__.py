"""envaudit: audit the reproducibility of Python/ML environments."""

__version__ = "0.1.0"
