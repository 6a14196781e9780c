"""``/corpus settings``: a server's managers show or change its settings (Manage Server only).

Channels are named as members write them (``#help``, a mention, an id), and
anything that is not a channel of this server, or cannot hold threads where
threads are asked for, is refused with nothing changed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from quotebot.bot import delivery
from quotebot.bot.delivery import NO_MENTIONS
from quotebot.bot.render import MESSAGE_LIMIT, clip
from quotebot.bot.servers.settings import ServerSettings, describe, field_of, option_name
from quotebot.bot.services import Services
from quotebot.bot.utils import checks
from quotebot.retrieval import CorpusError

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)

AUTO_ANSWER_OFF = (
    "Note: automatic answers are off in this quotebot (its operator turns them on with QUOTEBOT_AUTO_ANSWER=on "
    "and the Message Content intent); these channels take effect once they are on."
)
EVERY_CHANNEL = ("all", "every", "everywhere")
NO_CHANNEL = ("none", "off", "nowhere")
#: What ``auto_answer_channels`` may name: channels whose threads are questions.
THREAD_CHANNELS = (discord.ForumChannel, discord.TextChannel)
_CHANNEL_MENTION = re.compile(r"<#(\d+)>|(\d{15,20})|#([^\s#]+)")


class SettingsCommand:
    """``/corpus settings``, a part of the ``/corpus`` group (``exts.corpus``)."""

    bot: QuoteBot
    services: Services

    @app_commands.command(name="settings", description="Show or change this server's settings (Manage Server).")
    @app_commands.describe(
        include_shared="Answer from the shared documents as well as this server's own",
        moderator_role="A role that may use /corpus besides Manage Server",
        mod_log_channel="The channel that hears about corpus changes",
        allowed_channels="Channels where I answer, e.g. #help #questions, or 'all'",
        auto_answer_channels="Forums or channels whose new threads I answer by myself when sure, or 'none'",
        question_retention_days="Days questions and 👍/👎 are kept for /corpus gaps (0: none kept)",
        reset="Put one setting back to its default",
    )
    @app_commands.choices(
        reset=[app_commands.Choice(name=option_name(field), value=option_name(field)) for field in ServerSettings.model_fields]
    )
    async def settings(
        self,
        interaction: discord.Interaction[QuoteBot],
        include_shared: bool | None = None,
        moderator_role: discord.Role | None = None,
        mod_log_channel: discord.TextChannel | None = None,
        allowed_channels: app_commands.Range[str, 1, 1000] | None = None,
        auto_answer_channels: app_commands.Range[str, 1, 1000] | None = None,
        question_retention_days: app_commands.Range[int, 0, 3650] | None = None,
        reset: str | None = None,
    ) -> None:
        checks.ensure_manager(interaction)
        guild = interaction.guild
        assert guild is not None and interaction.guild_id is not None, "guild_only"
        store = self.services.server_settings
        own = await store.fetch(interaction.guild_id)
        changes: dict[str, object] = {
            "include_shared": include_shared,
            "moderator_role_id": moderator_role.id if moderator_role else None,
            "mod_log_channel_id": mod_log_channel.id if mod_log_channel else None,
            "allowed_channel_ids": None if allowed_channels is None else channels_in(guild, allowed_channels),
            "auto_answer_channel_ids": None
            if auto_answer_channels is None
            else channels_in(guild, auto_answer_channels, empty=NO_CHANNEL, kinds=THREAD_CHANNELS),
            "question_retention_days": question_retention_days,
        }
        update = {field: value for field, value in changes.items() if value is not None}
        if reset is not None:
            update[field_of(reset)] = None
        if update:
            own = own.model_copy(update=update)
            try:
                await asyncio.to_thread(store.save, interaction.guild_id, own)
            except CorpusError as error:
                raise checks.Refused(f"The settings could not be saved ({error}); nothing changed.") from None
            log.info("Settings of server %s changed: %s", guild.id, update)
            log.debug("Settings of server %s changed by user %s", guild.id, interaction.user.id)
        heading = "Saved. This server's settings:" if update else "This server's settings (change them with the options of `/corpus settings`):"
        lines = [heading, *describe(own, self.services.policy.defaults_of(guild.id))]
        if own.auto_answer_channel_ids and not self.bot.reads_message_content:
            lines.append(AUTO_ANSWER_OFF)
        await delivery.respond(
            interaction, ephemeral=True, content=clip("\n".join(lines), MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
        )




def channels_in(
    guild: discord.Guild,
    text: str,
    *,
    empty: Sequence[str] = EVERY_CHANNEL,
    kinds: tuple[type[discord.abc.GuildChannel], ...] = (discord.abc.GuildChannel,),
) -> tuple[int, ...]:
    """The channels of ``guild`` that ``text`` names (mentions, ids or ``#name``); ``()`` for one of the
    ``empty`` words ("all" where no channel means every channel).

    Raises ``Refused`` naming what is not a channel of this server, or not one of ``kinds``.
    """
    if text.strip().lower() in empty:
        return ()
    found: list[int] = []
    for mention, bare_id, name in _CHANNEL_MENTION.findall(text):
        channel = (
            guild.get_channel(int(mention or bare_id))
            if mention or bare_id
            else discord.utils.get(guild.channels, name=name)
        )
        named = f"#{name}" if name else f"<#{mention or bare_id}>"
        if channel is None or isinstance(channel, discord.CategoryChannel):
            raise checks.Refused(f"{named} is not a channel of this server; nothing changed.")
        if not isinstance(channel, kinds):
            raise checks.Refused(f"{named} cannot hold threads; name forums or text channels. Nothing changed.")
        found.append(channel.id)
    if not found:
        raise checks.Refused(
            f"Name the channels with #, e.g. `#help #questions`, or write `{empty[0]}`; nothing changed."
        )
    return tuple(dict.fromkeys(found))
