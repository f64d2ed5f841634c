"""Git helpers shared by the tests that build temporary repositories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# A fixed test identity, and no system config: commits are reproducible on any machine.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def isolated_git_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A test identity and an empty global git config (never the machine's, nor /dev/null).

    Each test module registers it with ``pytest.fixture(scope="module", autouse=True)``.
    """
    config = tmp_path_factory.mktemp("git-config") / "gitconfig"
    config.write_text("")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**GIT_ENV, "GIT_CONFIG_GLOBAL": str(config)}.items():
            patch.setenv(key, value)
        yield
