"""The data model: frozen, ordered, JSON round-trip."""

from __future__ import annotations

import hashlib

import pytest

from envaudit.model import (
    Ecosystem,
    Hash,
    Index,
    IndexKind,
    Manifest,
    Package,
    PackageSource,
    SourceKind,
    digest_text,
    source_info,
)
from envaudit.record import FrozenRecordError


def _package(name: str, version: str | None = "1.0", **kw: object) -> Package:
    return Package(name=name, key=name.lower(), ecosystem=Ecosystem.PYPI, version=version, **kw)  # type: ignore[arg-type]


def test_packages_are_sorted_and_json_is_deterministic() -> None:
    a = Manifest(
        source=source_info("requirements", "r.txt", "x"), packages=(_package("b"), _package("a"))
    )
    b = Manifest(
        source=source_info("requirements", "r.txt", "x"), packages=(_package("a"), _package("b"))
    )
    assert [p.name for p in a.packages] == ["a", "b"]
    assert a.to_json() == b.to_json()


def test_round_trip_keeps_every_field() -> None:
    package = _package(
        "torch",
        "2.0.1+cu118",
        build="cu118",
        index="https://download.pytorch.org/whl/cu118",
        source=PackageSource(
            kind=SourceKind.VCS, url="git+https://x/y", ref="v1", commit="a" * 40, editable=True
        ),
        hashes=(Hash("sha256", "ab" * 32),),
        markers='python_version >= "3.8"',
        extras=("cuda",),
        groups=("main",),
        optional=True,
        platform="linux-64",
        origin="r.txt:3",
    )
    manifest = Manifest(
        source=source_info("requirements", "r.txt", "text", "1"),
        indexes=(Index("https://i", IndexKind.EXTRA_INDEX_URL, origin="r.txt:1"),),
        packages=(package,),
        meta={"z": "1", "a": "2"},
    )
    text = manifest.to_json()
    assert Manifest.from_json(text) == manifest
    assert list(Manifest.from_json(text).meta) == ["a", "z"]


def test_model_is_frozen() -> None:
    package = _package("a")
    with pytest.raises(FrozenRecordError):
        package.version = "2"  # type: ignore[misc]


def test_from_dict_rejects_unknown_fields() -> None:
    data = Manifest(source=source_info("requirements", "r", "")).to_dict()
    data["surprise"] = 1
    with pytest.raises(ValueError, match="surprise"):
        Manifest.from_dict(data)


@pytest.mark.parametrize(
    "text", ["", "numpy==1.26.4\n", "é\r\n" * 1000, "\ud800 lone surrogate", "x" * (1 << 20)]
)
def test_digest_is_hashlib_sha256_of_the_utf8_text(text: str) -> None:
    expected = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    assert digest_text(text) == f"sha256:{expected}"
