"""Fixtures shared by the bot tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No quotebot variables from the developer's shell or ``.env``: tests set exactly what they need."""
    for name in list(os.environ):
        if name.startswith("QUOTEBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# The Discord stand-in's fixtures, for the end-to-end tests (tests/bot/test_e2e_*.py).
from tests.discord_standin.fixtures import discord_openapi, discord_standin  # noqa: E402

__all__ = ["clean_env", "discord_openapi", "discord_standin"]
