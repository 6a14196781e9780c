"""The base for quotebot's button views.

discord.py sends errors raised in a view's callbacks to ``View.on_error``,
not to the command tree; forwarding them keeps one central error handler
(``bot.exts.error_handler``) in charge of what users see.
"""

from __future__ import annotations

from typing import Any

import discord


class View(discord.ui.View):
    """A ``discord.ui.View`` whose errors go to the tree's error handler, and which remembers its message."""

    message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /) -> None:
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[attr-defined, arg-type]
