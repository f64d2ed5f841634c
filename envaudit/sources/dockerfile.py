"""Dockerfiles: base images and the facts their tags declare, RUN installs, CUDA/determinism ENV.

``meta`` describes every build stage as ``stage.N.image``, ``stage.N.origin`` (``PATH:LINE``),
``stage.N.name``, ``stage.N.from_stage`` (a FROM naming an earlier stage), ``stage.N.tag``,
``stage.N.digest``, ``stage.N.platform`` and the decoded facts ``stage.N.family``/``cuda``/
``cudnn``/``os``/``python``/``torch``/``variant``…; ``image.*`` repeats the final stage's (resolved
through stage references). ``run.python`` (+ ``.origin``, ``.via``) is a Python a RUN installs
(``apt-get install python3.10``, ``uv python install``); ``env.NAME`` are allow-listed ENV values.
"""

from __future__ import annotations

import json
import posixpath
import re

from envaudit.errors import ParseError
from envaudit.model import Index, IndexKind, Manifest, PythonSpec, source_info
from envaudit.record import field, record
from envaudit.redact import redact_url
from envaudit.sources.dockerfile_context import CopiedFiles, bind_mounts, context_resolver
from envaudit.sources.dockerfile_images import ImageReferenceError, image_facts, parse_image
from envaudit.sources.dockerfile_install import Harvest, InstallContext, read_command
from envaudit.sources.dockerfile_shell import (
    LineMap,
    ShellSyntaxError,
    Word,
    expand,
    split_commands,
    split_words,
)
from envaudit.sources.dockerfile_text import (
    Instruction,
    instructions,
    split_flags,
    strip_heredoc_markers,
)
from envaudit.sources.interface import IncludeReader

FORMAT_ID = "dockerfile"
_KNOWN = frozenset(
    {"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
     "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}
)  # fmt: skip
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SHELL = re.compile(r"(?:/usr)?(?:/bin/)?(?:ba|da|z|k)?sh")
# CUDA, determinism and threading variables worth showing (values of others are not kept).
_ENV_KEPT = frozenset(
    {"CUDA_VERSION", "CUDA_HOME", "CUDA_PATH", "CUDNN_VERSION", "NCCL_VERSION",
     "TORCH_CUDA_ARCH_LIST", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES",
     "NVIDIA_DRIVER_CAPABILITIES", "NVIDIA_REQUIRE_CUDA", "CUBLAS_WORKSPACE_CONFIG",
     "CUDA_LAUNCH_BLOCKING", "PYTHONHASHSEED", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
     "OPENBLAS_NUM_THREADS", "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC",
     "PYTORCH_CUDA_ALLOC_CONF", "LD_LIBRARY_PATH", "PYTHON_VERSION", "CONDA_OVERRIDE_CUDA",
     "UV_TORCH_BACKEND", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX_URL",
     "UV_EXTRA_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX", "PIP_FIND_LINKS"}
)  # fmt: skip
_ENV_INDEXES = {
    "PIP_INDEX_URL": IndexKind.INDEX_URL,
    "UV_INDEX_URL": IndexKind.INDEX_URL,
    "UV_DEFAULT_INDEX": IndexKind.INDEX_URL,
    "PIP_EXTRA_INDEX_URL": IndexKind.EXTRA_INDEX_URL,
    "UV_EXTRA_INDEX_URL": IndexKind.EXTRA_INDEX_URL,
    "UV_INDEX": IndexKind.EXTRA_INDEX_URL,
    "PIP_FIND_LINKS": IndexKind.FIND_LINKS,
}
_STAGE_ONLY = frozenset({"image", "name", "from_stage"})
_UNEXPECTED = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError)


@record(frozen=False)
class _Stage:
    index: int
    name: str | None
    args: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    copies: list[CopiedFiles] = field(default_factory=list)

    @property
    def variables(self) -> dict[str, str]:
        return {**self.args, **self.env}


@record(frozen=False)
class _State:
    origin: str
    reader: IncludeReader | None
    harvest: Harvest = field(default_factory=Harvest)
    global_args: dict[str, str] = field(default_factory=dict)
    stages: list[_Stage] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)

    def error(self, message: str, line: int) -> ParseError:
        return ParseError(self.origin, message, line=line)


def parse(text: str, *, origin: str, reader: IncludeReader | None = None) -> Manifest:
    """A Dockerfile -> Manifest; ``-r`` files are read from the build context via ``reader``."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(origin, "not a text file (NUL byte found)", line=line)
    state = _State(origin, reader)
    for instruction in instructions(text, origin):
        try:
            _apply(instruction, state)
        except ParseError:
            raise
        except ShellSyntaxError as exc:
            raise state.error(f"{instruction.keyword}: {exc}", instruction.line) from None
        except ImageReferenceError as exc:
            raise state.error(f"invalid image reference: {exc}", instruction.line) from None
        except _UNEXPECTED as exc:
            raise state.error(
                f"cannot read {instruction.keyword}: {exc}", instruction.line
            ) from None
    return _manifest(text, state)


def _manifest(text: str, state: _State) -> Manifest:
    harvest = state.harvest
    meta = dict(harvest.meta)
    meta.update(_final_image(meta, len(state.stages)))
    if harvest.unresolved:
        meta["unresolved"] = "; ".join(harvest.unresolved)
    return Manifest(
        source=source_info(FORMAT_ID, state.origin, text),
        python=_python(meta, harvest),
        platforms=tuple(state.platforms),
        channels=tuple(harvest.channels),
        indexes=tuple(harvest.indexes),
        packages=tuple(harvest.packages),
        constraints=tuple(harvest.constraints),
        includes=tuple(harvest.includes),
        options=tuple(harvest.options),
        meta=meta,
    )


def _final_image(meta: dict[str, str], count: int) -> dict[str, str]:
    """``image.*``: the last stage's image and facts, following ``FROM <stage>`` back."""
    index = count - 1
    seen: set[int] = set()
    while index >= 0 and f"stage.{index}.from_stage" in meta and index not in seen:
        seen.add(index)
        index = int(meta[f"stage.{index}.from_stage"])
    if index < 0 or f"stage.{index}.image" not in meta:
        return {}
    prefix = f"stage.{index}."
    final = {"image": meta[prefix + "image"]}
    final.update(
        {
            "image." + key[len(prefix) :]: value
            for key, value in meta.items()
            if key.startswith(prefix) and key[len(prefix) :] not in _STAGE_ONLY
        }
    )
    return final


def _python(meta: dict[str, str], harvest: Harvest) -> PythonSpec:
    for key in ("image.python", "run.python"):
        if key in meta:
            return PythonSpec(version=meta[key])
    for package in harvest.packages:
        if package.key == "python" and package.ecosystem.value == "conda":
            return PythonSpec(requires=package.spec, version=package.version)
    return PythonSpec()


def _apply(instruction: Instruction, state: _State) -> None:
    keyword, line = instruction.keyword, instruction.line
    if keyword not in _KNOWN:
        raise state.error(f"unknown instruction {keyword!r}", line)
    if keyword == "FROM":
        _from(instruction, state)
    elif keyword == "ARG":
        _arg(instruction, state)
    elif not state.stages:
        raise state.error(f"{keyword} before the first FROM: expected FROM or ARG", line)
    elif keyword == "ENV":
        _env(instruction, state, state.stages[-1])
    elif keyword == "WORKDIR":
        stage = state.stages[-1]
        words = split_words(instruction.arguments, stage.variables, line)
        if len(words) != 1:
            raise state.error("WORKDIR expects one path", line)
        stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, words[0].text))
    elif keyword in ("COPY", "ADD"):
        _copy(instruction, state, state.stages[-1])
    elif keyword == "RUN":
        _run(instruction, state, state.stages[-1])


def _from(instruction: Instruction, state: _State) -> None:
    line = instruction.line
    flags, rest = split_flags(instruction.arguments)
    words = split_words(rest, state.global_args, line)
    if len(words) not in (1, 3) or (len(words) == 3 and words[1].text.lower() != "as"):
        raise state.error("expected FROM [--platform=PLATFORM] IMAGE [AS NAME]", line)
    stage = _Stage(len(state.stages), words[2].text.lower() if len(words) == 3 else None)
    prefix, meta = f"stage.{stage.index}.", state.harvest.meta
    image = words[0]
    meta[prefix + "image"] = image.text
    meta[prefix + "origin"] = f"{state.origin}:{line}"
    if stage.name:
        meta[prefix + "name"] = stage.name
    for name, value in flags:
        if name == "platform" and value:
            platform, unresolved = expand(value, state.global_args)
            meta[prefix + "platform"] = platform
            if not unresolved:
                state.platforms.append(platform)
    parent = next((s for s in state.stages if s.name == image.text.lower()), None)
    if parent is not None:
        meta[prefix + "from_stage"] = str(parent.index)
        stage.env = dict(parent.env)
        stage.workdir = parent.workdir
    elif image.unresolved:
        meta[prefix + "unresolved"] = "true"
    elif image.text != "scratch":
        reference = parse_image(image.text)
        meta.update({prefix + fact: value for fact, value in image_facts(reference).items()})
        if reference.tag:
            meta[prefix + "tag"] = reference.tag
        if reference.digest:
            meta[prefix + "digest"] = reference.digest
    state.stages.append(stage)


def _arg(instruction: Instruction, state: _State) -> None:
    stage = state.stages[-1] if state.stages else None
    variables = stage.variables if stage else state.global_args
    words = split_words(instruction.arguments, variables, instruction.line)
    if not words:
        raise state.error("ARG expects a NAME or NAME=DEFAULT", instruction.line)
    for word in words:
        name, equals, value = word.text.partition("=")
        if not _NAME.fullmatch(name):
            raise state.error(f"invalid ARG name {name!r}", instruction.line)
        target = stage.args if stage else state.global_args
        if equals:
            target[name] = value
        elif stage is not None and name in state.global_args:
            stage.args[name] = state.global_args[name]


def _env(instruction: Instruction, state: _State, stage: _Stage) -> None:
    line = instruction.line
    words = split_words(instruction.arguments, stage.variables, line)
    if not words:
        raise state.error("ENV expects NAME=VALUE", line)
    if "=" not in words[0].text:  # the legacy form: ENV NAME VALUE...
        if len(words) < 2:
            raise state.error(f"ENV {words[0].text} has no value: expected NAME=VALUE", line)
        pairs = [(words[0].text, " ".join(word.text for word in words[1:]))]
    else:
        pairs = []
        for word in words:
            name, equals, value = word.text.partition("=")
            if not equals:
                raise state.error(f"ENV {word.text!r}: expected NAME=VALUE", line)
            pairs.append((name, value))
    for name, value in pairs:
        if not _NAME.fullmatch(name):
            raise state.error(f"invalid ENV name {name!r}", line)
        stage.env[name] = value
        _record_env(name, value, line, state)


def _record_env(name: str, value: str, line: int, state: _State) -> None:
    if name not in _ENV_KEPT:
        return
    harvest = state.harvest
    harvest.meta[f"env.{name}"] = redact_url(value) if "://" in value else value
    kind = _ENV_INDEXES.get(name)
    if kind is not None and value:
        for url in value.split():
            harvest.indexes.append(Index(redact_url(url), kind, origin=f"{state.origin}:{line}"))


def _copy(instruction: Instruction, state: _State, stage: _Stage) -> None:
    flags, rest = split_flags(instruction.arguments)
    if any(name == "from" for name, _ in flags) or instruction.heredocs:
        return  # from another stage or image, or an inline file: not the build context
    words = _exec_form(rest, instruction.line) or split_words(
        rest, stage.variables, instruction.line
    )
    if len(words) < 2:
        raise state.error(f"{instruction.keyword} expects SOURCE... DESTINATION", instruction.line)
    destination = words[-1].text
    absolute = posixpath.normpath(posixpath.join(stage.workdir, destination))
    into_directory = destination.endswith("/") or len(words) > 2
    stage.copies.append(CopiedFiles(tuple(w.text for w in words[:-1]), absolute, into_directory))


def _exec_form(text: str, line: int) -> list[Word] | None:
    """``["a", "b"]`` (JSON) -> words; anything else is shell form, as Docker decides."""
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return [Word(item, line) for item in value]


def _run(instruction: Instruction, state: _State, stage: _Stage) -> None:
    flags, rest = split_flags(instruction.arguments)
    copies = [*stage.copies, *bind_mounts(flags, stage.workdir)]
    context = InstallContext(
        origin=state.origin,
        reader=state.reader,
        context_path=context_resolver(stage.workdir, copies),
        harvest=state.harvest,
    )
    exec_words = _exec_form(rest, instruction.line)
    if exec_words is not None:
        if (
            len(exec_words) == 3
            and _SHELL.fullmatch(exec_words[0].text)
            and exec_words[1].text == "-c"
        ):
            commands = split_commands(
                exec_words[2].text, LineMap.single(instruction.line), stage.variables
            )
        else:
            commands = [exec_words]
    else:
        text = strip_heredoc_markers(rest)
        commands = split_commands(text, instruction.lines, stage.variables)
        if instruction.heredocs and _runs_a_shell(commands):
            for heredoc in instruction.heredocs:
                commands += split_commands(heredoc.body, heredoc.lines, stage.variables)
    for words in commands:
        read_command(words, context)


def _runs_a_shell(commands: list[list[Word]]) -> bool:
    """``RUN <<EOF`` or ``RUN bash -ex <<EOF`` run the body as a script; ``python3 <<EOF`` not."""
    if not commands:
        return True
    if len(commands) != 1:
        return False
    program, *args = commands[0]
    return bool(_SHELL.fullmatch(program.text)) and all(a.text.startswith("-") for a in args)
