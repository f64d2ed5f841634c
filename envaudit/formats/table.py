"""Aligned plain-text tables shared by the text renderers."""

from __future__ import annotations

from collections.abc import Sequence


def render_table(rows: Sequence[Sequence[str]], *, indent: str = "  ") -> list[str]:
    """Left-aligned columns separated by two spaces; trailing blanks stripped."""
    if not rows:
        return []
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[col]) for col, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines
