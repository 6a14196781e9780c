"""Joining and leaving servers: a server the bot leaves stops costing memory at once, and disk after a while.

On ``on_guild_remove`` the server's index is dropped from memory (and its
question log closed) and its files are marked as left (``servers.retention``); on ``on_guild_join`` (a
re-invitation) the mark goes. Once connected, and hourly after that, the
files of servers on this process's shards that were left more than
``QUOTEBOT_LEFT_SERVER_DAYS`` ago are deleted; servers whose folder exists
but which the bot is no longer in (it was removed while stopped) are marked
then. Only servers on this process's shards are ever touched, so several
processes never race over one folder.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands, tasks

from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import corpus_name
from quotebot.retrieval import CorpusError

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

SWEEP_HOURS = 1.0


class ServerLifecycle(commands.Cog):
    """Listens for the bot joining and leaving servers, and deletes files past their grace period."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.sweep.start()

    async def cog_unload(self) -> None:
        self.sweep.cancel()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        if not self.bot.shards_served.owns(guild.id):
            return
        # Off the event loop: closing a corpus waits for its background embedding and writes its vectors.
        in_memory = await asyncio.to_thread(self.bot.corpora.unload, corpus_name(guild.id))
        self.bot.server_settings.forget(guild.id)
        await self.bot.questions.forget(guild.id)
        kept = await asyncio.to_thread(retention.mark_left, self.bot.folders, guild.id)
        log.info(
            "Left server %s (%s): index %s; files %s",
            guild.id,
            guild.name,
            "dropped from memory" if in_memory else "was not in memory",
            f"kept for {self.bot.settings.left_server_days:g} days" if kept else "none to keep",
        )

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await asyncio.to_thread(retention.mark_present, self.bot.folders, guild.id):
            log.info("Back in server %s (%s): its files are kept again", guild.id, guild.name)

    @tasks.loop(hours=SWEEP_HOURS)
    async def sweep(self) -> None:
        """Mark the folders of servers the bot is no longer in, unmark those it is in, delete the expired."""
        present = {guild.id for guild in self.bot.guilds}
        ours = [
            guild_id
            for guild_id in await asyncio.to_thread(self.bot.folders.guild_ids)
            if self.bot.shards_served.owns(guild_id)
        ]
        await asyncio.to_thread(self._settle, ours, present)

    @sweep.before_loop
    async def _after_connecting(self) -> None:
        await self.bot.wait_until_ready()

    def _settle(self, ours: list[int], present: set[int]) -> None:
        folders = self.bot.folders
        for guild_id in ours:
            if guild_id in present:
                retention.mark_present(folders, guild_id)
            else:
                retention.mark_left(folders, guild_id)
        for guild_id in retention.due(folders, ours, days=self.bot.settings.left_server_days):
            if guild_id not in present:
                try:
                    retention.purge(folders, guild_id)
                except CorpusError as error:
                    log.warning("Could not delete the files of server %s, which the bot left: %s", guild_id, error)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(ServerLifecycle(bot))
