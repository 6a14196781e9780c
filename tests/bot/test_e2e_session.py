"""End to end: how the bot logs in, what it asks the gateway for, and the commands it registers."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import discord
import pytest

import quotebot
from quotebot.bot.cli.runner import serve
from quotebot.bot.cli.sync import sync_commands
from tests.bot.e2e import GLOBAL_SYNC, GUILD_SYNC, copy_corpus, make_bot
from tests.discord_standin import Intent, Permission

DIRECT_MESSAGES = 1 << 12


async def test_login_uses_the_bot_token_and_identifies_without_privileged_intents(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        pass
    api_requests = [
        r for r in discord_standin.requests if r.is_api and "interaction" not in r.route and "webhook" not in r.route
    ]
    assert api_requests and all(r.headers["Authorization"] == f"Bot {discord_standin.token}" for r in api_requests)
    identify = discord_standin.identify
    assert identify["token"] == discord_standin.token
    intents = identify["intents"]
    assert intents == Intent.GUILDS | Intent.GUILD_MESSAGES | DIRECT_MESSAGES
    assert not intents & (Intent.MESSAGE_CONTENT | Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES)


async def test_start_up_syncs_only_the_development_guild_with_corpus_hidden_from_members(
    discord_standin, clean_env, tmp_path
):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    async with discord_standin.running(bot):
        await asyncio.sleep(0.2)  # a sync in on_ready would show up by now
    syncs = [r for r in discord_standin.requests if r.route in (GUILD_SYNC, GLOBAL_SYNC)]
    assert [r.route for r in syncs] == [GUILD_SYNC]
    commands = {command["name"]: command for command in syncs[0].json}
    assert set(commands) == {"ask", "corpus", "Answer with quotebot"}
    corpus = commands["corpus"]
    assert int(corpus["default_member_permissions"]) == Permission.MANAGE_GUILD
    assert corpus["contexts"] == [0]
    assert {option["name"] for option in corpus["options"]} == {"reload", "add", "refresh", "remove", "list", "stats", "gaps", "settings"}
    assert all(option["type"] == 1 for option in corpus["options"])
    assert commands["ask"]["default_member_permissions"] is None
    (question,) = commands["ask"]["options"]
    assert (question["name"], question["type"], question["required"], question["max_length"]) == (
        "question",
        3,
        True,
        1000,
    )


async def test_quotebot_sync_registers_globally_or_to_one_guild(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path), load=False)
    names = await sync_commands(bot.settings, discord_standin.token, None)
    assert sorted(names) == ["Answer with quotebot", "ask", "corpus"]
    assert {c["name"] for c in discord_standin.registered_commands()} == {"ask", "corpus", "Answer with quotebot"}
    await sync_commands(bot.settings, discord_standin.token, discord_standin.world.guild.id)
    assert {c["name"] for c in discord_standin.registered_commands(guild=True)} == {"ask", "corpus", "Answer with quotebot"}
    assert [r.route for r in discord_standin.requests if "commands" in r.route] == [GLOBAL_SYNC, GUILD_SYNC]
    assert discord_standin.identify is None  # HTTP only: sync never opens a gateway session


async def test_sigterm_stops_the_bot_cleanly(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    running = asyncio.create_task(serve(bot, discord_standin.token))
    await discord_standin.wait_for_request(GUILD_SYNC)
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(running, 5)
    assert bot.is_closed()


async def test_a_rejected_token_ends_the_session_with_login_failure(discord_standin, clean_env, tmp_path):
    bot = make_bot(discord_standin, copy_corpus(tmp_path))
    with pytest.raises(discord.LoginFailure):
        await asyncio.wait_for(serve(bot, "not-the-token"), 10)
    assert bot.is_closed()
    (login,) = discord_standin.requests
    assert (login.route, login.status) == ("GET /users/@me", 401)


async def test_a_quiet_start_with_one_line_saying_what_runs(discord_standin, clean_env, tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)  # as in a fresh process without PyNaCl
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    caplog.set_level(logging.INFO)
    corpus = copy_corpus(tmp_path)
    bot = make_bot(discord_standin, corpus)
    async with discord_standin.running(bot):
        await asyncio.sleep(0.1)
    assert "voice will NOT be supported" not in caplog.text
    ready = [r.getMessage() for r in caplog.records if r.getMessage().startswith("quotebot ")]
    passages = len(bot.services.live.engine.passages)
    expected = (
        f"quotebot {quotebot.__version__} ready as quotebot ({discord_standin.world.bot.id}): shared corpus {corpus} "
        f"with 1 documents, {passages} passages, semantic model off; server corpora in servers (at most 500 in "
        "memory); auto-answer off; all shards (as many as Discord recommends); in 1 guilds"
    )
    assert ready == [expected]
