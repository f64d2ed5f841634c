"""The I/O edge of parsing: reading and decoding files, resolving includes safely."""
# ruff: noqa: PTH109, PTH112, PTH113, PTH114, PTH116, PTH118, PTH120, PTH123 (os.path: see StrPath)

from __future__ import annotations

import codecs
import errno
import os
import posixpath

from envaudit.errors import IncludeError, ParseError, UsageError
from envaudit.gcpause import gc_paused
from envaudit.model import Manifest
from envaudit.record import record
from envaudit.sources.detect import check_format, detect_format
from envaudit.sources.interface import IncludeReader
from envaudit.sources.registry import FORMATS

DEFAULT_MAX_SIZE = 64 * 1024 * 1024

# Paths are handled with os.path, not pathlib: importing pathlib (with urllib.parse and
# ipaddress) costs ~8 ms, more than parsing a small lock; Path arguments work as before.
StrPath = str | os.PathLike[str]


def decode(data: bytes, origin: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), or UTF-16/32 when a BOM says so.

    Windows ``conda env export > environment.yml`` and ``pip freeze > x.txt`` in PowerShell
    write UTF-16LE with a BOM; those are decoded transparently. Anything else that is not
    UTF-8 text is refused with the line of the first bad byte.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseError(origin, f"invalid {encoding} text: {exc.reason}") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ParseError(origin, "not a text file (NUL byte found)", line=line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(
            origin, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line=line
        ) from None


def _inside(path: str, root: str) -> bool:
    """Whether resolved ``path`` is ``root`` or below it (both absolute, symlinks resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def check_symlink(path: StrPath, origin: str) -> None:
    """Refuse a file that is a symlink to a file outside its own directory and the cwd.

    A repository can hold ``requirements.txt -> ~/.netrc``; reading it would print parts
    of the secret in parse errors (CI logs). Pipes and devices (``<(cmd)``, /dev/stdin)
    are not regular files and stay readable; their size is bounded when read.
    """
    path = os.fspath(path)
    if not os.path.islink(path):
        return
    try:
        target = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError):  # dangling or looping: reading it fails cleanly below
        return
    if not os.path.isfile(target):
        return
    # the link's own folder as written (not normalised: "link/../x" goes up from the
    # link's target, as the OS does), then resolved
    folder = os.path.realpath(os.path.dirname(os.path.join(os.getcwd(), path)))
    roots = (folder, os.path.realpath(os.getcwd()))
    if not any(_inside(target, root) for root in roots):
        raise UsageError(
            f"{origin}: is a symlink to a file outside its directory and the working"
            " directory (pass --allow-outside to read it)"
        )


def read_file(
    path: StrPath, origin: str, *, max_size: int = DEFAULT_MAX_SIZE, allow_outside: bool = False
) -> str:
    """Read and decode one file, refusing directories, missing files and oversized input.

    At most ``max_size`` bytes are ever read, whatever the file claims (devices, pipes);
    a symlink leading out of the project is refused unless ``allow_outside``.
    """
    path = os.fspath(path)
    try:
        if os.path.isdir(path):
            raise UsageError(f"{origin}: is a directory, expected a file")
        if not allow_outside:
            check_symlink(path, origin)
        size = os.stat(path).st_size
        if size > max_size:
            raise UsageError(
                f"{origin}: file is {size} bytes, over the {max_size}-byte limit (--max-size)"
            )
        with open(path, "rb") as handle:
            data = handle.read(max_size + 1)
        if len(data) > max_size:
            raise UsageError(f"{origin}: over the {max_size}-byte limit (--max-size)")
    except FileNotFoundError:
        raise UsageError(f"{origin}: no such file") from None
    except PermissionError:
        raise UsageError(f"{origin}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{origin}: cannot read: {exc.strerror}") from None
    return decode(data, origin)


@record
class FileIncludeReader:
    """Resolves ``-r``/``-c`` targets relative to the including file, inside ``root``.

    Origins are kept in the user's spelling (``requirements/main.txt``), while the
    containment check uses fully resolved paths, so symlinks cannot escape ``root``.
    """

    root: StrPath
    allow_outside: bool = False
    max_size: int = DEFAULT_MAX_SIZE

    def __call__(self, target: str, *, including: str) -> tuple[str, str]:
        target_path = target.replace("\\", "/")
        origin = posixpath.normpath(posixpath.join(posixpath.dirname(including), target_path))
        if not self.allow_outside:
            resolved = os.path.realpath(origin)
            try:
                os.stat(resolved)
            except OSError as exc:  # a missing file is reported when it is read, below
                if exc.errno == errno.ELOOP:
                    message = f"cannot include {target!r}: symlink loop"
                    raise IncludeError(including, message) from None
            if not _inside(resolved, os.path.realpath(self.root)):
                raise IncludeError(
                    including,
                    f"include {target!r} resolves outside {os.fspath(self.root) or '.'}"
                    " (pass --allow-outside to permit)",
                )
        try:
            return origin, read_file(
                origin, origin, max_size=self.max_size, allow_outside=self.allow_outside
            )
        except UsageError as exc:
            raise IncludeError(including, f"cannot include {target!r}: {exc}") from None


def load_text(
    text: str,
    *,
    origin: str,
    fmt: str | None = None,
    reader: IncludeReader | None = None,
) -> Manifest:
    """Parse already-read text with the given or detected format (see :mod:`gcpause`)."""
    fmt = check_format(fmt) if fmt else detect_format(origin, text)
    parse = FORMATS[fmt].parser()
    with gc_paused():
        return parse(text, origin=origin, reader=reader)


def load(
    path: StrPath,
    *,
    fmt: str | None = None,
    allow_outside: bool = False,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Manifest:
    """Read, detect and parse one file; includes are confined to its directory."""
    origin = os.fspath(path)
    text = read_file(origin, origin, max_size=max_size, allow_outside=allow_outside)
    root = os.path.dirname(origin) or "."
    reader = FileIncludeReader(root=root, allow_outside=allow_outside, max_size=max_size)
    return load_text(text, origin=origin, fmt=fmt, reader=reader)
