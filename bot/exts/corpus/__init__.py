"""``/corpus``: what moderators do, one module per job: ``documents`` (reload, add, remove, list), ``stats``,
``settings`` and ``gaps``, on the corpus ``targets`` names (the server's own, or the owner's shared one).

The package is one extension, and ``/corpus`` one command group: each job is
a class of commands that ``Corpus`` joins into the group's cog. The group is
hidden by default from members without Manage Server
(``default_permissions``), but that is only a hint server admins can change,
so ``interaction_check`` enforces ``checks.ensure_moderator`` on every
subcommand (``/corpus settings`` then asks for Manage Server itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot.exts.corpus.documents import DocumentCommands
from quotebot.bot.exts.corpus.gaps import GapsCommand
from quotebot.bot.exts.corpus.settings import SettingsCommand
from quotebot.bot.exts.corpus.stats import StatsCommand
from quotebot.bot.utils import checks

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Corpus(
    # In reverse of the order Discord lists them: the cog collects commands from the base classes last first.
    SettingsCommand,
    GapsCommand,
    StatsCommand,
    DocumentCommands,
    commands.GroupCog,
    group_name="corpus",
    group_description="Moderators: manage this server's quoted corpus",
):
    """Reload, add, remove, list and count this server's documents (or the owner's shared ones); its settings."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self.services = bot.services

    async def interaction_check(self, interaction: discord.Interaction[QuoteBot]) -> bool:
        await checks.ensure_moderator(interaction)
        return True


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(Corpus(bot))
