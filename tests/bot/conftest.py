"""Fixtures shared by the bot tests, including the Discord stand-in's for the end-to-end tests."""

from __future__ import annotations

import os

import pytest

from tests.discord_standin.fixtures import discord_openapi, discord_standin


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No quotebot variables from the developer's shell or ``.env``: tests set exactly what they need."""
    for name in list(os.environ):
        if name.startswith("QUOTEBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


__all__ = ["clean_env", "discord_openapi", "discord_standin"]
