"""Atomic, mode-preserving file writes: a temp file in the same directory, fsync, rename."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from envaudit.errors import UsageError


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | Path, text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` so readers see the old or the new file, never half.

    The original file's permission bits are kept; a failure leaves the original intact.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path()
    try:
        status = target.stat()
        mode = stat.S_IMODE(status.st_mode)
        if not stat.S_ISREG(status.st_mode) and not stat.S_ISDIR(status.st_mode):
            # /dev/null, /dev/stdout, a FIFO: write through; renaming over it would
            # replace the device node with a regular file
            with target.open("w", encoding=encoding, newline="") as stream:
                stream.write(text)
            return
    except FileNotFoundError:
        mode = _default_mode()  # mkstemp makes 0600; a new file gets what open() would give
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        temp = Path(temp_name)
        temp.chmod(mode)
        temp.replace(target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(temp_name).unlink()
        if isinstance(exc, OSError):  # e.g. the target is a directory, or the disk is full
            raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
