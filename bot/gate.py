"""The one admission rule: whether quotebot takes a command or a message now, decided in one place.

Every application command passes ``GatedTree.interaction_check`` before it
runs, and every message passes ``Gate.question_in`` (is it a question for
us, in a channel we answer in?) before it is handed on, so no handler admits
by hand. The rule: nothing new is taken while the bot stops
(``ShuttingDown``); a question (``/ask``, **Answer with quotebot**, a mention
or DM) is taken only in an allowed channel and within the per-user cooldown
shared by every way of asking. Who may do what (moderators, managers, the
owner) is a permission, checked where the command is (``utils.checks``).
A refusal is raised for the central error handler to explain.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from quotebot.bot.policy import ServerPolicy
from quotebot.bot.shutdown import Shutdown, ShuttingDown
from quotebot.bot.utils import checks

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

#: ``extras`` of a command that asks a question: allowed channels and the cooldown apply to it.
ASKS_QUESTION = "quotebot.asks_question"
QUESTION_COMMAND = {ASKS_QUESTION: True}


class Gate:
    """Admission for commands and messages; one per bot."""

    def __init__(self, policy: ServerPolicy, shutdown: Shutdown, cooldown: checks.UserCooldown) -> None:
        self.policy = policy
        self.shutdown = shutdown
        #: One per-user limit for every way of asking, so switching from /ask to a mention does not dodge it.
        self.cooldown = cooldown

    @property
    def open(self) -> bool:
        """Whether new work is taken (false once the bot has begun to stop)."""
        return not self.shutdown.stopping

    async def admit_command(self, interaction: discord.Interaction[QuoteBot]) -> None:
        """Raise the refusal for a command that may not run here and now."""
        if not self.open:
            raise ShuttingDown()
        command = interaction.command
        if command is not None and command.extras.get(ASKS_QUESTION):
            guild_id = interaction.guild_id
            if guild_id is not None and not await self.policy.channel_allowed(interaction.channel, guild_id):
                raise checks.ChannelNotAllowed()
            self.cooldown.hit(interaction.user)

    def admit_question(self, message: discord.Message) -> None:
        """Raise the refusal for a question asked by message (``question_in`` found it) that is not taken now."""
        if not self.open:
            raise ShuttingDown()
        self.cooldown.hit(message.author)

    async def question_in(self, message: discord.Message, me: discord.ClientUser | None) -> str | None:
        """The question a message asks the bot, or ``None`` when it isn't one for us.

        Bots (and the bot itself) are ignored, so two bots can never answer each
        other forever. In servers only an explicit ``@quotebot`` counts — a reply
        that merely pings the bot does not — and only in allowed channels.
        """
        if me is None or message.author.bot:
            return None
        if message.guild is None:
            return " ".join(message.content.split())
        if me.id not in message.raw_mentions or not await self.policy.channel_allowed(message.channel, message.guild.id):
            return None
        return " ".join(re.sub(rf"<@!?{me.id}>", " ", message.content).split())


class GatedTree(app_commands.CommandTree["QuoteBot"]):
    """The command tree: every application command passes the bot's ``Gate`` first, and every failure goes to
    ``error_handler`` (the errors extension's, once loaded; discord.py's logging until then)."""

    error_handler: Callable[[discord.Interaction[QuoteBot], Exception], Awaitable[None]] | None = None

    async def on_error(self, interaction: discord.Interaction[QuoteBot], error: app_commands.AppCommandError, /) -> None:
        if self.error_handler is None:
            await super().on_error(interaction, error)
        else:
            await self.error_handler(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction[QuoteBot], /) -> bool:
        if interaction.type is discord.InteractionType.autocomplete:
            # Suggestions cost nothing and cannot show a refusal: offered while the bot is open.
            return self.client.services.gate.open
        await self.client.services.gate.admit_command(interaction)
        return True
