"""Input formats: one module per format, each a pure ``parse(text, *, origin, reader)``."""
