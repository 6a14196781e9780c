"""The one place that turns errors into what a user is told.

Slash commands and buttons (``CommandTree.on_error``, which views forward to)
and mention questions (the ``message_error`` event) all end here. Users get a
short, honest sentence — never a traceback; the log gets the traceback
whenever the error is ours rather than the user's.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from quotebot.bot.client import NO_MENTIONS
from quotebot.bot.utils import checks
from quotebot.retrieval import CorpusError

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

UNEXPECTED = "Sorry, something went wrong on my side. It has been logged; please try again later."


def user_message(error: Exception) -> str:
    """The sentence a user sees for ``error``."""
    if isinstance(error, app_commands.CommandOnCooldown):
        retry_at = datetime.now(UTC) + timedelta(seconds=error.retry_after)
        return f"You're asking faster than I answer. Please try again {discord.utils.format_dt(retry_at, 'R')}."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, checks.Refused):
        return str(error)
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that here."
    if isinstance(error, CorpusError):
        return f"The corpus is not available right now: {error}."
    return UNEXPECTED


def _unwrap(error: Exception) -> Exception:
    """The exception a command raised, not discord.py's ``CommandInvokeError`` wrapper."""
    return getattr(error, "original", error)


def _log(error: Exception, where: str) -> None:
    """Refusals are routine (info); anything else is a bug or an outage and gets its traceback."""
    if isinstance(error, app_commands.CheckFailure):
        log.info("Refused %s: %s", where, error)
    elif isinstance(error, CorpusError):
        log.warning("Corpus unavailable for %s: %s", where, error)
    else:
        log.error("Unhandled error in %s", where, exc_info=error)


class ErrorHandler(commands.Cog):
    """Installs itself as the command tree's error handler and listens for message errors."""

    def __init__(self, bot: QuoteBot) -> None:
        self.bot = bot
        self._previous_tree_handler = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous_tree_handler  # type: ignore[method-assign]

    async def on_app_command_error(self, interaction: discord.Interaction, error: Exception) -> None:
        error = _unwrap(error)
        command = f"/{interaction.command.qualified_name}" if interaction.command else "a button"
        _log(error, f"{command} for user {interaction.user.id}")
        text = user_message(error)
        response = interaction.response
        try:
            if not response.is_done():
                await response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            elif response.type is discord.InteractionResponseType.deferred_channel_message:
                # Replace the "thinking…" message the user is waiting on.
                await interaction.edit_original_response(
                    content=text, embed=None, view=None, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as send_error:  # e.g. the interaction expired meanwhile
            log.warning("Could not tell user %s about an error: %s", interaction.user.id, send_error)

    @commands.Cog.listener()
    async def on_message_error(self, message: discord.Message, error: Exception) -> None:
        error = _unwrap(error)
        _log(error, f"question message {message.id} from user {message.author.id}")
        # A channel message cannot be ephemeral: a cooldown notice removes itself once it no longer applies.
        delete_after = error.retry_after if isinstance(error, app_commands.CommandOnCooldown) else None
        try:
            await message.reply(
                user_message(error), allowed_mentions=NO_MENTIONS, mention_author=False, delete_after=delete_after
            )
        except discord.HTTPException as send_error:
            log.warning("Could not reply to message %s about an error: %s", message.id, send_error)


async def setup(bot: QuoteBot) -> None:
    await bot.add_cog(ErrorHandler(bot))
