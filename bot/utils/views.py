"""The base for quotebot's button views.

discord.py sends errors raised in a view's callbacks to ``View.on_error``,
not to the command tree; forwarding them keeps one central error handler
(``bot.exts.error_handler``) in charge of what users see.

A view's buttons are retired (``on_timeout``) by editing their message, and
for an interaction response that edit needs the interaction's token, which
Discord invalidates 15 minutes after the interaction. discord.py's
``timeout`` restarts at every click, so a member who keeps clicking would
push the retirement past the token's end and the edit would fail, leaving
dead buttons behind. Here ``lifetime`` is an absolute deadline instead,
counted from when the view is made (within seconds of its interaction).
"""

from __future__ import annotations

import asyncio
from typing import Any

import discord


class View(discord.ui.View):
    """A ``discord.ui.View`` that retires after ``lifetime`` seconds however it is used, and reports errors centrally."""

    message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None

    def __init__(self, *, lifetime: float) -> None:
        super().__init__(timeout=None)
        self.lifetime = lifetime
        self._retirement = asyncio.get_running_loop().call_later(lifetime, self._retire)
        self._retiring: asyncio.Task[None] | None = None

    def _retire(self) -> None:
        if self.is_finished():
            return
        self.stop()
        self._retiring = asyncio.create_task(self.on_timeout(), name=f"retire view {self.id}")

    def stop(self) -> None:
        self._retirement.cancel()
        super().stop()

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /) -> None:
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[attr-defined, arg-type]
