"""The Dockerfile parser, on real-world Dockerfile patterns and on malformed input."""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest

from envaudit.errors import IncludeError, ParseError
from envaudit.model import Ecosystem, IncludeKind, IndexKind, Manifest, Package, SourceKind
from envaudit.sources.detect import detect_format, sniff_name
from envaudit.sources.dockerfile import FORMAT_ID, parse
from envaudit.sources.dockerfile_install import CONDA_FILE, NO_READER, NOT_IN_CONTEXT

FIXTURES = Path(__file__).parents[1] / "audit" / "fixtures"


class DictReader:
    """Serves -r files from a dict of build-context paths, like FileIncludeReader does."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.asked: list[str] = []

    def __call__(self, target: str, *, including: str) -> tuple[str, str]:
        self.asked.append(target)
        origin = posixpath.normpath(posixpath.join(posixpath.dirname(including), target))
        if origin not in self.files:
            raise IncludeError(including, f"cannot include {target!r}: {origin}: no such file")
        return origin, self.files[origin]


def _parse(text: str, files: dict[str, str] | None = None) -> Manifest:
    return parse(text, origin="Dockerfile", reader=DictReader(files or {}))


def _packages(manifest: Manifest) -> dict[str, Package]:
    return {package.name: package for package in manifest.packages}


def test_detection_by_name() -> None:
    for name in ("Dockerfile", "docker/Dockerfile.gpu", "app.dockerfile", "Containerfile"):
        assert sniff_name(name) == FORMAT_ID, name
    assert detect_format("Dockerfile", "FROM python:3.11\n") == FORMAT_ID


def test_pytorch_image_with_cache_mount_and_requirements() -> None:
    text = (
        "FROM pytorch/pytorch:2.2.2-cuda12.1-cudnn8-runtime\n"
        "\n"
        "WORKDIR /workspace\n"
        "ADD requirements.txt requirements.txt\n"
        "\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
    )
    manifest = _parse(text, {"requirements.txt": "einops==0.7.0\ntransformers==4.38.2\n"})
    meta = manifest.meta
    assert meta["image.family"] == "pytorch"
    assert (meta["image.torch"], meta["image.cuda"], meta["image.cudnn"]) == ("2.2.2", "12.1", "8")
    assert meta["image.variant"] == "runtime"
    assert meta["image.origin"] == "Dockerfile:1"
    packages = _packages(manifest)
    assert packages["einops"].version == "0.7.0"
    assert packages["transformers"].origin == "requirements.txt:2"
    assert manifest.includes[0].resolved
    assert manifest.includes[0].origin == "Dockerfile:6"


def test_arg_defaults_are_substituted_in_from() -> None:
    text = (
        "ARG cuda_version=11.2.2\n"
        "ARG cudnn_version=8\n"
        "ARG ubuntu=20.04\n"
        "FROM nvidia/cuda:${cuda_version}-cudnn${cudnn_version}-runtime-ubuntu${ubuntu}\n"
    )
    meta = _parse(text).meta
    assert meta["image"] == "nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04"
    assert (meta["image.cuda"], meta["image.cudnn"], meta["image.os"]) == (
        "11.2.2",
        "8",
        "ubuntu20.04",
    )
    assert meta["image.origin"] == "Dockerfile:4"


def test_line_continuations_comments_and_trailing_blanks() -> None:
    text = (
        "FROM nvidia/cuda:11.1.1-cudnn8-runtime-ubuntu20.04\n"
        "RUN apt -y update && \\\n"
        "    # the Python headers too\n"
        "    apt -y install --no-install-recommends \\\n"
        "        python3-dev \\  \n"
        "        python3-pip && \\\n"
        "    apt -y clean\n"
        "RUN python3 -m pip install torch==1.8.1+cu111 \\\n"
        "      torchvision==0.9.1+cu111 \\\n"
        "      -f https://download.pytorch.org/whl/torch_stable.html\n"
    )
    manifest = _parse(text)
    torch, vision = _packages(manifest)["torch"], _packages(manifest)["torchvision"]
    assert (torch.version, torch.build, torch.origin) == ("1.8.1+cu111", "cu111", "Dockerfile:8")
    assert vision.origin == "Dockerfile:9"
    assert [(i.kind, i.origin) for i in manifest.indexes] == [
        (IndexKind.FIND_LINKS, "Dockerfile:10")
    ]
    assert "run.python" not in manifest.meta  # python3-dev is not a versioned Python


def test_multi_stage_build_follows_stage_references() -> None:
    text = (
        "FROM nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04 AS builder\n"
        "RUN pip wheel --wheel-dir /wheels flash-attn==2.5.8\n"
        "FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04 AS runtime\n"
        "COPY --from=builder /wheels /wheels\n"
        "FROM runtime AS final\n"
        "RUN pip install --no-index --find-links /wheels flash-attn==2.5.8\n"
    )
    manifest = _parse(text)
    meta = manifest.meta
    assert meta["stage.0.name"] == "builder"
    assert meta["stage.0.variant"] == "devel"
    assert meta["stage.2.from_stage"] == "1"
    assert meta["image"] == "nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04"
    assert meta["image.variant"] == "runtime"
    assert meta["image.origin"] == "Dockerfile:3"
    assert [p.origin for p in manifest.packages] == ["Dockerfile:6"]  # pip wheel installs nothing
    assert "--no-index" in manifest.options


def test_heredoc_run_is_read_as_a_shell_script() -> None:
    text = (
        "# syntax=docker/dockerfile:1.4\n"
        "FROM python:3.12-slim-bookworm\n"
        "RUN <<EOF\n"
        "set -eux\n"
        "pip install --no-cache-dir \\\n"
        "    httpx==0.27.0 \\\n"
        "    'pydantic>=2,<3'\n"
        "EOF\n"
        "RUN python3 <<PY\n"
        "import subprocess\n"
        "subprocess.run(['pip', 'install', 'not-a-shell-command'])\n"
        "PY\n"
        "RUN bash -ex <<-EOT\n"
        "\tpip install rich==13.7.1\n"
        "\tEOT\n"
    )
    manifest = _parse(text)
    packages = _packages(manifest)
    assert set(packages) == {"httpx", "pydantic", "rich"}
    assert packages["httpx"].origin == "Dockerfile:6"
    assert packages["pydantic"].spec == ">=2,<3"
    assert packages["rich"].origin == "Dockerfile:14"
    assert manifest.python.version == "3.12"
    assert manifest.meta["image.os"] == "debian12"


def test_unpinned_torch_from_a_cuda_index() -> None:
    text = (
        "FROM nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04\n"
        "RUN apt update && apt install -y git python3 python3-pip\n"
        "RUN pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu118\n"
    )
    manifest = _parse(text)
    assert all(p.version is None and p.spec is None for p in manifest.packages)
    assert sorted(_packages(manifest)) == ["torch", "torchaudio", "torchvision"]
    assert manifest.indexes[0].url == "https://download.pytorch.org/whl/cu118"
    assert manifest.indexes[0].kind is IndexKind.INDEX_URL


def test_python_image_with_quoted_specifiers_and_extras() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "RUN pip install --no-cache-dir \"uvicorn[standard]>=0.20\" 'numpy<2' gunicorn==22.0.0\n"
    )
    manifest = _parse(text)
    packages = _packages(manifest)
    assert packages["uvicorn"].extras == ("standard",)
    assert packages["uvicorn"].spec == ">=0.20"
    assert packages["numpy"].spec == "<2"
    assert packages["gunicorn"].version == "22.0.0"
    assert manifest.python.version == "3.11"
    assert manifest.meta["image.os"] == "debian"


def test_micromamba_and_conda_installs() -> None:
    text = (
        "FROM mambaorg/micromamba:1.5.8-jammy-cuda-12.1.1\n"
        "COPY --chown=$MAMBA_USER:$MAMBA_USER environment.yml /tmp/environment.yml\n"
        "RUN micromamba install -y -n base -f /tmp/environment.yml && \\\n"
        "    micromamba install -y -n base -c pytorch -c nvidia pytorch=2.3.0 pytorch-cuda=12.1 && \\\n"
        "    micromamba clean --all --yes\n"
    )
    manifest = _parse(text)
    meta = manifest.meta
    assert (meta["image.micromamba"], meta["image.os"], meta["image.cuda"]) == (
        "1.5.8",
        "ubuntu22.04",
        "12.1.1",
    )
    assert manifest.channels == ("pytorch", "nvidia")
    packages = _packages(manifest)
    assert packages["pytorch"].ecosystem is Ecosystem.CONDA
    assert packages["pytorch-cuda"].spec == "=12.1"
    assert manifest.includes[0].reason == CONDA_FILE
    assert manifest.includes[0].origin == "Dockerfile:3"


def test_miniconda_python_spec_and_env_create() -> None:
    text = (
        "FROM continuumio/miniconda3:23.5.2-0\n"
        "RUN conda create -y -n app python=3.10 && conda env create -f environment.yml\n"
    )
    manifest = _parse(text)
    assert manifest.meta["image.family"] == "miniconda"
    assert manifest.meta["image.conda"] == "23.5.2"
    assert manifest.python.requires == "=3.10"
    assert manifest.includes[0].target == "environment.yml"


def test_env_forms_and_allow_listed_values() -> None:
    text = (
        "FROM python:3.10\n"
        "ENV DEBIAN_FRONTEND noninteractive\n"
        'ENV CUBLAS_WORKSPACE_CONFIG=:4096:8 PYTHONHASHSEED=0 GREETING="hello world"\n'
        "ENV PIP_INDEX_URL=https://deploy:s3cret@pypi.example.com/simple\n"
    )
    manifest = _parse(text)
    meta = manifest.meta
    assert meta["env.CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
    assert meta["env.PYTHONHASHSEED"] == "0"
    assert "env.GREETING" not in meta and "env.DEBIAN_FRONTEND" not in meta
    assert "s3cret" not in meta["env.PIP_INDEX_URL"]
    assert manifest.indexes[0].kind is IndexKind.INDEX_URL
    assert "s3cret" not in manifest.indexes[0].url
    assert manifest.indexes[0].origin == "Dockerfile:4"


def test_bind_mounted_requirements_are_read_from_the_context() -> None:
    text = (
        "FROM python:3.12\n"
        "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
        "    --mount=type=bind,source=requirements/prod.txt,target=/tmp/req.txt \\\n"
        "    uv pip install --system -r /tmp/req.txt\n"
    )
    reader_files = {"requirements/prod.txt": "orjson==3.10.3\n"}
    manifest = _parse(text, reader_files)
    assert _packages(manifest)["orjson"].origin == "requirements/prod.txt:1"
    assert manifest.includes[0].target == "/tmp/req.txt"


def test_uv_python_install_and_torch_backend() -> None:
    text = (
        "FROM ubuntu:24.04\n"
        "RUN uv python install 3.12 && uv pip install --torch-backend=cu121 torch==2.4.0\n"
    )
    manifest = _parse(text)
    meta = manifest.meta
    assert (meta["run.python"], meta["run.python.origin"]) == ("3.12", "Dockerfile:2")
    assert meta["run.python.via"] == "uv python install 3.12"
    assert meta["uv.torch_backend"] == "cu121"
    assert meta["image.os"] == "ubuntu24.04"
    assert manifest.python.version == "3.12"


def test_deadsnakes_python_from_apt() -> None:
    text = (
        "FROM ubuntu:22.04\n"
        "RUN add-apt-repository ppa:deadsnakes/ppa && \\\n"
        "    apt-get install -y python3.11 python3.11-venv\n"
    )
    meta = _parse(text).meta
    assert meta["run.python"] == "3.11"
    assert meta["run.python.origin"] == "Dockerfile:3"


def test_escape_directive_with_backticks() -> None:
    text = (
        "# escape=`\n"
        "FROM python:3.11-windowsservercore-ltsc2022\n"
        "RUN pip install `\n"
        "    requests==2.31.0\n"
    )
    manifest = _parse(text)
    assert _packages(manifest)["requests"].origin == "Dockerfile:4"
    assert manifest.meta["image.python"] == "3.11"


def test_exec_form_and_sh_c() -> None:
    text = (
        "FROM python:3.11\n"
        'RUN ["pip", "install", "requests==2.31.0"]\n'
        'RUN ["/bin/sh", "-c", "pip install idna==3.7 && echo done"]\n'
    )
    packages = _packages(_parse(text))
    assert packages["requests"].origin == "Dockerfile:2"
    assert packages["idna"].origin == "Dockerfile:3"


def test_local_and_editable_installs() -> None:
    text = "FROM python:3.11\nWORKDIR /src\nCOPY . .\nRUN pip install -e . && pip install ./plugins/extra\n"
    manifest = _parse(text)
    kinds = {(p.name, p.source.kind, p.source.editable) for p in manifest.packages}
    assert kinds == {
        (".", SourceKind.DIRECTORY, True),
        ("./plugins/extra", SourceKind.DIRECTORY, False),
    }


def test_unresolved_variables_are_reported_not_guessed() -> None:
    text = "FROM python:3.11\nARG EXTRA\nRUN pip install $EXTRA $(cat pkgs.txt) tqdm==4.66.4\n"
    manifest = _parse(text)
    assert list(_packages(manifest)) == ["tqdm"]
    assert manifest.meta["unresolved"] == "Dockerfile:3: $EXTRA; Dockerfile:3: $(cat pkgs.txt)"


def test_arg_values_reach_run_commands() -> None:
    text = "FROM python:3.11\nARG TORCH=2.3.0\nRUN pip install torch==${TORCH}+cpu\n"
    torch = _packages(_parse(text))["torch"]
    assert (torch.version, torch.build) == ("2.3.0+cpu", "cpu")


def test_unquoted_comparison_is_a_shell_redirection() -> None:
    # The shell reads `torch>=2.0` as `torch` with output redirected to a file "=2.0".
    manifest = _parse("FROM python:3.11\nRUN pip install torch>=2.0\n")
    torch = _packages(manifest)["torch"]
    assert (torch.version, torch.spec) == (None, None)


def test_platform_untagged_digest_and_scratch() -> None:
    digest = "sha256:" + "ab" * 32
    text = (
        "FROM --platform=linux/amd64 ubuntu AS base\n"
        f"FROM python:3.11-slim@{digest} AS app\n"
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS tools\n"
        "FROM scratch\n"
    )
    manifest = _parse(text)
    meta = manifest.meta
    assert manifest.platforms == ("linux/amd64",)
    assert "stage.0.tag" not in meta
    assert meta["stage.1.digest"] == digest
    assert meta["stage.2.platform"] == "$BUILDPLATFORM"
    assert meta["stage.3.image"] == "scratch"
    assert "image.family" not in meta


def test_requirements_outside_the_context_and_without_a_reader() -> None:
    text = "FROM python:3.11\nRUN pip install -r /opt/generated.txt\n"
    include = _parse(text).includes[0]
    assert (include.resolved, include.reason) == (False, NOT_IN_CONTEXT)
    text = "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt -c constraints.txt\n"
    manifest = parse(text, origin="Dockerfile")
    assert [(i.kind, i.reason) for i in manifest.includes] == [
        (IncludeKind.REQUIREMENTS, NO_READER),
        (IncludeKind.CONSTRAINTS, NOT_IN_CONTEXT),
    ]


def test_empty_and_comment_only_files_are_empty_manifests() -> None:
    for text in ("", "# just a comment\n\n", "\\\n"):
        manifest = parse(text, origin="Dockerfile")
        assert manifest.packages == () and manifest.meta == {}


def test_crlf_line_endings() -> None:
    text = "FROM python:3.11\r\nRUN pip install \\\r\n    attrs==23.2.0\r\n"
    assert _packages(_parse(text))["attrs"].origin == "Dockerfile:3"


def test_fixture_dockerfile_of_the_consistent_repository() -> None:
    folder = FIXTURES / "consistent"
    files = {"requirements.txt": (folder / "requirements.txt").read_text()}
    manifest = _parse((folder / "Dockerfile").read_text(), files)
    assert manifest.meta["image.cuda"] == "12.1.1"
    assert manifest.meta["image.digest"].startswith("sha256:")
    assert manifest.meta["run.python"] == "3.11"
    assert _packages(manifest)["torch"].version == "2.3.0+cu121"
    assert len(manifest.packages) == 14


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("FORM ubuntu:22.04\n", 1, "unknown instruction 'FORM'"),
        ("# comment\nRUN pip install x\nFROM python\n", 2, "RUN before the first FROM"),
        ("FROM python:3.11\nRUN <<EOF\npip install x\n", 2, "not terminated by a EOF line"),
        ("FROM python:3.11\nRUN pip install 'numpy\n", 2, "unterminated single quote"),
        ("FROM Ubuntu:22.04\n", 1, "invalid image reference"),
        ("FROM python:3.11 builder\n", 1, "expected FROM [--platform=PLATFORM] IMAGE [AS NAME]"),
        ("FROM python:3.11\nRUN pip install -r\n", 2, "option -r expects a value"),
        ("FROM python:3.11\nENV ONLY_A_NAME\n", 2, "has no value"),
        ("FROM python:3.11\nRUN conda install 'numpy>=>1'\n", 2, "invalid MatchSpec"),
        ("FROM python:3.11\nRUN \\\n  pip install 'torch==='\n", 3, "invalid requirement"),
        ("ARG 1BAD=x\nFROM python\n", 1, "invalid ARG name '1BAD'"),
        ("FROM python:3.11\n\x00", 2, "NUL byte"),
    ],
)
def test_malformed_dockerfiles(text: str, line: int, message: str) -> None:
    with pytest.raises(ParseError) as info:
        _parse(text)
    assert info.value.line == line
    assert message in info.value.message


def test_missing_requirements_file_in_the_context_is_an_include_error() -> None:
    text = "FROM python:3.11\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n"
    with pytest.raises(IncludeError) as info:
        _parse(text)
    assert info.value.line == 4
    assert "no such file" in info.value.message
