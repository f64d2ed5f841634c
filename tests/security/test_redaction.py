"""Credential redaction: every shape a secret takes in a URL, and what must stay readable."""

from __future__ import annotations

import pytest

from envaudit.errors import ParseError
from envaudit.loader import load_text
from envaudit.redact import has_credentials, redact_text, redact_url

SECRET = "s3cr3tValue"


@pytest.mark.parametrize(
    "raw",
    [
        f"https://user:{SECRET}@pypi.example/simple",
        f"https://__token__:pypi-AgEIcHlwaS5vcmc{SECRET}@upload.pypi.org/legacy/",
        f"https://{SECRET}@github.com/org/repo.git",
        f"git+https://oauth2:{SECRET}@gitlab.example/g/r.git@v1#egg=r",
        f"git+ssh://git:{SECRET}@github.com/org/repo.git",
        f"https://user:p@ss{SECRET}@host/simple",  # an unencoded '@' in the password
        f"https://h/simple/?token={SECRET}",
        f"https://h/f.whl?X-Amz-Algorithm=AWS4&X-Amz-Credential={SECRET}&X-Amz-Signature={SECRET}",
        f"https://h/f.whl?X-Amz-Security-Token={SECRET}",
        f"https://h/blob?sv=2022-11-02&sig={SECRET}&se=2030",
        f"https://h/x?client_secret={SECRET}",
        f"https://h/x?api-key={SECRET}&apikey={SECRET}&key={SECRET}",
        f"https://h/x?private_token={SECRET}",
        f"https://h/x?password={SECRET}&passwd={SECRET}",
        f"https://h/cb#access_token={SECRET}",
        f"https://conda.anaconda.org/t/{SECRET}/channel/linux-64/x-1-0.conda",
        f"https://mirror.example/t/{SECRET}/conda-forge/noarch/",
        f"--extra-index-url https://u:{SECRET}@h/simple and https://v:{SECRET}@k/",
        f'"url": "https://u:{SECRET}@h/simple", "name": "x"',
    ],
)
def test_secret_is_redacted(raw: str) -> None:
    redacted = redact_text(raw)
    assert SECRET not in redacted
    assert "***" in redacted
    assert redact_text(redacted) == redacted  # idempotent
    assert has_credentials(raw)


@pytest.mark.parametrize(
    "kept",
    [
        "git+ssh://git@github.com/org/repo.git@v1.0",
        "git@github.com:org/repo.git",
        "https://pypi.org/simple",
        "https://h/pkg-1.0.tar.gz#sha256=" + "a" * 64,
        "https://h/r.git#egg=name&subdirectory=sub",
        "https://h/x?monkey=1&author=me&signed=1",
        "mail me at someone@example.com",
        "numpy @ https://h/numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl",
    ],
)
def test_non_secrets_are_kept(kept: str) -> None:
    assert redact_text(kept) == kept


def test_password_with_at_sign_leaves_the_host() -> None:
    assert redact_url("https://u:a@b@host.example/simple") == "https://***@host.example/simple"


def test_parse_error_messages_are_redacted() -> None:
    with pytest.raises(ParseError) as caught:
        load_text(
            f"@EXPLICIT\nhttps://u:{SECRET}@mirror.example/conda-forge/noarch/nope\n",
            origin="spec.txt",
            fmt="conda-explicit",
        )
    assert SECRET not in str(caught.value)
    assert "https://***@mirror.example" in str(caught.value)


def test_local_path_requirement_name_is_redacted() -> None:
    line = f"this is not @ https://user:{SECRET}@pypi.example/simple a requirement\n"
    manifest = load_text(line, origin="requirements.txt", fmt="requirements")
    assert SECRET not in manifest.to_json()


def test_environment_variables_are_never_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_PASSWORD", SECRET)
    text = "--index-url https://user:${PIP_PASSWORD}@pypi.example/simple\nnumpy==1.0\n"
    manifest = load_text(text, origin="requirements.txt", fmt="requirements")
    assert SECRET not in manifest.to_json()
    assert manifest.indexes[0].url == "https://***@pypi.example/simple"


def test_dockerfile_unresolved_requirement_is_redacted() -> None:
    # found by tests/fuzz (test_dockerfile_grammar): kept whole in meta["unresolved"]
    text = f'FROM python:3.11\nRUN pip install "numpy @ https://pypi.org/simple?token={SECRET}"\n'
    manifest = load_text(text, origin="Dockerfile", fmt="dockerfile")
    assert SECRET not in manifest.to_json()


def test_dockerfile_pip_option_values_are_redacted() -> None:
    # found by the long fuzz run (test_dockerfile_grammar): options were stored as written
    text = f"FROM python:3.11\nRUN pip install --no-binary https://u:{SECRET}@h/simple x\n"
    manifest = load_text(text, origin="Dockerfile", fmt="dockerfile")
    assert SECRET not in manifest.to_json()


def test_token_inside_another_parameters_value_is_redacted() -> None:
    # found by the long fuzz run: the value of #egg= swallowed a later ?token=
    raw = f"https://h/a@main#egg=b/simple?token={SECRET}&x=1"
    assert redact_text(raw) == "https://h/a@main#egg=b/simple?token=***&x=1"


def test_parameter_redaction_is_linear() -> None:
    from tests.security.budget import cpu_bound

    with cpu_bound(1.0):
        redact_text("https://h/?" + "a=?" * 300_000 + f"token={SECRET}")


def test_a_token_in_an_error_path_is_redacted_and_keeps_the_line() -> None:
    # Found by the long grammar fuzz run: an include named by a URL with ?token= became the
    # error's path; redacting "path:1: message" as one string swallowed ":1:" into the token.
    error = ParseError("reqs/base.txt?token=s3cr3tT0ken", "not a text file", line=1)
    assert str(error) == "reqs/base.txt?token=***:1: not a text file"
    assert "s3cr3tT0ken" not in error.path


def test_file_url_includes_of_another_host_are_not_read() -> None:
    text = "--constraint=file://pypi.org/simple?token=s3cr3tT0ken\n-r file:///etc/x?token=s3cr3tT0ken\n"
    manifest = load_text(text, origin="requirements.txt", fmt="requirements")
    (remote, local) = manifest.includes
    assert (remote.resolved, remote.reason) == (False, "remote include not fetched")
    assert remote.target == "file://pypi.org/simple?token=***"
    assert local.target == "file:///etc/x?token=***" and not local.resolved


def test_an_include_path_with_a_token_is_not_stored_in_origins() -> None:
    def reader(target: str, *, including: str) -> tuple[str, str]:
        return target, "numpy==1.26.4\n"

    text = "-r base.txt?token=s3cr3tT0ken\n"
    manifest = load_text(text, origin="requirements.txt", fmt="requirements", reader=reader)
    assert [p.origin for p in manifest.packages] == ["base.txt?token=***:1"]
    assert "s3cr3tT0ken" not in manifest.to_json()
