"""What the install commands of a Dockerfile RUN install: pip, uv pip, conda/mamba, apt Python."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence

from envaudit.analysis.names import conda_key
from envaudit.errors import IncludeError, ParseError
from envaudit.model import Ecosystem, Include, IncludeKind, Index, IndexKind, Package
from envaudit.record import field, record
from envaudit.redact import redact_url
from envaudit.sources.dockerfile_shell import Word
from envaudit.sources.interface import IncludeReader
from envaudit.sources.matchspec import MatchSpecError, parse_matchspec
from envaudit.sources.requirements_lines import Location
from envaudit.sources.requirements_specs import editable_package, requirement_package

_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?(?:\.exe)?")
_PIP = re.compile(r"pip(?:\d+(?:\.\d+)?)?")
_APT_PYTHON = re.compile(r"python(?P<version>3\.\d+)(?:-[a-z]+)?(?:=\S*)?")
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?")
_PREFIXES = frozenset(
    {"sudo", "env", "time", "exec", "nice", "nohup", "then", "do", "else", "elif", "!", "{"}
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_GLOB = re.compile(r"[*?]")

# pip and uv pip options that take a value (long names; short ones map onto them).
_PIP_VALUE_OPTIONS = frozenset(
    {
        "--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url",
        "--find-links", "--trusted-host", "--target", "--prefix", "--root", "--src",
        "--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy",
        "--no-binary", "--only-binary", "--progress-bar", "--log", "--cache-dir", "--timeout",
        "--retries", "--proxy", "--cert", "--client-cert", "--exists-action",
        "--config-settings", "--global-option", "--report", "--python", "--root-user-action",
        "--keyring-provider", "--use-feature", "--use-deprecated", "--group", "--index",
        "--default-index", "--index-strategy", "--torch-backend", "--prerelease",
        "--resolution", "--link-mode", "--python-platform", "--overrides", "--upgrade-package",
        "--reinstall-package", "--no-build-isolation-package", "--extra", "--exclude-newer",
        "--build-constraints", "--refresh-package", "--directory", "--project", "--config-file",
    }
)  # fmt: skip
_PIP_SHORT = {
    "r": "--requirement", "c": "--constraint", "e": "--editable", "i": "--index-url",
    "f": "--find-links", "t": "--target", "C": "--config-settings", "p": "--python",
    "P": "--upgrade-package", "b": "--build", "d": "--directory",
}  # fmt: skip
_PIP_RECORDED_OPTIONS = frozenset(
    {"--pre", "--no-binary", "--only-binary", "--no-index", "--prefer-binary",
     "--require-hashes", "--no-deps"}
)  # fmt: skip
_INDEX_OPTIONS = {
    "--index-url": IndexKind.INDEX_URL,
    "--default-index": IndexKind.INDEX_URL,
    "--extra-index-url": IndexKind.EXTRA_INDEX_URL,
    "--index": IndexKind.EXTRA_INDEX_URL,
    "--find-links": IndexKind.FIND_LINKS,
    "--trusted-host": IndexKind.TRUSTED_HOST,
}
_CONDA_VALUE_OPTIONS = frozenset(
    {
        "--channel", "--name", "--prefix", "--file", "--solver", "--repodata-fn",
        "--root-prefix", "--platform", "--subdir", "--channel-priority", "--rc-file",
        "--category", "--log-level", "--experimental", "--override-channels-file",
    }
)  # fmt: skip
_CONDA_SHORT = {
    "c": "--channel", "n": "--name", "p": "--prefix", "f": "--file", "r": "--root-prefix",
}  # fmt: skip
_CONDA_TOOLS = frozenset({"conda", "mamba", "micromamba"})
CONDA_FILE = "conda environment/spec file: audited as a file of its own"
NOT_IN_CONTEXT = "not copied from the build context"
NO_READER = "no reader"


@record(frozen=False)
class Harvest:
    """Everything the RUN commands of one Dockerfile install or declare."""

    packages: list[Package] = field(default_factory=list)
    constraints: list[Package] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    options: dict[str, None] = field(default_factory=dict)
    channels: dict[str, None] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)


@record
class InstallContext:
    """The Dockerfile being read: its origin, the include reader, and container->context paths."""

    origin: str
    reader: IncludeReader | None
    context_path: Callable[[str], str | None]
    harvest: Harvest

    def location(self, line: int) -> Location:
        return Location(path=self.origin, label=f"{self.origin}:{line}", line=line)

    def error(self, message: str, line: int) -> ParseError:
        return ParseError(self.origin, message, line=line)


def read_command(words: Sequence[Word], context: InstallContext) -> None:
    """Record what one simple command installs (nothing when it is not an install)."""
    words = _strip_prefixes(words)
    if not words:
        return
    program = posixpath.basename(words[0].text)
    rest = list(words[1:])
    if _PYTHON.fullmatch(program) and len(rest) >= 2 and rest[0].text == "-m":
        program, rest = rest[1].text, rest[2:]
    if _PIP.fullmatch(program):
        _pip_command(rest, context)
    elif program == "uv" and len(rest) >= 2 and rest[0].text == "pip":
        if rest[1].text in ("install", "sync"):
            _pip_install(rest[2:], context)
    elif program == "uv" and [w.text for w in rest[:2]] == ["python", "install"]:
        _declare_python(rest[2:], "uv python install", context)
    elif program == "pyenv" and rest[:1] and rest[0].text == "install":
        _declare_python(rest[1:], "pyenv install", context)
    elif program in _CONDA_TOOLS:
        _conda_command(rest, context)
    elif program in ("apt-get", "apt", "yum", "dnf", "apk") and rest:
        _system_python(rest, program, context)


def _strip_prefixes(words: Sequence[Word]) -> list[Word]:
    position = 0
    while position < len(words) and (
        words[position].text in _PREFIXES or _ASSIGNMENT.match(words[position].text)
    ):
        position += 1
    return list(words[position:])


def _pip_command(args: list[Word], context: InstallContext) -> None:
    """``pip [general options] install ...``; other subcommands install nothing."""
    for position, word in enumerate(args):
        if word.text == "install":
            _pip_install(args[position + 1 :], context)
            return
        if not word.text.startswith("-"):
            return


def _pip_install(args: list[Word], context: InstallContext) -> None:
    position = 0
    only_requirements = False
    while position < len(args):
        word = args[position]
        text = word.text
        if only_requirements or not text.startswith("-") or text == "-":
            _requirement(word, context)
        elif text == "--":
            only_requirements = True
        else:
            name, value, position = _pip_option(args, position, context)
            if name is not None:
                _apply_pip_option(name, value, word, context)
        position += 1


def _pip_option(
    args: list[Word], position: int, context: InstallContext
) -> tuple[str | None, str | None, int]:
    """``(long name, value, last position used)``; flags come back with a None value."""
    text = args[position].text
    if text.startswith("--"):
        name, equals, value = text.partition("=")
        if equals or name not in _PIP_VALUE_OPTIONS:
            return name, (value if equals else None), position
        return name, _option_value(args, position, name, context), position + 1
    for index, letter in enumerate(text[1:], start=1):
        long_name = _PIP_SHORT.get(letter)
        if long_name is None:
            continue  # a flag: -q, -U, -v, -I, -y ...
        attached = text[index + 1 :]
        if attached:
            return long_name, attached.removeprefix("="), position
        return long_name, _option_value(args, position, text, context), position + 1
    return None, None, position


def _option_value(args: list[Word], position: int, name: str, context: InstallContext) -> str:
    if position + 1 >= len(args):
        raise context.error(f"option {name} expects a value", args[position].line)
    return args[position + 1].text


def _apply_pip_option(name: str, value: str | None, word: Word, context: InstallContext) -> None:
    harvest, label = context.harvest, f"{context.origin}:{word.line}"
    if value is not None and name in _INDEX_OPTIONS:
        harvest.indexes.append(Index(redact_url(value), _INDEX_OPTIONS[name], origin=label))
    elif value is not None and name in ("--requirement", "--constraint"):
        kind = IncludeKind.REQUIREMENTS if name == "--requirement" else IncludeKind.CONSTRAINTS
        _include(value, kind, word.line, context)
    elif value is not None and name == "--editable":
        location = context.location(word.line)
        harvest.packages.append(editable_package(value, hashes=(), location=location))
    elif value is not None and name == "--torch-backend":
        harvest.meta["uv.torch_backend"] = value
    elif name in _PIP_RECORDED_OPTIONS:
        harvest.options[name if value is None else redact_url(f"{name}={value}")] = None


def _requirement(word: Word, context: InstallContext) -> None:
    text = word.text
    if word.unresolved or ("/" in text and _GLOB.search(text)):
        context.harvest.unresolved.append(f"{context.origin}:{word.line}: {redact_url(text)}")
        return
    package = requirement_package(text, hashes=(), location=context.location(word.line))
    context.harvest.packages.append(package)


def _include(target: str, kind: IncludeKind, line: int, context: InstallContext) -> None:
    """Follow ``-r``/``-c`` into the build context through the COPY instructions seen so far."""
    from envaudit.sources.requirements import parse as parse_requirements

    harvest, label = context.harvest, f"{context.origin}:{line}"
    local = context.context_path(target)
    reason = NOT_IN_CONTEXT if local is None else (NO_READER if context.reader is None else None)
    if local is None or context.reader is None:
        harvest.includes.append(Include(redact_url(target), kind, False, label, reason))
        return
    try:
        included_origin, text = context.reader(local, including=context.origin)
    except IncludeError as exc:
        if exc.line is not None or exc.key_path is not None:
            raise
        raise IncludeError(context.origin, exc.message, line=line) from None
    harvest.includes.append(Include(redact_url(target), kind, True, label))
    manifest = parse_requirements(text, origin=included_origin, reader=context.reader)
    if kind is IncludeKind.CONSTRAINTS:
        harvest.constraints.extend(manifest.packages)
    else:
        harvest.packages.extend(manifest.packages)
    harvest.constraints.extend(manifest.constraints)
    harvest.indexes.extend(manifest.indexes)
    harvest.includes.extend(manifest.includes)
    harvest.options.update(dict.fromkeys(manifest.options))


def _conda_command(args: list[Word], context: InstallContext) -> None:
    """``conda install|create`` specs and channels; ``conda env create -f`` is noted."""
    if not args:
        return
    subcommand = args[0].text
    if subcommand == "env" and len(args) > 1 and args[1].text in ("create", "update"):
        _conda_arguments(args[2:], context, specs=False)
    elif subcommand in ("install", "create"):
        _conda_arguments(args[1:], context, specs=True)


def _conda_arguments(args: list[Word], context: InstallContext, *, specs: bool) -> None:
    position = 0
    while position < len(args):
        word = args[position]
        if word.text.startswith("-") and len(word.text) > 1:
            name, value, position = _conda_option(args, position, context)
            if name == "--channel" and value:
                context.harvest.channels[value] = None
            elif name == "--file" and value:
                label = f"{context.origin}:{word.line}"
                include = Include(value, IncludeKind.REQUIREMENTS, False, label, CONDA_FILE)
                context.harvest.includes.append(include)
        elif specs:
            _conda_spec(word, context)
        position += 1


def _conda_option(
    args: list[Word], position: int, context: InstallContext
) -> tuple[str | None, str | None, int]:
    text = args[position].text
    if text.startswith("--"):
        name, equals, value = text.partition("=")
        if equals or name not in _CONDA_VALUE_OPTIONS:
            return name, (value if equals else None), position
        return name, _option_value(args, position, name, context), position + 1
    long_name = _CONDA_SHORT.get(text[1])
    if long_name is None:
        return None, None, position
    if len(text) > 2:
        return long_name, text[2:].removeprefix("="), position
    return long_name, _option_value(args, position, text, context), position + 1


def _conda_spec(word: Word, context: InstallContext) -> None:
    if word.unresolved:
        context.harvest.unresolved.append(f"{context.origin}:{word.line}: {word.text}")
        return
    try:
        spec = parse_matchspec(word.text)
    except MatchSpecError as exc:
        raise context.error(f"invalid MatchSpec {word.text!r}: {exc}", word.line) from None
    context.harvest.packages.append(
        Package(
            name=spec.name,
            key=conda_key(spec.name),
            ecosystem=Ecosystem.CONDA,
            version=spec.version,
            spec=spec.spec,
            build=spec.build,
            channel=spec.channel if spec.channel and "://" not in spec.channel else None,
            platform=spec.subdir,
            origin=f"{context.origin}:{word.line}",
        )
    )


def _system_python(args: list[Word], program: str, context: InstallContext) -> None:
    """``apt-get install python3.10`` (deadsnakes and friends) declares a Python."""
    if not any(word.text in ("install", "add") for word in args):
        return
    for word in args:
        match = _APT_PYTHON.fullmatch(word.text)
        if match:
            _record_python(match.group("version"), f"{program} install {word.text}", word, context)
            return


def _declare_python(args: list[Word], via: str, context: InstallContext) -> None:
    for word in args:
        if _VERSION.fullmatch(word.text):
            _record_python(word.text, f"{via} {word.text}", word, context)
            return


def _record_python(version: str, via: str, word: Word, context: InstallContext) -> None:
    meta = context.harvest.meta
    if "run.python" not in meta:
        meta["run.python"] = version
        meta["run.python.origin"] = f"{context.origin}:{word.line}"
        meta["run.python.via"] = via
