"""Structure-aware generators: requirements lines, conda MatchSpecs, explicit-spec URLs."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.fuzz.harness import SECRET
from tests.fuzz.strategies import ADVERSARIAL

NAMES = ("numpy", "torch", "scikit-learn", "Django", "zope.interface", "a", "my_pkg", "py-opencv")
VERSIONS = ("1.0", "2.0.1+cu118", "1.24.*", "0.1.dev0", "1!2.0", "2024.1.1", "1.0rc1", "1.0.post1")
OPERATORS = ("==", ">=", "<=", "!=", "~=", "===", ">", "<", "=")
MARKERS = (
    'python_version < "3.11"',
    "sys_platform == 'linux'",
    'platform_machine == "x86_64" and extra == "gpu"',
    "python_version >= '3' or os_name == 'nt'",
    "implementation_name == 'cpython'",
    "python_version <",
)
HOSTS = ("pypi.org", "download.pytorch.org", "h", "[::1]", "example.com:8080")
HASH_ALGORITHMS = ("sha256", "sha384", "sha512", "md5", "blake2b")


def _pick(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Mostly the given values, sometimes an adversarial string, sometimes random text."""
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(values),
        st.sampled_from(values),
        st.sampled_from(ADVERSARIAL),
        st.text(max_size=12),
    )


@st.composite
def urls(draw: st.DrawFn, *, with_secret: bool = True) -> str:
    scheme = draw(st.sampled_from(("https", "http", "file", "git+https", "git+ssh", "hg+https")))
    userinfo = ""
    if with_secret and draw(st.booleans()):
        # over ssh a bare ``name@`` is an account, not a secret (git@github.com)
        bare = ("git@",) if scheme.endswith("ssh") else (f"{SECRET}@",)
        userinfo = draw(st.sampled_from((f"user:{SECRET}@", f"__token__:{SECRET}@", *bare)))
    path = draw(st.sampled_from(("/simple", "/a/b.git", "/x-1.0-py3-none-any.whl", "/pkg.tar.gz")))
    ref = draw(st.sampled_from(("", "@main", "@" + "c" * 40, "@v1.0")))
    fragment = draw(
        st.sampled_from(
            ("", "#egg=x", "#subdirectory=sub", "#sha256=" + "d" * 64, "#egg=x&subdirectory=s")
        )
    )
    query = draw(st.sampled_from(("", f"?token={SECRET}", "?a=1&b=2")))
    return f"{scheme}://{userinfo}{draw(_pick(HOSTS))}{path}{ref}{query}{fragment}"


@st.composite
def requirement(draw: st.DrawFn) -> str:
    name = draw(_pick(NAMES))
    extras = draw(st.sampled_from(("", "[gpu]", "[a,b]", "[", "[]")))
    if draw(st.integers(0, 4)) == 0:
        body = f"{name}{extras} @ {draw(urls())}"
    else:
        clauses = draw(
            st.lists(st.tuples(_pick(OPERATORS), _pick(VERSIONS)), max_size=3).map(
                lambda parts: ",".join(op + version for op, version in parts)
            )
        )
        body = f"{name}{extras}{clauses}"
    if draw(st.booleans()):
        body += draw(st.sampled_from(("; ", " ; ", ";"))) + draw(_pick(MARKERS))
    hashes = draw(
        st.lists(
            st.builds(
                lambda alg, value: f" --hash={alg}:{value}",
                _pick(HASH_ALGORITHMS),
                st.sampled_from(("a" * 64, "B" * 64, "xyz", "")),
            ),
            max_size=3,
        )
    )
    return body + "".join(hashes)


@st.composite
def option_line(draw: st.DrawFn) -> str:
    option = draw(
        st.sampled_from(
            (
                "-r",
                "-c",
                "--requirement",
                "--constraint=",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "--trusted-host",
                "--pre",
                "--no-binary",
                "--only-binary",
                "--prefer-binary",
                "--no-index",
                "--hash",
                "--unknown-option",
                "-Z",
            )
        )
    )
    value = draw(
        st.one_of(
            urls(),
            st.sampled_from(("base.txt", "missing.txt", "sub/dev.txt", ":all:", "numpy,scipy")),
            st.sampled_from(("../../../etc/passwd", "/etc/passwd", ".", "")),
        )
    )
    separator = "" if option.endswith("=") else draw(st.sampled_from((" ", "=", "  ")))
    return f"{option}{separator}{value}"


@st.composite
def requirements_file(draw: st.DrawFn) -> str:
    """A requirements.txt (or pip freeze) built line by line from pip's grammar."""
    line = st.one_of(
        requirement(),
        requirement(),
        option_line(),
        st.sampled_from(
            ("", "# comment", "  # indented", "## !! Could not determine repository location")
        ),
        st.builds(lambda env: f"${{{env}}}", st.sampled_from(("PIP_PASSWORD", "lower", "X_1"))),
        st.sampled_from(ADVERSARIAL),
    )
    lines = draw(st.lists(line, max_size=12))
    joiners = st.sampled_from(("\n", "\n", "\n", " \\\n", "\r\n", " # trailing\n"))
    return "".join(text + draw(joiners) for text in lines)


@st.composite
def matchspec(draw: st.DrawFn) -> str:
    """A conda MatchSpec: ``[channel::]name[brackets][ version[ build]]`` and the ``=`` forms."""
    channel = draw(
        st.sampled_from(("", "conda-forge::", "pytorch::", "pkgs/main::", "::", "a/b::"))
    )
    name = draw(_pick(("numpy", "pytorch", "python", "cudatoolkit", "_libgcc_mutex", "py-opencv")))
    brackets = draw(
        st.sampled_from(
            ("", "[version='>=1.2']", "[build=*cuda*]", "[md5=abc,sha256=def]", "[", "[x=]", "[=1]")
        )
    )
    version = draw(
        _pick(("1.24", "1.24.*", ">=1.2,<2", "1.24|1.25", "*", "=1.24", "!=1.0", "1.0a1"))
    )
    build = draw(_pick(("py311h_0", "*cuda*", "0", "h1234567_1", "*")))
    form = draw(st.integers(0, 4))
    if form == 0:
        body = name
    elif form == 1:
        body = f"{name} {version}"
    elif form == 2:
        body = f"{name} {version} {build}"
    elif form == 3:
        body = f"{name}={version}={build}"
    else:
        body = f"{name}=={version}"
    return f"{channel}{body}{brackets}"


@st.composite
def environment_yml(draw: st.DrawFn) -> str:
    """An environment.yml with generated MatchSpecs and a generated ``pip:`` list."""
    import json

    dependencies: list[object] = draw(st.lists(matchspec(), max_size=8))
    if draw(st.booleans()):
        pip = draw(st.lists(st.one_of(requirement(), option_line()), max_size=6))
        dependencies.insert(draw(st.integers(0, len(dependencies))), {"pip": pip})
    document = {
        "name": draw(st.sampled_from(("env", None, "", "x" * 300))),
        "channels": draw(
            st.lists(st.sampled_from(("conda-forge", "defaults", "pytorch", "")), max_size=3)
        ),
        "dependencies": dependencies,
    }
    if draw(st.booleans()):
        document["prefix"] = "/opt/conda/envs/env"
    return json.dumps(document)  # JSON is YAML


@st.composite
def explicit_file(draw: st.DrawFn) -> str:
    """A conda explicit spec: ``@EXPLICIT`` then ``<channel>/<subdir>/<n>-<v>-<b>.<ext>[#hash]``."""
    lines = ["# platform: " + draw(st.sampled_from(("linux-64", "osx-arm64", "", "x y")))]
    if draw(st.integers(0, 5)):
        lines.append("@EXPLICIT")
    for _ in range(draw(st.integers(0, 6))):
        channel = draw(
            st.sampled_from(
                (
                    "https://conda.anaconda.org/conda-forge",
                    f"https://conda.anaconda.org/t/{SECRET}/private",
                    "https://repo.anaconda.com/pkgs/main",
                    f"https://user:{SECRET}@mirror.example/conda",
                    "file:///opt/channel",
                    "https://[::1",
                    "",
                )
            )
        )
        subdir = draw(_pick(("linux-64", "noarch", "win-64")))
        stem = "-".join(
            draw(st.lists(_pick(("numpy", "1.24.3", "py311h_0", "")), min_size=1, max_size=4))
        )
        extension = draw(st.sampled_from((".conda", ".tar.bz2", ".zip", "")))
        digest = draw(
            st.sampled_from(("", "#" + "a" * 32, "#sha256:" + "b" * 64, "#" + "c" * 64, "#zz", "#"))
        )
        lines.append(f"{channel}/{subdir}/{stem}{extension}{digest}")
    return "\n".join(lines) + "\n"


@st.composite
def dockerfile(draw: st.DrawFn) -> str:
    """A Dockerfile whose RUN lines install with pip, conda or uv (continuations, &&, ARGs)."""
    base = draw(st.sampled_from(("python:3.11-slim", "nvidia/cuda:12.1.1-runtime-ubuntu22.04")))
    lines = [f"FROM {base}" + draw(st.sampled_from(("", " AS build", "@sha256:" + "a" * 64)))]
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(f"ARG PIP_INDEX_URL={draw(urls())}")
        elif kind == 1:
            quoted = [f'"{spec}"' for spec in draw(st.lists(requirement(), max_size=3))]
            options = draw(st.lists(option_line(), max_size=2))
            tool = draw(st.sampled_from(("pip install", "python -m pip install", "uv pip install")))
            lines.append(f"RUN {tool} {' '.join(options)} {' '.join(quoted)}")
        elif kind == 2:
            specs = " ".join(f'"{spec}"' for spec in draw(st.lists(matchspec(), max_size=3)))
            lines.append(f"RUN conda install -y -c conda-forge {specs} && conda clean -afy")
        elif kind == 3:
            lines.append(draw(st.sampled_from(("ENV A=1", "WORKDIR /app", "COPY . .", "# note"))))
        else:
            lines.append("RUN pip install \\\n    " + draw(requirement()) + " \\\n    && true")
    return "\n".join(lines) + "\n"
