"""The command tree's error handler: every failed slash command, context menu or button ends here.

What the user is told and what the log says are ``utils.reporting``'s rules,
shared with the questions asked by message; this extension installs them as
the tree's ``on_error`` and answers the user through the interaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from quotebot.bot import delivery
from quotebot.bot.delivery import NO_MENTIONS, DeliveryFailed
from quotebot.bot.gate import GatedTree
from quotebot.bot.utils.reporting import answered_through, log_error, unwrap, user_message

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


class ErrorHandler(commands.Cog):
    """Installs itself as the command tree's error handler."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        assert isinstance(bot.tree, GatedTree), "QuoteBot's tree"
        self.tree = bot.tree

    async def cog_load(self) -> None:
        self.tree.error_handler = self.on_app_command_error

    async def cog_unload(self) -> None:
        self.tree.error_handler = None

    async def on_app_command_error(self, interaction: discord.Interaction[QuoteBot], error: Exception) -> None:
        with self.bot.services.shutdown.track():
            error = unwrap(error)
            command = f"/{interaction.command.qualified_name}" if interaction.command else "a button"
            log_error(error, command)
            if answered_through(error, interaction.id):
                return
            try:
                await delivery.respond(
                    interaction, ephemeral=True, content=user_message(error), allowed_mentions=NO_MENTIONS
                )
            except DeliveryFailed as failure:
                delivery.log_failure(failure, f"telling the user of interaction {interaction.id} about an error")


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(ErrorHandler(bot))
