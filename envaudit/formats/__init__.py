"""Renderers: each turns a manifest or a diff into a string; none prints."""
