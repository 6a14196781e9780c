"""The stand-in shards as Discord does: each session gets its shard's guilds and their events, and a bad
shard pair is refused at IDENTIFY."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.discord_standin import DiscordStandin, World, second_guild
from tests.discord_standin.fixtures import checked_standin


def two_guild_world(recommended_shards: int = 2) -> World:
    world = World.default()
    return world.with_guilds(second_guild(world), recommended_shards=recommended_shards)


def shard_client(shard_id: int) -> discord.AutoShardedClient:
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.dm_messages = True
    return discord.AutoShardedClient(intents=intents, shard_count=2, shard_ids=[shard_id], guild_ready_timeout=0.1)


async def test_each_shard_gets_only_its_guilds_and_their_events() -> None:
    async with checked_standin(two_guild_world()) as standin:
        first, second = standin.world.guilds
        shard_0, shard_1 = shard_client(0), shard_client(1)
        async with standin.running(shard_0), standin.running(shard_1):
            in_first = await standin.send_message("hello first")
            in_second = await standin.send_message("hello second", channel=second.text_channels[0])
            in_dm = await standin.send_message("hello bot", channel=standin.world.dm(standin.world.alice))
            guilds = ([g.id for g in shard_0.guilds], [g.id for g in shard_1.guilds])
            sessions = sorted(session.shard for session in standin.sessions)
    assert guilds == ([first.id], [second.id])
    assert sessions == [(0, 2), (1, 2)]
    ready = {frame.shard: [g["id"] for g in frame.d["guilds"]] for frame in standin.frames_of("READY")}
    assert ready == {0: [str(first.id)], 1: [str(second.id)]}
    routed = {frame.d["id"]: frame.shard for frame in standin.frames_of("MESSAGE_CREATE")}
    assert routed == {in_first["id"]: 0, in_second["id"]: 1, in_dm["id"]: 0}


async def test_gateway_bot_recommends_the_worlds_shard_count() -> None:
    async with DiscordStandin(two_guild_world(recommended_shards=3)) as standin, aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bot {standin.token}"}
        async with http.get(standin.api_url + "/gateway/bot", headers=headers) as response:
            answer = await response.json()
    assert answer["shards"] == 3 and answer["url"] == standin.gateway_url


@pytest.mark.parametrize("shard", [[2, 2], [0, 0], [-1, 2], [0], "0,2", [True, 2]])
async def test_an_identify_with_a_bad_shard_pair_is_closed_with_4010(shard) -> None:  # type: ignore[no-untyped-def]
    async with (
        DiscordStandin(two_guild_world()) as standin,
        aiohttp.ClientSession() as http,
        http.ws_connect(standin.gateway_url) as ws,
    ):
        hello = await ws.receive_json()
        identify = {"token": standin.token, "intents": 1, "properties": {}, "shard": shard}
        await ws.send_json({"op": 2, "d": identify})
        closing = await ws.receive()
    assert hello["op"] == 10
    assert (closing.type, ws.close_code) == (aiohttp.WSMsgType.CLOSE, 4010)
    assert standin.sessions == ()
