"""pin: environment.yml rewritten from a lock, every untouched byte kept."""

from __future__ import annotations

import re

import pytest

from envaudit.errors import ParseError, UsageError
from envaudit.model import Ecosystem, Manifest, Package, source_info
from envaudit.writers.pin import PinResult, file_encoding, pin_environment
from envaudit.writers.yaml_splice import split_lines
from tests.writers.conftest import load_sample, sample_text

# (environment.yml, what it is pinned from, platform, entries pinned)
REAL_PAIRS = [
    (  # same project and commit: the lock was made from this file
        "environment-yml/GeoSense-Freiburg__DepthMap__environment.yaml",
        "conda-lock/GeoSense-Freiburg__DepthMap__conda-lock.yml",
        "linux-64",
        9,
    ),
    (  # space-separated MatchSpecs; the explicit lock conda-lock made from it
        "environment-yml/jupyterlab__jupyterlab-desktop__jlab_server.yaml",
        "conda-explicit/jupyterlab__jupyterlab-desktop__conda-osx-arm64.lock",
        None,
        10,
    ),
    (  # 60 comment lines, inline comments, a quoted name, commented-out deps
        "environment-yml/garywei944__evagpt__environment.yml",
        "conda-lock/FSadrieh__BERTchen__conda-lock.yml",
        "linux-64",
        16,
    ),
    (  # the same project's pixi.lock, which has since moved past some ranges
        "environment-yml/xarray-contrib__xarray-tutorial__binder-environment.yml",
        "pixi-lock/xarray-contrib__xarray-tutorial__pixi.lock",
        "linux-64",
        21,
    ),
]


def top_level_keys(text: str) -> list[str]:
    return re.findall(r"^([A-Za-z_]+):", text, re.MULTILINE)


@pytest.mark.parametrize(("env", "lock", "platform", "pinned"), REAL_PAIRS)
def test_real_samples_keep_every_untouched_line(
    env: str, lock: str, platform: str | None, pinned: int
) -> None:
    original = sample_text(env)
    result = pin_environment(original, load_sample(lock), origin=env, platform=platform)
    assert len(result.changes) == pinned
    before, after = split_lines(original), split_lines(result.text)
    assert len(before) == len(after)
    changed = {change.line for change in result.changes}
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        if number in changed:
            assert old != new
            assert old.split("- ", 1)[0] == new.split("- ", 1)[0]  # same indentation
        else:
            assert old == new, f"line {number} changed"
    comments = [line for line in before if line.lstrip().startswith("#")]
    assert comments == [line for line in after if line.lstrip().startswith("#")]
    assert top_level_keys(result.text) == top_level_keys(original)


def test_pinned_entries_hold_the_locked_builds() -> None:
    env = "environment-yml/GeoSense-Freiburg__DepthMap__environment.yaml"
    lock = load_sample("conda-lock/GeoSense-Freiburg__DepthMap__conda-lock.yml")
    result = pin_environment(sample_text(env), lock, origin=env, platform="linux-64")
    numpy = next(c for c in result.changes if c.old == "numpy<=2.0")
    assert (numpy.key_path, numpy.line, numpy.new) == (
        "dependencies[6]",
        13,
        "numpy=1.26.4=py311h64a7726_0",
    )
    assert result.notes == (
        "left as is: pip entry omegaconf (conda-lock/GeoSense-Freiburg__DepthMap__conda-lock.yml "
        "locks it as a conda package, 2.3.0, not as a PyPI package)",
    )
    again = pin_environment(result.text, lock, origin=env, platform="linux-64")
    assert again.changes == ()
    assert again.text == result.text


def test_conflicts_are_left_as_is_with_a_note() -> None:
    env = "environment-yml/garywei944__evagpt__environment.yml"
    lock = load_sample("conda-lock/FSadrieh__BERTchen__conda-lock.yml")
    result = pin_environment(sample_text(env), lock, origin=env, platform="linux-64")
    notes = "\n".join(result.notes)
    assert "left as is: python>=3.13 (" in notes  # the lock has 3.10.14
    assert "left as is: conda-forge::pytorch=*=*cuda* (" in notes  # from pytorch, not conda-forge
    assert "locks pytorch from pytorch, not conda-forge" in notes
    assert "left as is: nvtop (not locked in" in notes
    assert "  - conda-forge::transformers=4.42.4=pyhd8ed1ab_0\n" in result.text


def lock(*packages: Package) -> Manifest:
    return Manifest(source=source_info("conda-lock", "lock.yml", ""), packages=packages)


def conda(name: str, version: str, build: str | None = None, **fields: object) -> Package:
    return Package(name=name, key=name, ecosystem=Ecosystem.CONDA, version=version, build=build,
                   **fields)  # type: ignore[arg-type]  # fmt: skip


def pypi(name: str, version: str) -> Package:
    return Package(name=name, key=name, ecosystem=Ecosystem.PYPI, version=version)


LOCKED = lock(
    conda("numpy", "1.26.4", "py311h_0", channel="conda-forge"),
    conda("python", "3.11.9", "h_cpython"),
    conda("scipy", "1.13.0"),
    conda("pip", "24.0", "pyh_0"),
    pypi("requests", "2.32.3"),
    pypi("torch", "2.3.0+cu121"),
)


def pin(text: str, source: Manifest = LOCKED) -> PinResult:
    return pin_environment(text, source, origin="environment.yml")


def test_quoting_flow_style_and_inline_comments_survive() -> None:
    text = "name: demo  # trailing comment\r\ndependencies: ['numpy', \"python>=3.10\", scipy]\r\n"
    result = pin(text)
    assert result.text == (
        "name: demo  # trailing comment\r\n"
        "dependencies: ['numpy=1.26.4=py311h_0', \"python=3.11.9=h_cpython\", scipy==1.13.0]\r\n"
    )


def test_block_entries_keep_quotes_comments_and_channels() -> None:
    text = (
        "\ufeffdependencies:\n"
        "  - 'conda-forge::numpy>=1.2'   # keep me\n"
        "  -   python=3.11   \n"
        "  - pip\n"
        "  - pip:\n"
        "      - --extra-index-url https://download.pytorch.org/whl/cu121\n"
        "      - \"requests[socks]>=2 ; python_version >= '3.8'\"\n"
        "      - torch\n"
        "      - git+https://github.com/o/r.git\n"
    )
    result = pin(text)
    assert result.text.startswith("\ufeff")
    assert split_lines(result.text)[1:] == [
        "  - 'conda-forge::numpy=1.26.4=py311h_0'   # keep me\n",
        "  -   python=3.11.9=h_cpython   \n",
        "  - pip=24.0=pyh_0\n",
        "  - pip:\n",
        "      - --extra-index-url https://download.pytorch.org/whl/cu121\n",
        "      - \"requests[socks]==2.32.3; python_version >= '3.8'\"\n",
        "      - torch==2.3.0+cu121\n",
        "      - git+https://github.com/o/r.git\n",
    ]
    assert [c.key_path for c in result.changes][-2:] == [
        "dependencies[3].pip[1]",
        "dependencies[3].pip[2]",
    ]


def test_channel_and_range_conflicts_stay() -> None:
    text = "dependencies:\n  - pytorch::numpy\n  - scipy<1.10\n  - requests<2\n"
    result = pin(text.replace("  - requests<2\n", "  - pip:\n    - requests<2\n"))
    assert result.changes == ()
    assert result.notes == (
        "left as is: pytorch::numpy (lock.yml locks numpy from conda-forge, not pytorch)",
        "left as is: scipy<1.10 (lock.yml locks scipy 1.13.0, which it does not allow)",
        "left as is: requests<2 (lock.yml locks 2.32.3, outside that range)",
    )


def test_multi_platform_source_needs_a_platform() -> None:
    two = lock(conda("numpy", "1.26.4", "a", platform="linux-64"),
               conda("numpy", "1.26.4", "b", platform="osx-arm64"))  # fmt: skip
    with pytest.raises(UsageError, match=r"locks 2 platforms; pass --platform"):
        pin("dependencies: [numpy]\n", two)
    result = pin_environment("dependencies: [numpy]\n", two, origin="e.yml", platform="osx-arm64")
    assert result.text == "dependencies: [numpy=1.26.4=b]\n"


def test_ambiguous_source_is_reported() -> None:
    source = lock(conda("python", "3.10.0", "a"), conda("python", "3.12.0", "b"))
    result = pin("dependencies:\n- python\n", source)
    assert result.changes == ()
    assert result.notes == ("left as is: python (lock.yml locks several: 3.10.0=a, 3.12.0=b)",)


@pytest.mark.parametrize(
    ("text", "message", "key_path"),
    [
        ("dependencies: {numpy: 1}\n", "expected a list", "dependencies"),
        ("dependencies:\n  - 3\n", "expected a MatchSpec string", "dependencies[0]"),
        ("dependencies:\n  - numpy>>1\n", "invalid MatchSpec", "dependencies[0]"),
        ("dependencies:\n  - pip: nope\n", "expected a list", "dependencies[0].pip"),
    ],
)
def test_malformed_environment_files_are_located(text: str, message: str, key_path: str) -> None:
    with pytest.raises(ParseError) as caught:
        pin(text)
    assert message in caught.value.message
    assert caught.value.key_path == key_path


def test_invalid_yaml_is_a_parse_error_with_a_line() -> None:
    with pytest.raises(ParseError) as caught:
        pin("dependencies:\n  - [unclosed\n")
    assert caught.value.line == 3
    assert caught.value.message.startswith("invalid YAML: did not find expected ',' or ']'")


def test_empty_and_dependency_free_files_are_unchanged() -> None:
    assert pin("").text == ""
    assert pin("name: x\n# only a comment\n").changes == ()


def test_file_encoding_detects_boms() -> None:
    assert file_encoding(b"\xff\xfen\x00") == ("utf-16-le", "\ufeff")
    assert file_encoding(b"\xef\xbb\xbfname") == ("utf-8", "\ufeff")
    assert file_encoding(b"name") == ("utf-8", "")
