"""``name==version ; marker`` lines skip packaging's full PEP 508 parse: same result."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker

from envaudit.errors import ParseError
from envaudit.model import Hash
from envaudit.sources.fields import canonical_marker, simple_marker_form
from envaudit.sources.requirements_lines import Location
from envaudit.sources.requirements_specs import _pep508_package, requirement_package

LOCATION = Location("r.txt", "r.txt:3", line=3)
HASHES = (Hash("sha256", "a" * 64),)


def is_canonical_marker(text: str) -> bool:
    """Whether the scanner tells, without packaging, that ``text`` is packaging's own form."""
    return simple_marker_form(text) == text


@pytest.mark.parametrize(
    "line",
    [
        'numpy==1.26.4 ; python_version < "3.11"',
        "numpy==1.26.4;python_version<'3.11'",
        'torch==2.3.0+cu121 ; platform_machine == "x86_64" and sys_platform == "linux"',
        'requests[socks, security]==2.32.3 ; sys_platform == "win32" or extra == "net"',
        'Foo.Bar_baz == 1.0 ; (os_name=="nt" and python_full_version>="3.8.1")',
        "pywin32==306 ; sys_platform == 'win32'  ",
    ],
)
def test_fast_path_gives_what_packaging_gives(line: str) -> None:
    fast = requirement_package(line, hashes=HASHES, location=LOCATION)
    full = _pep508_package(line.strip(), HASHES, LOCATION)
    assert fast == full


@pytest.mark.parametrize(
    "line", ["numpy==1.0 ; python_version <", "numpy==1.0 ;", "numpy==1.0 ; nonsense == '1'"]
)
def test_an_invalid_marker_is_the_same_located_error(line: str) -> None:
    with pytest.raises(ParseError) as fast:
        requirement_package(line, hashes=(), location=LOCATION)
    with pytest.raises(ParseError) as full:
        _pep508_package(line, (), LOCATION)
    assert fast.value.message == full.value.message
    assert fast.value.line == 3


# --- markers already in canonical form skip packaging (sources/fields.py) ---------------

_VARIABLES = st.sampled_from(
    [
        "python_version",
        "python_full_version",
        "sys_platform",
        "platform_machine",
        "platform_system",
        "os_name",
        "implementation_name",
        "platform_python_implementation",
    ]
)
_OPERATORS = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "==="])
_VALUES = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
_ATOMS = st.builds(
    lambda v, o, x: f"{v} {o} {x!r}".replace("'", '"'),
    _VARIABLES,
    _OPERATORS,
    _VALUES.filter(lambda x: '"' not in x and "'" not in x and "\\" not in x),
)


def _joined(parts: list[tuple[str, str]]) -> str:
    return "".join(joiner + part for joiner, part in parts)[len(parts[0][0]) :]


_JOINED = st.lists(st.tuples(st.sampled_from([" and ", " or "]), _ATOMS), min_size=1, max_size=3)
_MARKERS = st.recursive(
    _JOINED.map(_joined),
    lambda inner: (
        st.lists(
            st.tuples(st.sampled_from([" and ", " or "]), inner.map(lambda m: f"({m})")),
            min_size=1,
            max_size=3,
        ).map(_joined)
        | st.tuples(_ATOMS, st.sampled_from([" and ", " or "]), inner).map("".join)
    ),
    max_leaves=8,
)


@given(_MARKERS)
def test_canonical_markers_are_their_own_packaging_form(marker: str) -> None:
    canonical = str(Marker(marker))
    assert is_canonical_marker(marker) == (canonical == marker), marker  # exactly when...
    assert canonical_marker.__wrapped__(marker) == canonical  # ...and either way, agrees


@given(st.text(alphabet="pythonversys_platform =<>!~\"'andor()3.8", max_size=60))
def test_the_fast_path_never_accepts_what_packaging_would_rewrite(text: str) -> None:
    if is_canonical_marker(text):
        assert str(Marker(text)) == text


@pytest.mark.parametrize(
    "marker",
    [
        'extra == "Foo_Bar"',
        "python_version>='3.8'",
        '(sys_platform == "linux")',
        '"3.8" < python_version',
    ],
)
def test_markers_packaging_rewrites_take_the_full_path(marker: str) -> None:
    assert not is_canonical_marker(marker)
    assert canonical_marker(marker) == str(Marker(marker))


@pytest.mark.parametrize(
    "marker", ['platform_release == "it\'s"', 'platform_version == "#1 SMP PREEMPT_DYNAMIC"']
)
def test_values_with_apostrophes_and_hashes_are_canonical(marker: str) -> None:
    assert is_canonical_marker(marker)
    assert str(Marker(marker)) == marker


@given(_MARKERS)
def test_single_quoted_markers_get_packagings_double_quotes(marker: str) -> None:
    single = marker.replace('"', "'")  # generated values hold no quotes of their own
    form = simple_marker_form(single)
    assert form == simple_marker_form(marker)  # quote style alone changes nothing...
    if form is not None:
        assert form == str(Marker(single))  # ...and the form is packaging's
    assert canonical_marker.__wrapped__(single) == str(Marker(single))


@given(st.text(alphabet="python_versys =<>!~\"'andor()3.8", max_size=60))
def test_any_simple_form_found_is_packagings(text: str) -> None:
    form = simple_marker_form(text)
    if form is not None:
        assert form == str(Marker(text))


@pytest.mark.parametrize(
    "marker",
    [
        "python_version >= '3.7'",
        "sys_platform == 'win32' and (os_name == 'nt' or os_name == \"posix\")",
    ],
)
def test_pipenv_and_pylock_style_markers_skip_packaging(marker: str) -> None:
    assert simple_marker_form(marker) == str(Marker(marker))
