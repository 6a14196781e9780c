"""pytest fixtures for end-to-end tests against the Discord stand-in.

Import them into a conftest (``from tests.discord_standin.fixtures import
discord_standin, discord_openapi``). The async fixture runs in pytest-asyncio's
per-test event loop, like the tests using it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from .openapi import DiscordOpenAPI, load_spec
from .server import DiscordStandin
from .world import World, second_guild


@contextlib.asynccontextmanager
async def checked_standin(world: World | None = None) -> AsyncIterator[DiscordStandin]:
    """A started stand-in serving ``world``, with discord.py pointed at it; checked when the block ends.

    Leaving fails if the bot called a route the stand-in does not serve, if
    the stand-in itself crashed, or if any request body the bot sent breaks
    Discord's OpenAPI description.
    """
    async with DiscordStandin(world) as standin:
        with standin.patch_discord():
            yield standin
    standin.assert_no_unknown_routes()
    standin.assert_no_faults()
    load_spec().validate_requests(standin.requests)


@pytest_asyncio.fixture
async def discord_standin() -> AsyncIterator[DiscordStandin]:
    """A started stand-in with discord.py pointed at it, checked when the test ends (``checked_standin``).

    Stop the bot before the test returns (``async with standin.running(bot)``).
    """
    async with checked_standin() as standin:
        yield standin


@pytest_asyncio.fixture
async def two_server_standin() -> AsyncIterator[DiscordStandin]:
    """``discord_standin`` with a second guild (``second_guild``: beth moderates it, alice is in both),
    on the other shard of two from the first."""
    world = World.default()
    async with checked_standin(world.with_guilds(second_guild(world))) as standin:
        yield standin


@pytest.fixture
def discord_openapi() -> DiscordOpenAPI:
    """Discord's OpenAPI description (the committed, trimmed copy)."""
    return load_spec()
