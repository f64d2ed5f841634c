"""envaudit.record: the dataclass semantics envaudit relies on, without dataclasses."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import pytest

from envaudit.record import FrozenRecordError, field, fields, record, replace
from tests.conftest import SAMPLES


@record
class Point:
    """A frozen record with a plain default and a factory."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple)

    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


@record(frozen=False)
class Bag:
    items: list[str] = field(default_factory=list)


@record(order=True)
class Version:
    major: int
    minor: int = 0


@record(eq=False)
class Token:
    text: str


@record
class Sorted:
    values: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(sorted(self.values)))


def test_init_defaults_and_methods() -> None:
    point = Point(1)
    assert (point.x, point.y, point.tags) == (1, 0, ())
    assert Point(1, y=2, tags=("a",)).norm() == 3
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]


def test_factories_make_a_new_value_per_record() -> None:
    first, second = Bag(), Bag()
    first.items.append("a")
    assert second.items == []
    assert Bag.__hash__ is None  # mutable records are unhashable, as with dataclasses


def test_frozen_records_refuse_assignment_and_deletion() -> None:
    point = Point(1)
    with pytest.raises(FrozenRecordError, match="'x'"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.y  # type: ignore[misc]
    with pytest.raises(AttributeError):
        point.z = 1  # type: ignore[attr-defined]
    assert not hasattr(point, "__dict__")  # slotted


def test_equality_and_hash_follow_the_fields() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1), Point(1), Point(2)}) == 2
    assert Point(1) != (1, 0, ())  # another type is never equal
    assert Token("a") != Token("a")  # eq=False: identity


def test_order() -> None:
    assert sorted([Version(2), Version(1, 5), Version(1)]) == [
        Version(1),
        Version(1, 5),
        Version(2),
    ]
    assert Version(1) <= Version(1) < Version(1, 1)
    with pytest.raises(TypeError):
        _ = Version(1) < Point(1)  # type: ignore[operator]


def test_repr_names_every_field() -> None:
    assert repr(Point(1, tags=("a",))) == "Point(x=1, y=0, tags=('a',))"


def test_post_init_runs_on_init_and_replace() -> None:
    assert Sorted((3, 1, 2)).values == (1, 2, 3)
    assert replace(Sorted((1,)), values=(9, 0)).values == (0, 9)


def test_replace_and_fields() -> None:
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(Point(1), z=1)
    assert [f.name for f in fields(Point)] == ["x", "y", "tags"]
    assert fields(Point(1)) == fields(Point)
    with pytest.raises(TypeError, match="not a record"):
        fields(object())


def test_pickle_and_copy_round_trip() -> None:
    for value in (Point(1, 2, ("a",)), Version(3, 4)):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.copy(value) == value
        assert copy.deepcopy(value) == value
    bag = Bag(["a"])
    assert pickle.loads(pickle.dumps(bag)).items == ["a"]


def test_definitions_dataclasses_would_refuse_are_refused() -> None:
    with pytest.raises(TypeError, match="non-default field 'b' follows a default"):

        @record
        class Bad:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="cannot inherit"):

        @record
        class Child(Point):
            z: int = 0

    with pytest.raises(ValueError, match="both default and default_factory"):
        field(default=1, default_factory=list)


def test_the_model_does_not_import_dataclasses() -> None:
    """The point of envaudit.record: reading a lock loads neither dataclasses nor inspect."""
    code = (
        "import sys\n"
        "from envaudit.loader import load\n"
        "load(sys.argv[1]).to_json()\n"
        "print(','.join(m for m in ('dataclasses', 'inspect') if m in sys.modules))\n"
    )
    lock = str(SAMPLES / "uv-lock" / "UCSD-E4E__fishsense-lite__uv.lock")
    result = subprocess.run(
        [sys.executable, "-c", code, lock], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_methods_the_class_defines_are_kept() -> None:
    @record
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

    assert repr(Named("a")) == "<a>"
    assert Named("a") == Named("a")  # the generated ones still fill the rest

    with pytest.raises(TypeError, match="cannot define __setattr__"):

        @record
        class Writable:
            name: str

            def __setattr__(self, key: str, value: object) -> None:
                object.__setattr__(self, key, value)
