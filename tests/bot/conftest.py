"""Fixtures shared by the bot tests, including the Discord stand-in's for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.conftest import REPO_ROOT
from tests.discord_standin.fixtures import discord_openapi, discord_standin, two_server_standin


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No quotebot variables from the developer's shell or ``.env``: tests set exactly what they need."""
    for name in list(os.environ):
        if name.startswith("QUOTEBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run_cli(clean_env) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Runs ``python -m bot ARGS`` as a user would: in ``clean_env``'s folder, with no quotebot variables or token.

    ``run_cli("chat", "--corpus", path, input="question\\n")`` returns the finished
    process with its text output; a non-zero exit is returned, not raised.
    """
    env = {
        key: value for key, value in os.environ.items() if key != "DISCORD_TOKEN" and not key.startswith("QUOTEBOT_")
    }
    env["PYTHONPATH"] = str(REPO_ROOT)

    def run(*argv: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "quotebot", *argv],
            input=input,
            check=False,
            capture_output=True,
            text=True,
            env=env,
            cwd=clean_env,
            timeout=timeout,
        )

    return run


__all__ = ["clean_env", "discord_openapi", "discord_standin", "run_cli", "two_server_standin"]
