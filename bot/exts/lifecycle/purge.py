"""Deleting the files of servers the bot left, once their grace period is over.

Once connected, and hourly after that, the files of servers on this
process's shards that were left more than ``QUOTEBOT_LEFT_SERVER_DAYS`` ago
are deleted; servers whose folder exists but which the bot is no longer in
(it was removed while stopped) are marked as left then, and those it is in
again are unmarked. Only servers on this process's shards are ever touched,
so several processes never race over one folder. A sweep that fails (a
network volume gone for a while) is logged and the next one still comes
(``bot.background``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from discord.ext import commands

from quotebot.bot.background import Repeating
from quotebot.bot.servers import retention
from quotebot.bot.servers.folders import ServerFolders
from quotebot.retrieval import CorpusError

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60 * 60.0


class Purge(commands.Cog):
    """Deletes the files of left servers past their grace period."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.sweeping = Repeating("purge of left servers", self.sweep, interval=SWEEP_SECONDS, first=bot.wait_until_ready)

    async def cog_load(self) -> None:
        self.sweeping.start()

    async def cog_unload(self) -> None:
        await self.sweeping.stop()

    async def sweep(self) -> None:
        """Mark the folders of servers the bot is no longer in, unmark those it is in, delete the expired."""
        present = {guild.id for guild in self.bot.guilds}
        folders, days = self.services.folders, self.services.settings.left_server_days
        ours = [
            guild_id for guild_id in await asyncio.to_thread(folders.guild_ids) if self.services.shards.owns(guild_id)
        ]
        await asyncio.to_thread(settle, folders, ours, present, days=days)


def settle(folders: ServerFolders, ours: list[int], present: set[int], *, days: float) -> None:
    """Mark ``ours`` left or present as ``present`` says, and delete the files of those left ``days`` ago."""
    for guild_id in ours:
        if guild_id in present:
            retention.mark_present(folders, guild_id)
        else:
            retention.mark_left(folders, guild_id)
    for guild_id in retention.due(folders, ours, days=days):
        if guild_id not in present:
            try:
                retention.purge(folders, guild_id)
            except CorpusError as error:
                log.warning("Could not delete the files of server %s, which the bot left: %s", guild_id, error)
