"""Makes the stand-in's fixtures available to its self-test."""

from tests.discord_standin.fixtures import discord_openapi, discord_standin

__all__ = ["discord_openapi", "discord_standin"]
