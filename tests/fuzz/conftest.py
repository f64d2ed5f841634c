"""Saving the number of inputs each parser got (``ENVAUDIT_FUZZ_REPORT=path.json``)."""

from __future__ import annotations

import pytest

from tests.fuzz.harness import COUNTS, REPORT, write_report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REPORT and COUNTS:
        write_report(REPORT, int(exitstatus))
