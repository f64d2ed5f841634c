"""The I/O edge of parsing: reading and decoding files, resolving includes safely."""

from __future__ import annotations

import codecs
import posixpath
from pathlib import Path

from envaudit.errors import IncludeError, ParseError, UsageError
from envaudit.gcpause import gc_paused
from envaudit.model import Manifest
from envaudit.record import record
from envaudit.sources.detect import check_format, detect_format
from envaudit.sources.interface import IncludeReader
from envaudit.sources.registry import FORMATS

DEFAULT_MAX_SIZE = 64 * 1024 * 1024


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


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check_symlink(path: Path, origin: str) -> None:
    """Refuse a file that is a symlink to a file outside its own directory and the cwd.

    A repository can hold ``requirements.txt -> ~/.netrc``; reading it would print parts
    of the secret in parse errors (CI logs). Pipes and devices (``<(cmd)``, /dev/stdin)
    are not regular files and stay readable; their size is bounded when read.
    """
    if not path.is_symlink():
        return
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling or looping: reading it fails cleanly below
        return
    if not target.is_file():
        return
    roots = (path.absolute().parent.resolve(), Path.cwd().resolve())
    if not any(_inside(target, root) for root in roots):
        raise UsageError(
            f"{origin}: is a symlink to a file outside its directory and the working"
            " directory (pass --allow-outside to read it)"
        )


def read_file(
    path: Path, origin: str, *, max_size: int = DEFAULT_MAX_SIZE, allow_outside: bool = False
) -> str:
    """Read and decode one file, refusing directories, missing files and oversized input.

    At most ``max_size`` bytes are ever read, whatever the file claims (devices, pipes);
    a symlink leading out of the project is refused unless ``allow_outside``.
    """
    try:
        if path.is_dir():
            raise UsageError(f"{origin}: is a directory, expected a file")
        if not allow_outside:
            check_symlink(path, origin)
        size = path.stat().st_size
        if size > max_size:
            raise UsageError(
                f"{origin}: file is {size} bytes, over the {max_size}-byte limit (--max-size)"
            )
        with path.open("rb") as handle:
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

    root: Path
    allow_outside: bool = False
    max_size: int = DEFAULT_MAX_SIZE

    def __call__(self, target: str, *, including: str) -> tuple[str, str]:
        target_path = target.replace("\\", "/")
        origin = posixpath.normpath(posixpath.join(posixpath.dirname(including), target_path))
        path = Path(origin)
        if not self.allow_outside:
            try:
                resolved = path.resolve()
            except (OSError, RuntimeError):  # a symlink loop (RuntimeError before 3.13)
                raise IncludeError(including, f"cannot include {target!r}: symlink loop") from None
            root = self.root.resolve()
            if resolved != root and root not in resolved.parents:
                raise IncludeError(
                    including,
                    f"include {target!r} resolves outside {self.root}"
                    " (pass --allow-outside to permit)",
                )
        try:
            return origin, read_file(
                path, origin, max_size=self.max_size, allow_outside=self.allow_outside
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
    path: str | Path,
    *,
    fmt: str | None = None,
    allow_outside: bool = False,
    max_size: int = DEFAULT_MAX_SIZE,
) -> Manifest:
    """Read, detect and parse one file; includes are confined to its directory."""
    origin = str(path)
    file_path = Path(path)
    text = read_file(file_path, origin, max_size=max_size, allow_outside=allow_outside)
    root = file_path.parent if str(file_path.parent) else Path()
    reader = FileIncludeReader(root=root, allow_outside=allow_outside, max_size=max_size)
    return load_text(text, origin=origin, fmt=fmt, reader=reader)
