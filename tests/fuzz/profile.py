"""Fuzz budgets: a bounded CI profile by default, ``ENVAUDIT_FUZZ=long`` for the long run.

In the long profile every parser gets at least ``LONG_INPUTS_PER_PARSER`` inputs in total
over its fuzz tests; ``ENVAUDIT_FUZZ_EXAMPLES`` overrides the per-test count of either one.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("ENVAUDIT_FUZZ", "").strip().lower() == "long"
LONG_INPUTS_PER_PARSER = 100_000
CI_EXAMPLES = 40
# Time one input may take before it counts as a hang (generous: a loaded 2-core CI box).
HANG_SECONDS = 10.0

_SUPPRESSED = (
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
)
settings.register_profile(
    "envaudit-fuzz-ci",
    max_examples=CI_EXAMPLES,
    deadline=None,
    suppress_health_check=_SUPPRESSED,
    print_blob=True,
)
settings.register_profile(
    "envaudit-fuzz-long",
    max_examples=LONG_INPUTS_PER_PARSER,
    deadline=None,
    suppress_health_check=_SUPPRESSED,
    print_blob=True,
)
PROFILE = settings.get_profile("envaudit-fuzz-long" if LONG else "envaudit-fuzz-ci")


def fuzz_settings(share: float = 1.0, *, ci: int = CI_EXAMPLES) -> settings:
    """Settings for one fuzz test that gets ``share`` of a parser's long-run budget."""
    override = os.environ.get("ENVAUDIT_FUZZ_EXAMPLES")
    if override:
        examples = int(override)
    elif LONG:
        examples = int(LONG_INPUTS_PER_PARSER * share) + 1
    else:
        examples = ci
    return settings(PROFILE, max_examples=examples)
