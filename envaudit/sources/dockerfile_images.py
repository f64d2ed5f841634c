"""Docker image references, and the system facts that well-known base-image tags declare."""

from __future__ import annotations

import re

from envaudit.record import record

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_TAG = re.compile(r"[\w][\w.\-]{0,127}")
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}")
_DEFAULT_REGISTRIES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


class ImageReferenceError(ValueError):
    """A string that is not a valid ``[registry/]repository[:tag][@digest]``."""


@record
class ImageReference:
    """A parsed image reference; ``repository`` has Docker Hub's implied parts removed."""

    written: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def floating(self) -> bool:
        """No tag and no digest (Docker picks ``latest``), or ``latest`` itself."""
        return self.digest is None and self.tag in (None, "latest")


def parse_image(written: str) -> ImageReference:
    """``nvidia/cuda:11.8.0-runtime-ubuntu22.04@sha256:...`` -> its parts."""
    rest, _, digest = written.partition("@")
    if digest and not _DIGEST.fullmatch(digest):
        raise ImageReferenceError(f"invalid digest {digest!r}")
    name, tag = rest, None
    last_slash = rest.rfind("/")
    if ":" in rest[last_slash + 1 :]:
        name, _, tag = rest.rpartition(":")
        if not _TAG.fullmatch(tag):
            raise ImageReferenceError(f"invalid tag {tag!r}")
    parts = name.split("/")
    registry = parts[0] if len(parts) > 1 and _is_registry(parts[0]) else None
    path = parts[1:] if registry else parts
    if not path or not all(_COMPONENT.fullmatch(part) for part in path):
        raise ImageReferenceError("expected [registry/]name[:tag][@digest] with a lower-case name")
    repository = name.lower()
    for prefix in _DEFAULT_REGISTRIES:
        repository = repository.removeprefix(prefix)
    repository = repository.removeprefix("library/")
    return ImageReference(written, repository, tag, digest or None)


def _is_registry(part: str) -> bool:
    return "." in part or ":" in part or part == "localhost"


@record
class ImageFamily:
    """A family of images whose tags encode facts; named groups of ``tag`` are fact names."""

    name: str
    repositories: tuple[str, ...]
    tag: re.Pattern[str]
    implied: tuple[tuple[str, str], ...] = ()


_CUDA = r"(?P<cuda>\d+\.\d+(?:\.\d+)?)"
_OS_WORD = (
    r"(?P<os>(?:xenial|bionic|focal|jammy|noble|buster|bullseye|bookworm|trixie|alpine)"
    r"(?:-slim)?|ubuntu\d+\.\d+|debian\d+)"
)

# The families decoded from tags (Docker Hub and NGC naming schemes, as published).
FAMILIES: tuple[ImageFamily, ...] = (
    ImageFamily(
        "nvidia-cuda",
        ("nvidia/cuda", "nvcr.io/nvidia/cuda"),
        re.compile(
            _CUDA + r"(?:-cudnn(?P<cudnn>\d*))?-(?P<variant>base|runtime|devel)"
            r"-(?P<os>[a-z]+\d+(?:\.\d+)?)"
        ),
    ),
    ImageFamily(
        "pytorch",
        ("pytorch/pytorch",),
        re.compile(
            r"(?P<torch>\d+\.\d+(?:\.\d+)?)-cuda(?P<cuda>\d+\.\d+)-cudnn(?P<cudnn>\d+)"
            r"-(?P<variant>runtime|devel)"
        ),
    ),
    ImageFamily(
        "python",
        ("python", "pypy"),
        re.compile(
            r"(?P<python>\d+(?:\.\d+){0,2})(?:(?:a|b|rc)\d+)?"
            r"(?:-(?P<os>(?:slim-)?[a-z]+(?:\d+(?:\.\d+)?)?|windowsservercore[\w.-]*))?"
        ),
    ),
    ImageFamily(
        "miniconda",
        ("continuumio/miniconda3", "continuumio/anaconda3"),
        re.compile(r"(?P<conda>\d+\.\d+\.\d+)(?:-\d+|p\d+)?(?:-(?P<os>alpine))?"),
        (("os", "debian"),),
    ),
    ImageFamily(
        "miniforge",
        ("condaforge/miniforge3", "condaforge/mambaforge", "condaforge/miniforge-pypy3"),
        re.compile(r"(?P<conda>\d+\.\d+\.\d+)(?:-\d+)?"),
        (("os", "ubuntu"),),
    ),
    ImageFamily(
        "micromamba",
        ("mambaorg/micromamba",),
        re.compile(
            r"(?:(?P<micromamba>\d+\.\d+\.\d+)(?:-|$))?" + _OS_WORD + r"?"
            r"(?:-cuda-" + _CUDA + r")?"
        ),
    ),
    ImageFamily("ubuntu", ("ubuntu",), re.compile(r"(?P<os>\d+\.\d+|[a-z]+)")),
    ImageFamily("debian", ("debian",), re.compile(r"(?P<os>\d+(?:\.\d+)?|[a-z]+)(?:-slim)?")),
    ImageFamily(
        "ngc-pytorch",
        ("nvcr.io/nvidia/pytorch",),
        re.compile(r"(?P<ngc_release>\d{2}\.\d{2})-py3(?:-igpu)?"),
    ),
)
_UBUNTU_CODENAMES = {
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
}
_DEBIAN_CODENAMES = {
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
}
_FAMILY_BY_REPOSITORY = {repo: family for family in FAMILIES for repo in family.repositories}


def image_facts(image: ImageReference) -> dict[str, str]:
    """The facts a known image's tag declares: ``family``, ``cuda``, ``cudnn``, ``os``, ``python``…

    Unknown images and unrecognised tags give only what is certain (possibly nothing).
    """
    family = _FAMILY_BY_REPOSITORY.get(image.repository)
    if family is None:
        return {}
    facts = {"family": family.name}
    match = family.tag.fullmatch(image.tag or "")
    if match is None:
        return facts
    facts.update(family.implied)
    for name, value in match.groupdict().items():
        if value:
            facts[name] = value
    if "os" in facts:
        facts["os"] = normalize_os(facts["os"], family.name)
    return facts


def normalize_os(written: str, family: str) -> str:
    """``jammy`` -> ``ubuntu22.04``; ``slim-bookworm`` -> ``debian12``; ``22.04`` on ubuntu too."""
    word = written.removeprefix("slim-").removesuffix("-slim")
    if word in _UBUNTU_CODENAMES:
        return "ubuntu" + _UBUNTU_CODENAMES[word]
    if word in _DEBIAN_CODENAMES:
        return "debian" + _DEBIAN_CODENAMES[word]
    if family in ("ubuntu", "debian") and word[:1].isdigit():
        return family + word
    if family == "python" and word == "slim":
        return "debian"
    return word
