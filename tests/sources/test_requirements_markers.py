"""``name==version ; marker`` lines skip packaging's full PEP 508 parse: same result."""

from __future__ import annotations

import pytest

from envaudit.errors import ParseError
from envaudit.model import Hash
from envaudit.sources.requirements_lines import Location
from envaudit.sources.requirements_specs import _pep508_package, requirement_package

LOCATION = Location("r.txt", "r.txt:3", line=3)
HASHES = (Hash("sha256", "a" * 64),)


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
