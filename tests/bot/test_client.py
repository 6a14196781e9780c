"""What the bot asks the gateway for."""

from __future__ import annotations

import discord

from quotebot.bot.client import quotebot_intents
from quotebot.bot.settings import Settings


def test_no_privileged_intents_unless_auto_answering_is_on(clean_env):
    intents = quotebot_intents(Settings())
    assert intents.value == discord.Intents(guilds=True, guild_messages=True, dm_messages=True).value
    assert not intents.message_content and not intents.members and not intents.presences
    auto_answering = quotebot_intents(Settings(auto_answer="on"))
    assert auto_answering.value == (intents | discord.Intents(message_content=True)).value
    assert not auto_answering.members and not auto_answering.presences
