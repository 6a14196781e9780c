"""The base for quotebot's button views, and error reporting for buttons that outlive them.

discord.py sends errors raised in a view's callbacks to ``View.on_error``,
not to the command tree, and only logs those of dynamic items (buttons found
by their custom id, which work across restarts); forwarding both keeps one
central error handler (``bot.exts.errors``) in charge of what users see.

A view's buttons are retired (``on_timeout``) by editing their message, and
for an interaction response that edit needs the interaction's token, which
Discord invalidates 15 minutes after the interaction. discord.py's
``timeout`` restarts at every click, so a member who keeps clicking would
push the retirement past the token's end and the edit would fail, leaving
dead buttons behind. Here ``lifetime`` is an absolute deadline instead,
counted from when the view is made (within seconds of its interaction). By
default retiring leaves only the link buttons, which need no interaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord

from quotebot.bot import delivery
from quotebot.bot.background import create_task
from quotebot.bot.delivery import NO_MENTIONS

if TYPE_CHECKING:
    from quotebot.bot.client import QuoteBot

log = logging.getLogger(__name__)


class View(discord.ui.View):
    """A ``discord.ui.View`` that retires after ``lifetime`` seconds however it is used, and reports errors centrally."""

    message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None

    def __init__(self, *, lifetime: float) -> None:
        super().__init__(timeout=None)
        self.lifetime = lifetime
        self._retirement = asyncio.get_running_loop().call_later(lifetime, self._retire)

    def _retire(self) -> None:
        if self.is_finished():
            return
        self.stop()
        create_task(self.on_timeout(), name=f"retire view {self.id}")

    def stop(self) -> None:
        self._retirement.cancel()
        super().stop()

    async def on_timeout(self) -> None:
        """Leave only the link buttons: the others would fail once the interaction token expires."""
        for item in [item for item in self.children if getattr(item, "url", None) is None]:
            self.remove_item(item)
        if self.message is None:
            return
        try:
            await delivery.edit(self.message, view=self, allowed_mentions=NO_MENTIONS)
        except delivery.DeliveryFailed as failure:
            delivery.log_failure(failure, f"retiring the buttons of {type(self).__name__}")
        except discord.NotFound:  # the message was deleted meanwhile
            log.debug("The message whose buttons were to be retired is gone")

    async def on_error(
        self, interaction: discord.Interaction[QuoteBot], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[arg-type]


async def reporting_errors(interaction: discord.Interaction[QuoteBot], action: Awaitable[None]) -> None:
    """Run a dynamic item's callback, handing any error to the central error handler as a view would."""
    try:
        await action
    except Exception as error:  # noqa: BLE001 - every failure goes to the central error handler
        await interaction.client.tree.on_error(interaction, error)  # type: ignore[arg-type]
