"""The EA4xx machine rules for fleet captures, run once per distinct rule input.

The EA4xx checks read a capture's machine facts (``gpu.driver``, ``cuda.*``, ``cudnn.*``,
``torch.*``, ``env.*``) and, for EA403, the CUDA major encoded in package names and versions.
A fleet runner therefore builds a small manifest from those facts and the CUDA-looking
packages only, and memoizes the findings on exactly that input: ten thousand identical nodes
cost one rule run. ``RULE_IDS`` lists the rules this input is known to be enough for; a test
fails when a new EA4xx rule appears, so that its inputs are checked here.
"""

from __future__ import annotations

from collections.abc import Mapping

from envaudit.analysis.names import conda_key, pypi_key
from envaudit.fleet.aggregate import FindingKey
from envaudit.fleet.facts import CONDA_PREFIX, PYPI_PREFIX, MachineFacts
from envaudit.model import Ecosystem, Manifest, Package, SourceInfo

RULE_IDS = ("EA401", "EA402", "EA403", "EA404", "EA405", "EA406", "EA407", "EA408")
CAPTURE_FORMAT = "capture"
_PACKAGE_PREFIXES = (PYPI_PREFIX, CONDA_PREFIX)
_ABSENT_KEY = "\x00absent"  # a field the machine lacks; no value can spell it


def _package(field: str, value: str) -> Package:
    if field.startswith(PYPI_PREFIX):
        name = field.removeprefix(PYPI_PREFIX)
        local = value.partition("+")[2]
        return Package(name, pypi_key(name), Ecosystem.PYPI, version=value, build=local or None)
    name = field.removeprefix(CONDA_PREFIX)
    pinned = value.split(" (", 1)[0]  # 1.2=build (channel)
    version, _, build = pinned.partition("=")
    return Package(name, conda_key(name), Ecosystem.CONDA, version=version, build=build or None)


def _rule_input(field: str, value: str | None) -> bool:
    """Machine facts, and packages that may encode a CUDA major: a superset of what
    ``gpu.cuda_majors`` reads (``-cu12``/``cupy-cuda`` names, ``+cu121``, conda ``cuda``)."""
    if not field.startswith(_PACKAGE_PREFIXES):
        return True
    return "cu" in field or (value is not None and "cu" in value)


class MachineRuleRunner:
    """Callable: the (rule id, message) pairs EA4xx reports for one new environment.

    Called with the environment's facts and its delta against the aggregator's anchor (the
    first machine). Findings are memoized on the part of the delta the rules can see, so
    environments that differ only in ordinary packages cost nothing.
    """

    def __init__(self, select: tuple[str, ...] = ("EA4",), ignore: tuple[str, ...] = ()) -> None:
        self.select = select
        self.ignore = ignore
        self._memo: dict[tuple[tuple[str, str], ...], tuple[FindingKey, ...]] = {}

    def __call__(
        self, facts: MachineFacts, delta: Mapping[str, str | None]
    ) -> tuple[FindingKey, ...]:
        key = tuple(
            sorted(
                (field, _ABSENT_KEY if value is None else value)
                for field, value in delta.items()
                if _rule_input(field, value)
            )
        )
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._run(facts)
        return found

    def _run(self, facts: MachineFacts) -> tuple[FindingKey, ...]:
        from envaudit.analysis.rules import run_manifest_rules

        meta = {k: v for k, v in facts.fields.items() if not k.startswith(_PACKAGE_PREFIXES)}
        packages = [
            _package(field, one)
            for field, value in facts.fields.items()
            if field not in meta and _rule_input(field, value)
            for one in value.split(", ")
        ]
        manifest = Manifest(
            source=SourceInfo(CAPTURE_FORMAT, facts.origin, ""), packages=tuple(packages), meta=meta
        )
        findings = run_manifest_rules(manifest, select=self.select, ignore=self.ignore)
        return tuple(sorted({(f.rule.id, f.message) for f in findings if f.rule.id in RULE_IDS}))
