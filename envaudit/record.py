"""Typed, slotted records, frozen by default: what ``@dataclass(frozen=True, slots=True)``
gives, at a tenth of the import cost.

:mod:`dataclasses` imports :mod:`inspect` (with ``ast``, ``dis`` and ``tokenize``: ~35 ms
on a slow CI core) and compiles five or six generated methods per class (~2 ms a class).
envaudit's model and the records on its parse and check paths are created in every
process, before a line is read, so they use this instead: one compiled ``__init__`` per
class, and shared ``__eq__``/``__hash__``/``__repr__`` built on one ``attrgetter``.

Semantics follow dataclasses where envaudit relies on them: fields are the annotated class
attributes in order; a default is the class attribute or :func:`field`'s ``default`` /
``default_factory``; ``__post_init__`` runs after ``__init__``; equality is same class and
equal fields; frozen records hash by their fields and refuse assignment; ``order=True``
compares field tuples; methods the class defines itself are kept; records pickle and
copy. Not supported (and refused where it would silently differ): inheritance between
records, ``ClassVar`` fields, ``InitVar``, per-field ``init``/``repr``/``compare``
switches, keyword-only fields.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def repr_(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field of a record: its name, and its default or default factory (or MISSING)."""

    __slots__ = ("default", "default_factory", "name")

    def __init__(self, name: str, default: Any, default_factory: Any) -> None:
        self.name = name
        self.default = default
        self.default_factory = default_factory

    def repr_(self) -> str:
        return f"Field({self.name!r}, default={self.default!r})"


class _FieldSpec:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] = MISSING) -> Any:
    """A field's default (``default=``) or a callable making one per record
    (``default_factory=``), as with :func:`dataclasses.field`."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _FieldSpec(default, default_factory)


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(
    *, frozen: bool = True, eq: bool = True, order: bool = False
) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(
    cls: type[_T] | None = None, /, *, frozen: bool = True, eq: bool = True, order: bool = False
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """Make ``cls`` a slotted record (``@record`` or ``@record(frozen=False, ...)``)."""

    def wrap(target: type[_T]) -> type[_T]:
        return _build(target, frozen=frozen, eq=eq, order=order)

    return wrap if cls is None else wrap(cls)


def fields(record_or_class: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in declaration order."""
    cls = record_or_class if isinstance(record_or_class, type) else type(record_or_class)
    try:
        found: tuple[Field, ...] = getattr(cls, "__record_fields__")  # noqa: B009
    except AttributeError:
        raise TypeError(f"{cls.__name__} is not a record") from None
    return found


def replace(value: _T, /, **changes: Any) -> _T:
    """A copy of ``value`` with some fields changed (``__init__`` and ``__post_init__`` run
    again, as with :func:`dataclasses.replace`)."""
    kwargs = {f.name: getattr(value, f.name) for f in fields(value)}
    unknown = set(changes) - set(kwargs)
    if unknown:
        raise TypeError(f"{type(value).__name__} has no field {sorted(unknown)[0]!r}")
    kwargs.update(changes)
    return type(value)(**kwargs)


# --- building a record class ------------------------------------------------------------


def _collect(cls: type[Any]) -> tuple[Field, ...]:
    for base in cls.__mro__[1:]:
        if "__record_fields__" in base.__dict__:
            raise TypeError(f"{cls.__name__}: records cannot inherit from records")
    found: list[Field] = []
    # (not inspect.get_annotations: importing inspect is what this module avoids)
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in annotations.items():
        if "ClassVar" in str(annotation) or "InitVar" in str(annotation):
            raise TypeError(f"{cls.__name__}.{name}: ClassVar/InitVar fields are not supported")
        value = cls.__dict__.get(name, MISSING)
        if isinstance(value, _FieldSpec):
            found.append(Field(name, value.default, value.default_factory))
        else:
            found.append(Field(name, value, MISSING))
    seen_default = False
    for item in found:
        has_default = item.default is not MISSING or item.default_factory is not MISSING
        if seen_default and not has_default:
            raise TypeError(f"{cls.__name__}: non-default field {item.name!r} follows a default")
        seen_default = seen_default or has_default
    return tuple(found)


def _init_source(cls_fields: tuple[Field, ...], frozen: bool, post_init: bool) -> str:
    params = ["self"]
    body = []
    for item in cls_fields:
        name = item.name
        if item.default_factory is not MISSING:
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif item.default is not MISSING:
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            params.append(name)
            value = name
        assign = f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}"
        body.append("    " + assign)
    if post_init:
        body.append("    self.__post_init__()")
    return f"def __init__({', '.join(params)}) -> None:\n" + ("\n".join(body) or "    pass")


def _make_init(cls_fields: tuple[Field, ...], frozen: bool, post_init: bool) -> Any:
    namespace: dict[str, Any] = {"_MISSING": MISSING, "_set": object.__setattr__}
    for item in cls_fields:
        namespace[f"_default_{item.name}"] = item.default
        namespace[f"_factory_{item.name}"] = item.default_factory
    exec(_init_source(cls_fields, frozen, post_init), namespace)
    return namespace["__init__"]


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields of a record as a tuple (what equality, hashing and ordering compare)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda value: (getattr(value, name),)
    return lambda value: ()


def _methods(
    qualname: str, names: tuple[str, ...], frozen: bool, eq: bool, order: bool
) -> dict[str, Any]:
    key = _key(names)

    def repr_(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({inner})"

    def reduce_(self: Any) -> tuple[Any, tuple[Any, ...]]:
        return type(self), key(self)

    methods: dict[str, Any] = {"__repr__": repr_, "__reduce__": reduce_}
    if frozen:

        def setattr_(self: Any, name: str, value: Any) -> None:
            raise FrozenRecordError(f"cannot assign to field {name!r}")

        def delattr_(self: Any, name: str) -> None:
            raise FrozenRecordError(f"cannot delete field {name!r}")

        methods["__setattr__"] = setattr_
        methods["__delattr__"] = delattr_
    if eq:

        def eq_(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return key(self) == key(other)
            return NotImplemented

        methods["__eq__"] = eq_
        if frozen:

            def hash_(self: Any) -> int:
                return hash(key(self))

            methods["__hash__"] = hash_
        else:
            methods["__hash__"] = None
    if order:
        methods.update(_ordering(key))
    for name, method in methods.items():
        if method is not None:
            method.__qualname__ = f"{qualname}.{name}"
    return methods


def _ordering(key: Callable[[Any], tuple[Any, ...]]) -> dict[str, Any]:
    def compare(operator: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
        def method(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return operator(key(self), key(other))
            return NotImplemented

        return method

    return {
        "__lt__": compare(lambda a, b: a < b),
        "__le__": compare(lambda a, b: a <= b),
        "__gt__": compare(lambda a, b: a > b),
        "__ge__": compare(lambda a, b: a >= b),
    }


def _build(cls: type[_T], *, frozen: bool, eq: bool, order: bool) -> type[_T]:
    cls_fields = _collect(cls)
    names = tuple(item.name for item in cls_fields)
    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in names and key not in ("__dict__", "__weakref__")
    }
    namespace["__slots__"] = names
    namespace["__match_args__"] = names
    namespace["__record_fields__"] = cls_fields
    for name, method in _methods(cls.__qualname__, names, frozen, eq, order).items():
        if name not in cls.__dict__:  # a method the class defines itself is kept
            namespace[name] = method
        elif name in ("__setattr__", "__delattr__"):
            raise TypeError(f"{cls.__name__}: a frozen record cannot define {name}")
    init = _make_init(cls_fields, frozen, "__post_init__" in namespace)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    namespace["__init__"] = init
    metaclass: Any = type(cls)
    built: type[_T] = metaclass(cls.__name__, cls.__bases__, namespace)
    built.__qualname__ = cls.__qualname__
    return built
