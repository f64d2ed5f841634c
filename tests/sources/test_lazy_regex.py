"""LazyPattern: compiled on first use, then the same object every time."""

from __future__ import annotations

import re
import subprocess
import sys

from envaudit.sources.lazy_regex import LazyPattern


def test_compiles_on_first_use_only() -> None:
    pattern = LazyPattern(r"^b+$", re.MULTILINE)
    assert pattern._compiled is None
    assert pattern.search("a\nbb\n") is not None
    compiled = pattern.compiled
    assert compiled.flags & re.MULTILINE
    assert pattern.search("a") is None and pattern.compiled is compiled


def test_detection_patterns_wait_until_a_file_needs_them() -> None:
    """A fresh import of detect compiles none of its patterns; a pixi.lock needs two."""
    code = (
        "from envaudit.sources import detect\n"
        "from envaudit.sources.lazy_regex import LazyPattern\n"
        "patterns = [v for v in vars(detect).values() if isinstance(v, LazyPattern)]\n"
        "before = sum(p._compiled is not None for p in patterns)\n"
        "kind = detect.sniff_content('version: 6\\nenvironments:\\n  default: {}\\n')\n"
        "after = sum(p._compiled is not None for p in patterns)\n"
        "print(len(patterns), before, kind, after)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    count, before, kind, after = result.stdout.split()
    assert int(count) > 10 and before == "0" and kind == "pixi-lock" and 0 < int(after) <= 3
