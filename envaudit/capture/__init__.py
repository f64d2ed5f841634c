"""Fingerprinting a machine: one probe module per concern, orchestrated by ``probe.capture``."""
