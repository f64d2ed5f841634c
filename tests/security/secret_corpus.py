"""Token-bearing inputs: every place a credential can hide in a file envaudit reads.

Each secret is unique (``SECRET_PREFIX`` + a number) so that a leak names its source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SECRET_PREFIX = "zQx7s3cr3t"
SHA = "ab" * 32


def secret(number: int) -> str:
    return f"{SECRET_PREFIX}{number:02d}Tk"


S = [secret(n) for n in range(40)]


@dataclass(frozen=True)
class CorpusFile:
    name: str
    fmt: str
    text: str

    def secrets(self) -> list[str]:
        return [s for s in S if s in self.text]


REQUIREMENTS = f"""\
--index-url https://user:{S[0]}@pypi.internal.example/simple
--extra-index-url https://__token__:pypi-AgEIcHlwaS5vcmc{S[1]}@upload.pypi.example/simple
--find-links https://files.example/wheels/?token={S[2]}
-c https://deploy:{S[3]}@config.example/constraints.txt
numpy==1.26.4 --hash=sha256:{SHA}
private-pkg @ https://{S[4]}@artifacts.example/private_pkg-1.0-py3-none-any.whl
-e git+https://oauth2:{S[5]}@gitlab.example/group/repo.git@v1.0#egg=repo
other @ https://files.example/other-2.0.tar.gz?X-Amz-Signature={S[6]}&sig={S[7]}
--trusted-host https://admin:{S[8]}@mirror.example
--extra-index-url https://user:${{PIP_PASSWORD}}@pypi.internal.example/simple
torch==2.1.0 ; sys_platform == "linux"
"""

FREEZE = f"""\
certifi==2024.2.2
privatelib @ git+https://x-access-token:{S[9]}@github.com/org/privatelib@{"c" * 40}
-e git+https://{S[10]}@github.com/org/tool.git@{"d" * 40}#egg=tool
wheelie @ https://user:{S[11]}@wheels.example/wheelie-1.0-py3-none-any.whl
"""

ENVIRONMENT = f"""\
name: demo
channels:
  - https://conda.anaconda.org/t/{S[12]}/private-channel
  - https://user:{S[13]}@conda.mirror.example/conda-forge
  - defaults
dependencies:
  - python=3.11
  - numpy=1.26.4=py311h_0
  - pip
  - pip:
      - --index-url https://ci:{S[14]}@pypi.internal.example/simple
      - secret-tool @ https://{S[15]}@artifacts.example/secret_tool-1.0-py3-none-any.whl
      - requests==2.31.0
"""

EXPLICIT = f"""\
# platform: linux-64
@EXPLICIT
https://conda.anaconda.org/t/{S[16]}/private/linux-64/numpy-1.26.4-py311h64a7726_0.conda#{"e" * 32}
https://user:{S[17]}@mirror.example/conda-forge/noarch/tqdm-4.66.1-pyhd8ed1ab_0.conda
https://mirror.example/t/{S[18]}/conda-forge/linux-64/python-3.11.7-hab00c5b_1_cpython.conda
"""

POETRY = f"""\
[[package]]
name = "private-lib"
version = "1.0.0"
description = ""
optional = false
python-versions = "*"
files = [
    {{file = "private_lib-1.0.0-py3-none-any.whl", hash = "sha256:{SHA}"}},
]

[package.source]
type = "legacy"
url = "https://user:{S[19]}@pypi.internal.example/simple"
reference = "internal"

[[package]]
name = "gitdep"
version = "0.1.0"
description = ""
optional = false
python-versions = "*"
files = []

[package.source]
type = "git"
url = "https://oauth2:{S[20]}@gitlab.example/org/gitdep.git"
reference = "main"
resolved_reference = "{"f" * 40}"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "{SHA}"
"""

UV = f"""\
version = 1
requires-python = ">=3.11"

[[package]]
name = "private-lib"
version = "1.0.0"
source = {{ registry = "https://user:{S[21]}@pypi.internal.example/simple" }}
sdist = {{ url = "https://user:{S[21]}@pypi.internal.example/files/private_lib-1.0.0.tar.gz", hash = "sha256:{SHA}", size = 10 }}

[[package]]
name = "gitdep"
version = "0.1.0"
source = {{ git = "https://{S[22]}@github.com/org/gitdep?rev=main#{"a" * 40}" }}

[[package]]
name = "urldep"
version = "2.0"
source = {{ url = "https://files.example/urldep-2.0.tar.gz?access_token={S[23]}" }}
sdist = {{ url = "https://files.example/urldep-2.0.tar.gz?access_token={S[23]}", hash = "sha256:{SHA}" }}
"""

PIPFILE = json.dumps(
    {
        "_meta": {
            "hash": {"sha256": SHA},
            "pipfile-spec": 6,
            "requires": {"python_version": "3.11"},
            "sources": [
                {
                    "name": "internal",
                    "url": f"https://user:{S[24]}@pypi.internal.example/simple",
                    "verify_ssl": True,
                }
            ],
        },
        "default": {
            "private-lib": {
                "hashes": [f"sha256:{SHA}"],
                "index": "internal",
                "version": "==1.0.0",
            },
            "gitdep": {"git": f"https://{S[25]}@github.com/org/gitdep.git", "ref": "a" * 40},
        },
        "develop": {},
    },
    indent=4,
)

PDM = f"""\
[metadata]
groups = ["default"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"
content_hash = "sha256:{SHA}"

[[package]]
name = "private-lib"
version = "1.0.0"
requires_python = ">=3.8"
summary = ""
groups = ["default"]
files = [
    {{url = "https://user:{S[26]}@pypi.internal.example/files/private_lib-1.0.0.tar.gz", hash = "sha256:{SHA}"}},
]

[[package]]
name = "gitdep"
version = "0.1.0"
requires_python = ">=3.8"
git = "https://{S[27]}@github.com/org/gitdep.git"
ref = "main"
revision = "{"b" * 40}"
summary = ""
groups = ["default"]
"""

PYLOCK = f"""\
lock-version = "1.0"
created-by = "test"

[[packages]]
name = "private-lib"
version = "1.0.0"
index = "https://user:{S[28]}@pypi.internal.example/simple"
sdist = {{ url = "https://user:{S[28]}@pypi.internal.example/files/private_lib-1.0.0.tar.gz", hashes = {{ sha256 = "{SHA}" }} }}

[[packages]]
name = "gitdep"
version = "0.1.0"
vcs = {{ type = "git", url = "https://{S[29]}@github.com/org/gitdep.git", commit-id = "{"c" * 40}" }}
"""

CONDA_LOCK = f"""\
version: 1
metadata:
  content_hash:
    linux-64: {SHA}
  channels:
  - url: https://conda.anaconda.org/t/{S[30]}/private
    used_env_vars: []
  platforms:
  - linux-64
  sources:
  - environment.yml
package:
- name: numpy
  version: 1.26.4
  manager: conda
  platform: linux-64
  dependencies: {{}}
  url: https://conda.anaconda.org/t/{S[30]}/private/linux-64/numpy-1.26.4-py311h64a7726_0.conda
  hash:
    md5: {"e" * 32}
    sha256: {SHA}
  category: main
  optional: false
- name: private-lib
  version: 1.0.0
  manager: pip
  platform: linux-64
  dependencies: {{}}
  url: https://user:{S[31]}@pypi.internal.example/files/private_lib-1.0.0-py3-none-any.whl
  hash:
    sha256: {SHA}
  category: main
  optional: false
"""

PIXI = f"""\
version: 6
environments:
  default:
    channels:
    - url: https://conda.anaconda.org/t/{S[32]}/private/
    indexes:
    - https://user:{S[33]}@pypi.internal.example/simple
    packages:
      linux-64:
      - conda: https://conda.anaconda.org/t/{S[32]}/private/linux-64/numpy-1.26.4-py311h64a7726_0.conda
      - pypi: https://user:{S[33]}@pypi.internal.example/files/private_lib-1.0.0-py3-none-any.whl
packages:
- conda: https://conda.anaconda.org/t/{S[32]}/private/linux-64/numpy-1.26.4-py311h64a7726_0.conda
  sha256: {SHA}
  md5: {"e" * 32}
  depends: []
  license: BSD-3-Clause
  size: 10
  timestamp: 1700000000000
- pypi: https://user:{S[33]}@pypi.internal.example/files/private_lib-1.0.0-py3-none-any.whl
  name: private-lib
  version: 1.0.0
  sha256: {SHA}
  requires_python: '>=3.8'
"""

DOCKERFILE = f"""\
FROM python:3.11-slim
ARG PIP_INDEX_URL=https://user:{S[34]}@pypi.internal.example/simple
RUN pip install --index-url https://ci:{S[35]}@pypi.internal.example/simple numpy==1.26.4 \\
    && pip install "private-lib @ https://{S[36]}@artifacts.example/private_lib-1.0-py3-none-any.whl"
"""

# Malformed files whose error message would quote the secret-bearing line.
BROKEN_REQUIREMENTS = f"""\
numpy==1.26.4
this is not @ https://user:{S[37]}@pypi.internal.example/simple a requirement ===
"""
BROKEN_EXPLICIT = f"""\
@EXPLICIT
https://user:{S[38]}@mirror.example/conda-forge/noarch/not-a-package
"""
BROKEN_TOML = f"""\
[[package]]
name = "x"
version = ["https://user:{S[39]}@pypi.internal.example/simple"]
"""

CORPUS = (
    CorpusFile("requirements.txt", "requirements", REQUIREMENTS),
    CorpusFile("requirements-frozen.txt", "pip-freeze", FREEZE),
    CorpusFile("environment.yml", "conda-env", ENVIRONMENT),
    CorpusFile("conda-linux-64-explicit.txt", "conda-explicit", EXPLICIT),
    CorpusFile("poetry.lock", "poetry-lock", POETRY),
    CorpusFile("uv.lock", "uv-lock", UV),
    CorpusFile("Pipfile.lock", "pipfile-lock", PIPFILE),
    CorpusFile("pdm.lock", "pdm-lock", PDM),
    CorpusFile("pylock.toml", "pylock", PYLOCK),
    CorpusFile("conda-lock.yml", "conda-lock", CONDA_LOCK),
    CorpusFile("pixi.lock", "pixi-lock", PIXI),
    CorpusFile("Dockerfile", "dockerfile", DOCKERFILE),
)
BROKEN = (
    CorpusFile("broken-requirements.txt", "requirements", BROKEN_REQUIREMENTS),
    CorpusFile("broken-explicit.txt", "conda-explicit", BROKEN_EXPLICIT),
    CorpusFile("broken/poetry.lock", "poetry-lock", BROKEN_TOML),
)


def write_corpus(directory: Path) -> list[Path]:
    paths = []
    for item in (*CORPUS, *BROKEN):
        path = directory / item.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.text, encoding="utf-8")
        paths.append(path)
    return paths


def all_secrets() -> set[str]:
    return {s for item in (*CORPUS, *BROKEN) for s in item.secrets()}
