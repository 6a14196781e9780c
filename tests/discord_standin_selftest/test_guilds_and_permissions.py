"""The stand-in's guild routes (what ``quotebot doctor`` reads) and channel permission overwrites, as on Discord."""

from __future__ import annotations

import dataclasses

import discord
import pytest

from tests.discord_standin import DiscordOpenAPI, DiscordStandin, Permission, World
from tests.discord_standin.world import OVERWRITE_MEMBER, OVERWRITE_ROLE, Overwrite


def _world_with_a_closed_channel() -> World:
    """#quotes denies Send Messages to @everyone and the bot's role; #general lets the bot in by a member overwrite
    although its role is denied there too."""
    world = World.default()
    guild = world.guild
    bot_role = next(role for role in guild.roles if role.bot_id == world.bot.id)
    closed = dataclasses.replace(
        world.quotes,
        overwrites=(
            Overwrite(guild.id, OVERWRITE_ROLE, deny=Permission.SEND_MESSAGES),
            Overwrite(bot_role.id, OVERWRITE_ROLE, deny=Permission.SEND_MESSAGES),
        ),
    )
    member_allowed = dataclasses.replace(
        world.general,
        overwrites=(
            Overwrite(bot_role.id, OVERWRITE_ROLE, deny=Permission.SEND_MESSAGES),
            Overwrite(world.bot.id, OVERWRITE_MEMBER, allow=Permission.SEND_MESSAGES),
        ),
    )
    channels = tuple(
        {closed.id: closed, member_allowed.id: member_allowed}.get(channel.id, channel) for channel in guild.channels
    )
    guild = dataclasses.replace(guild, channels=channels)
    return dataclasses.replace(world, guild=guild, quotes=closed, general=member_allowed)


@pytest.mark.asyncio
async def test_discord_py_reads_guilds_channels_and_members_and_computes_what_the_standin_enforces(
    discord_openapi: DiscordOpenAPI,
) -> None:
    world = _world_with_a_closed_channel()
    client = discord.Client(intents=discord.Intents.none())
    async with DiscordStandin(world) as standin:
        with standin.patch_discord():
            async with client:
                await client.login(standin.token)
                listed = [guild async for guild in client.fetch_guilds()]
                guild = await client.fetch_guild(world.guild.id)
                member = await guild.fetch_member(world.bot.id)
                channels = {channel.id: channel for channel in await guild.fetch_channels()}
                quotes = channels[world.quotes.id]
                assert isinstance(quotes, discord.TextChannel)
                with pytest.raises(discord.Forbidden) as refused:
                    await quotes.send("hello")
                general = channels[world.general.id]
                assert isinstance(general, discord.TextChannel)
                await general.send("hello")
        requests = [r for r in standin.requests if r.is_api]
    assert [(g.id, g.name) for g in listed] == [(world.guild.id, "Quote Lab")]
    assert refused.value.code == 50013
    for channel_id in (world.quotes.id, world.general.id):
        expected = world.guild.channel_permissions_of(world.bot, world.channel(channel_id))
        assert channels[channel_id].permissions_for(member).value == expected
    assert not channels[world.quotes.id].permissions_for(member).send_messages
    assert channels[world.general.id].permissions_for(member).send_messages
    discord_openapi.validate_requests(requests)
    answered = [r for r in requests if r.status < 400]  # the spec describes errors as one generic 4XX answer
    assert [e for r in answered for e in discord_openapi.response_errors(r)] == []


@pytest.mark.asyncio
async def test_a_guild_the_bot_is_not_in_is_missing_access_and_an_unknown_member_is_404(
    discord_standin: DiscordStandin,
) -> None:
    client = discord.Client(intents=discord.Intents.none())
    async with client:
        await client.login(discord_standin.token)
        with pytest.raises(discord.Forbidden) as missing:
            await client.fetch_guild(1234)
        guild = await client.fetch_guild(discord_standin.world.guild.id)
        with pytest.raises(discord.NotFound) as unknown:
            await guild.fetch_member(5678)
    assert (missing.value.code, unknown.value.code) == (50001, 10007)
