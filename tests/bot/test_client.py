"""Which messages the bot treats as questions, and what it asks the gateway for."""

from __future__ import annotations

import re
from types import SimpleNamespace

import discord
import pytest

from quotebot.bot.client import QuoteBot, quotebot_intents
from quotebot.bot.servers.settings import ServerSettings
from quotebot.bot.settings import Settings
from quotebot.retrieval.live import LiveEngine

ME = 1317000000000000001
GUILD = 1317000000000000100
ELSEWHERE = 1317000000004194404
ALLOWED = 555
OTHER = 777


def guild_with_channels(guild_id: int, *channel_ids: int) -> SimpleNamespace:
    return SimpleNamespace(
        id=guild_id, get_channel_or_thread=lambda channel_id: object() if channel_id in channel_ids else None
    )


@pytest.fixture
def bot(clean_env, monkeypatch):
    me = SimpleNamespace(id=ME)
    monkeypatch.setattr(QuoteBot, "user", property(lambda self: me))
    guilds = {GUILD: guild_with_channels(GUILD, ALLOWED, OTHER), ELSEWHERE: guild_with_channels(ELSEWHERE, 888)}
    monkeypatch.setattr(QuoteBot, "get_guild", lambda self, guild_id: guilds.get(guild_id))
    return QuoteBot(Settings(discord_token="x", allowed_channel_ids=[ALLOWED]), LiveEngine(clean_env))


def message(
    content: str,
    *,
    bot_author: bool = False,
    dm: bool = False,
    channel: int = ALLOWED,
    parent: int | None = None,
    guild: int = GUILD,
):
    mentions = [int(m) for m in re.findall(r"<@!?(\d+)>", content)]
    return SimpleNamespace(
        author=SimpleNamespace(bot=bot_author),
        guild=None if dm else SimpleNamespace(id=guild),
        raw_mentions=mentions,
        content=content,
        channel=SimpleNamespace(id=channel, parent_id=parent),
    )


def test_no_privileged_intents():
    intents = quotebot_intents()
    assert intents.value == discord.Intents(guilds=True, guild_messages=True, dm_messages=True).value
    assert not intents.message_content and not intents.members and not intents.presences


def test_a_mention_is_a_question_without_the_mention(bot):
    assert bot.question_in(message(f"<@{ME}> how many   defectors?")) == "how many defectors?"
    assert bot.question_in(message(f"so <@!{ME}>, how many?")) == "so , how many?"


def test_direct_messages_are_questions_without_a_mention(bot):
    assert bot.question_in(message("  how many defectors? ", dm=True, channel=OTHER)) == "how many defectors?"


@pytest.mark.parametrize(
    "msg",
    [
        message(f"<@{ME}> how many?", bot_author=True),
        message(f"<@{ME}> how many?", bot_author=True, dm=True),
        message("how many?"),
        message("<@42> how many?"),
        message(f"<@{ME}> how many?", channel=OTHER),
    ],
    ids=["other bot or itself", "bot in DM", "no mention", "someone else mentioned", "channel not allowed"],
)
def test_what_is_not_a_question_for_us(bot, msg):
    assert bot.question_in(msg) is None


def test_threads_of_allowed_channels_are_allowed(bot):
    assert bot.question_in(message(f"<@{ME}> how many?", channel=OTHER, parent=ALLOWED)) == "how many?"


def test_allowed_channels_of_the_environment_restrict_only_the_server_that_has_them(bot):
    assert bot.question_in(message(f"<@{ME}> how many?", channel=888, guild=ELSEWHERE)) == "how many?"


def test_a_servers_own_allowed_channels_win_over_the_environment(bot):
    bot.server_settings.save(GUILD, ServerSettings(allowed_channel_ids=(OTHER,)))
    assert bot.question_in(message(f"<@{ME}> how many?", channel=ALLOWED)) is None
    assert bot.question_in(message(f"<@{ME}> how many?", channel=OTHER)) == "how many?"
    assert (bot.folders.settings_file(GUILD)).is_file()
