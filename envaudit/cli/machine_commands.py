"""Commands on this machine and on what is installed: capture, verify, pin, export."""

from __future__ import annotations

import sys

import click

from envaudit.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    emit,
    load_input,
    write_output,
)
from envaudit.cli.options import (
    allow_outside_option,
    cli,
    from_option,
    max_size_option,
    platform_option,
    prefix_option,
    python_option,
)


@cli.command()
@python_option("Capture another interpreter (runs a stdlib-only probe in it; Python 3.8+).")
@prefix_option("Capture")
@click.option("--format", "output_format", type=click.Choice(("json", "text")), default="json")
@click.option("--no-meta", is_flag=True, help="Leave out captured_at and the host name.")
@click.option(
    "-o",
    "--output",
    default="-",
    help="Write to this file instead of stdout; %h/%N expand to the short/full host name.",
)
def capture(
    python_path: str | None,
    prefix: str | None,
    output_format: str,
    no_meta: bool,
    output: str,
) -> int:
    """Fingerprint this machine: Python, OS, CPU, GPU driver, CUDA, cuDNN, NCCL, packages."""
    from envaudit.capture.probe import capture as capture_machine
    from envaudit.capture.probe import capture_python, expand_output_template
    from envaudit.errors import UsageError

    if python_path and prefix:
        raise UsageError("--python and --prefix are mutually exclusive")
    if python_path:
        result = capture_python(python_path, include_meta=not no_meta)
    else:
        result = capture_machine(prefix=prefix, include_meta=not no_meta)
    if output_format == "text":
        from envaudit.formats.capture_text import render_capture

        text = render_capture(result)
    else:
        text = result.to_json()
    write_output(text, output if output == "-" else expand_output_template(output))
    return EXIT_OK


@cli.command()
@click.argument("lock", type=click.Path(dir_okay=False))
@python_option("The interpreter whose environment is verified (default: `python` on PATH).")
@prefix_option("Verify")
@click.option("--allow-extra", is_flag=True, help="Do not fail on packages the lock lacks.")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text")
@from_option
@allow_outside_option
@max_size_option
def verify(
    lock: str,
    python_path: str | None,
    prefix: str | None,
    allow_extra: bool,
    output_format: str,
    input_format: str | None,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Check that a live environment is what LOCK says (any lock or env file).

    Reports missing, extra, wrong version, wrong build/variant (+cu121 vs +cpu) and wrong
    source (editable or local where the lock says an index); conda locks are checked
    against conda-meta. Exit 1 on any mismatch.
    """
    import shutil

    from envaudit.analysis.verify import verify_environment
    from envaudit.capture.probe import capture as capture_machine
    from envaudit.capture.probe import capture_python
    from envaudit.errors import UsageError
    from envaudit.formats.verify import render_json, render_text
    from envaudit.sources.capture_json import capture_to_manifest

    if python_path and prefix:
        raise UsageError("--python and --prefix are mutually exclusive")
    manifest = load_input(lock, input_format, allow_outside, max_size)
    if prefix:
        target, live_capture = prefix, capture_machine(prefix=prefix, include_meta=False)
    else:
        target = python_path or shutil.which("python") or shutil.which("python3") or sys.executable
        live_capture = capture_python(target, include_meta=False)
    live = capture_to_manifest(live_capture, text="", origin=target)
    result = verify_environment(manifest, live_capture, live, target=target,
                                allow_extra=allow_extra)  # fmt: skip
    emit(render_json(result) if output_format == "json" else render_text(result))
    return EXIT_OK if result.ok else EXIT_FINDINGS


_EXPORT_TARGETS = ("requirements", "pylock", "environment", "explicit")


@cli.command()
@click.argument("env_file", metavar="ENV_YML", type=click.Path(dir_okay=False))
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(dir_okay=False),
    help="What to pin from: conda-lock.yml, pixi.lock, an explicit spec or a capture env.json.",
)
@click.option("--check", is_flag=True, help="Only list what would change; exit 1 if anything.")
@platform_option
@click.option("-o", "--output", default=None, help="Write here instead of in place (- = stdout).")
@max_size_option
def pin(
    env_file: str,
    source: str,
    check: bool,
    platform: str | None,
    output: str | None,
    max_size: int,
) -> int:
    """Pin ENV_YML's loose conda specs to name=version=build (pip: entries to ==) from SOURCE.

    Only the changed entries are rewritten; comments, order, quoting and line endings stay.
    """
    from pathlib import Path

    from envaudit.loader import read_file
    from envaudit.writers.pin import file_encoding, pin_environment

    text = read_file(Path(env_file), env_file, max_size=max_size)
    locked = load_input(source, None, False, max_size)
    result = pin_environment(text, locked, origin=env_file, platform=platform)
    for note in result.notes:
        click.echo(note, err=True)
    if check:
        for change in result.changes:
            click.echo(change.describe(env_file))
        return EXIT_FINDINGS if result.changes else EXIT_OK
    for change in result.changes:
        click.echo(change.describe(env_file), err=True)
    target = output or env_file
    if target == "-":
        emit(result.text)
    elif result.changes or target != env_file:
        with Path(env_file).open("rb") as stream:
            encoding, bom = file_encoding(stream.read(4))
        write_output(bom + result.text, target, encoding=encoding)
    return EXIT_OK


@cli.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--to", "target", required=True, type=click.Choice(_EXPORT_TARGETS))
@from_option
@platform_option
@click.option("-o", "--output", default="-", help="Write to this file (atomically); - = stdout.")
@allow_outside_option
@max_size_option
def export(
    source: str,
    target: str,
    input_format: str | None,
    platform: str | None,
    output: str,
    allow_outside: bool,
    max_size: int,
) -> int:
    """Write SOURCE as requirements, pylock.toml, environment.yml or a conda explicit spec.

    What the target cannot hold is listed on stderr, one 'dropped: ...' line per kind.
    """
    from pathlib import Path

    from envaudit.loader import read_file
    from envaudit.writers.interface import export_manifest

    manifest = load_input(source, input_format, allow_outside, max_size)
    source_text = None
    if target == "pylock" and Path(source).is_file():  # per-file URLs the manifest omits
        source_text = read_file(Path(source), source, max_size=max_size)
    text, notes = export_manifest(manifest, target, platform=platform, source_text=source_text)
    for note in notes:
        click.echo(note, err=True)
    write_output(text, output)
    return EXIT_OK
