"""Who may do what, decided on the server side.

``default_permissions`` only hides commands in Discord's UI — server admins can
override it and it does nothing for subcommands — so every privileged action
is checked again here, from the permissions Discord resolved for the member
in the interaction payload. Each refusal is a ``Refused`` (a ``CheckFailure``)
whose text is what the central error handler shows the user.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot


class Refused(app_commands.CheckFailure):
    """A request quotebot will not carry out; ``str()`` is the reason shown to the user."""


class NotModerator(Refused):
    def __init__(self) -> None:
        super().__init__("Only moderators (Manage Server, or the moderator role) can change the corpus.")


class NotManager(Refused):
    def __init__(self) -> None:
        super().__init__("Only members with Manage Server can change this server's settings.")


class NotOwner(Refused):
    def __init__(self) -> None:
        super().__init__(
            "Only the bot's owner can change the shared corpus: it answers every server without documents of "
            "its own, and direct messages. Leave out `shared` to change this server's own documents."
        )


class ChannelNotAllowed(Refused):
    def __init__(self) -> None:
        super().__init__(
            "I don't answer questions in this channel; please ask in one of the channels set aside for me."
        )


class NotAsker(Refused):
    def __init__(self) -> None:
        super().__init__("Only the person who asked can do that.")


async def is_moderator(interaction: discord.Interaction[QuoteBot]) -> bool:
    """Manage Server in this channel, or this server's moderator role (its own setting, else the default)."""
    if interaction.guild_id is None:
        return False
    if interaction.permissions.manage_guild:
        return True
    role_id = (await interaction.client.services.policy.settings_of(interaction.guild_id)).moderator_role_id
    user = interaction.user
    return role_id is not None and isinstance(user, discord.Member) and user.get_role(role_id) is not None


async def ensure_moderator(interaction: discord.Interaction[QuoteBot]) -> bool:
    """``is_moderator`` as a check: raise ``NotModerator`` instead of returning False."""
    if not await is_moderator(interaction):
        raise NotModerator()
    return True


def ensure_manager(interaction: discord.Interaction[QuoteBot]) -> None:
    """Manage Server itself: the moderator role may change documents, not who moderates."""
    if interaction.guild_id is None or not interaction.permissions.manage_guild:
        raise NotManager()


async def ensure_owner(interaction: discord.Interaction[QuoteBot]) -> None:
    """The bot's owner (``QuoteBot.owner_ids``: the application's owner and ``QUOTEBOT_OWNER_IDS``)."""
    if not await interaction.client.is_owner(interaction.user):
        raise NotOwner()


def ensure_asker(interaction: discord.Interaction[QuoteBot], asker_id: int) -> None:
    """Only the member who asked may page through or delete an answer."""
    if interaction.user.id != asker_id:
        raise NotAsker()


class UserCooldown:
    """One per-user rate limit shared by every way of asking (``/ask`` and mentions).

    Built on discord.py's ``CooldownMapping`` keyed by user id, so a user cannot
    dodge the limit by switching from the slash command to a mention.
    """

    def __init__(self, rate: int, per: float) -> None:
        self._mapping = (
            commands.CooldownMapping.from_cooldown(rate, per, operator.attrgetter("id"))
            if rate > 0 and per > 0
            else None
        )

    def hit(self, user: discord.abc.User) -> None:
        """Count one question by ``user``; raise ``CommandOnCooldown`` (with ``retry_after``) when over the limit."""
        if self._mapping is None:
            return
        bucket = self._mapping.get_bucket(user)
        retry_after = bucket.update_rate_limit() if bucket is not None else None
        if retry_after:
            raise app_commands.CommandOnCooldown(bucket, retry_after)
