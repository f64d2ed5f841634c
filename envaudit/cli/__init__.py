"""The command line: the only package that prints or exits; ``commands`` is the click app.

``envaudit check`` command lines such as the pre-commit hook's, ``envaudit show`` ones and
``envaudit --help`` run without importing click (``fast_path``); every other command line,
and any line of theirs that is not plain, goes to click.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from envaudit.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "console", "main"]


class _QuietFlush:
    """A stream whose reader went away: later flushes (at exit too) do nothing, as in click."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def flush(self) -> None:
        import contextlib  # only after a broken pipe

        with contextlib.suppress(OSError):
            self._stream.flush()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _without_click(args: list[str]) -> int | None:
    """Run a plain ``--help``, ``check`` or ``show`` command line; None: click must read it."""
    from envaudit.cli.fast_path import plain_job

    job = plain_job(args)
    if job is None:
        return None
    from envaudit.cli.common import handled_error

    try:
        return job()
    except BrokenPipeError:  # click's rule for a closed pipe inside a command: exit 1
        sys.stdout = _QuietFlush(sys.stdout)
        sys.stderr = _QuietFlush(sys.stderr)
        return EXIT_FINDINGS
    except Exception as exc:
        code = handled_error(exc)
        if code is None:
            raise
        return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 findings/differences, 2 usage/parse error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    code = _without_click(args)
    if code is not None:
        return code
    from envaudit.cli.commands import run

    return run(args)


def console() -> NoReturn:
    """The ``envaudit`` program (and ``python -m envaudit``): run, then exit with the code.

    After a click-free command line nothing is left to clean up: no threads, files, or exit
    handlers of envaudit's own. Tearing the interpreter down (freeing every module and the
    manifests) would cost the hook about another interpreter start, so once the output is
    flushed the process ends at once. Every other command exits normally.
    """
    args = sys.argv[1:]
    code = _without_click(args)
    if code is None:
        from envaudit.cli.commands import run

        sys.exit(run(args))
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None under pythonw
                stream.flush()
    except OSError:  # the reader went away after the report was handed over
        code = EXIT_FINDINGS
    import os

    os._exit(code)
