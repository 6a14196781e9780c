"""Per-server policy: the settings in effect in a server, and the rules that follow from them.

Kept out of the ``QuoteBot`` client so that answering, admission and the
extensions can ask "what applies here?" without calling back into the
Discord wiring. The only Discord knowledge it needs, a server's channels (to
leave out configured channels of other servers), comes in as ``guild_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import discord

from quotebot.bot.servers.folders import ServerFolders
from quotebot.bot.servers.settings import ServerSettings, defaults_for
from quotebot.bot.servers.settings_store import ServerSettingsStore
from quotebot.bot.servers.sharding import Shards
from quotebot.bot.settings import Settings
from quotebot.retrieval import CorpusError


class ServerPolicy:
    """What applies in each server this process serves."""

    def __init__(
        self,
        settings: Settings,
        store: ServerSettingsStore,
        shards: Shards,
        folders: ServerFolders,
        guild_of: Callable[[int], discord.Guild | None],
    ) -> None:
        self.settings = settings
        self.store = store
        self.shards = shards
        self.folders = folders
        self._guild_of = guild_of

    async def settings_of(self, guild_id: int) -> ServerSettings:
        """The settings in effect in a server: its own, over the environment's defaults as they apply there."""
        return (await self.store.fetch(guild_id)).over(self.defaults_of(guild_id))

    def defaults_of(self, guild_id: int) -> ServerSettings:
        """The environment's settings as they apply in a server (channels of other servers left out)."""
        return defaults_for(self.settings, self._guild_of(guild_id))

    async def channel_allowed(self, channel: object, guild_id: int) -> bool:
        """True when answering in ``channel`` (or in a thread of an allowed one) of server ``guild_id`` is allowed."""
        allowed = (await self.settings_of(guild_id)).allowed_channel_ids
        if not allowed:
            return True
        ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
        return not ids.isdisjoint(allowed)

    async def kept_days(self, guild_id: int) -> int:
        """How many days a server keeps its questions (``/corpus gaps`` and ``/corpus stats`` look that far back)."""
        return (await self.settings_of(guild_id)).question_retention_days or 0

    def documents_folder(self, name: str) -> Path:
        """The folder of a server's corpus; only servers on this process's shards are ever loaded or written here."""
        guild_id = int(name)
        if not self.shards.owns(guild_id):
            raise CorpusError(f"server {guild_id} is served by another process ({self.shards.describe()} here)")
        return self.folders.documents(guild_id)
