"""Joining and leaving servers: a server the bot leaves stops costing memory at once (and disk later, ``purge``).

On ``on_guild_remove`` the server's index is dropped from memory (and its
question log closed) and its files are marked as left (``servers.retention``);
on ``on_guild_join`` (a re-invitation) the mark goes. Only servers on this
process's shards are ever touched, so several processes never race over one folder.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import corpus_name

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)


class Membership(commands.Cog):
    """Listens for the bot joining and leaving servers."""

    def __init__(self, bot: QuoteBot) -> None:
        self.services = bot.services

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        services = self.services
        if not services.shards.owns(guild.id):
            return
        # Off the event loop: closing a corpus waits for its background embedding and writes its vectors.
        in_memory = await asyncio.to_thread(services.corpora.unload, corpus_name(guild.id))
        services.server_settings.forget(guild.id)
        await services.questions.forget(guild.id)
        kept = await asyncio.to_thread(retention.mark_left, services.folders, guild.id)
        log.info(
            "Left server %s (%s): index %s; files %s",
            guild.id,
            guild.name,
            "dropped from memory" if in_memory else "was not in memory",
            f"kept for {services.settings.left_server_days:g} days" if kept else "none to keep",
        )

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await asyncio.to_thread(retention.mark_present, self.services.folders, guild.id):
            log.info("Back in server %s (%s): its files are kept again", guild.id, guild.name)
