"""Capture <-> plain JSON values, driven by the dataclasses' type hints, with located errors."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from envaudit.capture.model import CAPTURE_VERSION, CAPTURE_VERSION_KEY, Capture, Unknown

_UNKNOWN_KEY = "unknown"


class CaptureDataError(ValueError):
    """A capture document that does not match the model; ``key_path`` says where."""

    def __init__(self, key_path: str, message: str) -> None:
        self.key_path = key_path
        self.message = message
        super().__init__(f"{key_path}: {message}")


def dump_capture(capture: Capture) -> dict[str, Any]:
    data: dict[str, Any] = _dump(capture)
    if not capture.meta:
        del data["meta"]
    return data


def _dump(value: Any) -> Any:
    if isinstance(value, Unknown):
        return {_UNKNOWN_KEY: value.reason}
    if isinstance(value, StrEnum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_dump(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _dump(item) for key, item in sorted(value.items())}
    return value


def load_capture(data: Any) -> Capture:
    if not isinstance(data, Mapping):
        raise CaptureDataError("$", f"expected an object, got {_type_name(data)}")
    version = data.get(CAPTURE_VERSION_KEY)
    if not isinstance(version, str) or version.split(".")[0] != CAPTURE_VERSION.split(".")[0]:
        raise CaptureDataError(
            CAPTURE_VERSION_KEY,
            f"unsupported capture version {version!r}: expected {CAPTURE_VERSION}",
        )
    capture: Capture = _load(Capture, data, "")
    return capture


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    names |= {int: "an integer", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _load(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return _load_union(typing.get_args(tp), value, path)
    if origin is tuple:
        return _load_tuple(typing.get_args(tp)[0], value, path)
    if origin is Mapping or origin is dict:
        return _load_mapping(typing.get_args(tp)[1], value, path)
    if isinstance(tp, type) and issubclass(tp, StrEnum):
        return _load_enum(tp, value, path)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _load_record(tp, value, path)
    return _load_scalar(tp, value, path)


def _load_union(members: tuple[Any, ...], value: Any, path: str) -> Any:
    if value is None and type(None) in members:
        return None
    if Unknown in members and isinstance(value, Mapping) and set(value) == {_UNKNOWN_KEY}:
        return _load_record(Unknown, {"reason": value[_UNKNOWN_KEY]}, path)
    real = [m for m in members if m is not type(None) and m is not Unknown]
    return _load(real[0], value, path)


def _load_tuple(item_type: Any, value: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise CaptureDataError(path, f"expected a list, got {_type_name(value)}")
    return tuple(_load(item_type, item, _join(path, i)) for i, item in enumerate(value))


def _load_mapping(value_type: Any, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise CaptureDataError(path, f"expected an object, got {_type_name(value)}")
    return {str(k): _load(value_type, v, _join(path, str(k))) for k, v in value.items()}


def _load_enum(enum: type[StrEnum], value: Any, path: str) -> StrEnum:
    allowed = [member.value for member in enum]
    if not isinstance(value, str) or value not in allowed:
        raise CaptureDataError(path, f"expected one of {', '.join(allowed)}, got {value!r}")
    return enum(value)


def _load_record(cls: type[Any], value: Any, path: str) -> Any:
    if not isinstance(value, Mapping):
        raise CaptureDataError(path, f"expected an object, got {_type_name(value)}")
    hints = _hints(cls)
    unknown = sorted(str(key) for key in value if key not in hints)
    if unknown:
        raise CaptureDataError(_join(path, unknown[0]), "unknown field")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in value:
            kwargs[f.name] = _load(hints[f.name], value[f.name], _join(path, f.name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise CaptureDataError(_join(path, f.name), "missing required field")
    return cls(**kwargs)


def _load_scalar(tp: Any, value: Any, path: str) -> Any:
    expected = {str: "a string", int: "an integer", bool: "a boolean"}.get(tp)
    if expected is None:  # pragma: no cover - the model only uses the types above
        raise CaptureDataError(path, f"unsupported type {tp!r}")
    ok = isinstance(value, tp) and (tp is bool or not isinstance(value, bool))
    if not ok:
        raise CaptureDataError(path, f"expected {expected}, got {_type_name(value)}")
    return value
