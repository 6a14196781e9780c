"""Messages in channels (mention and DM replies, the moderator log) and edits of sent messages, retried safely.

A retried channel message carries the nonce of the first attempt with
``enforce_nonce``, so Discord returns the message it already created instead
of posting it twice when only its answer was lost. Edits and deletions are
safe to repeat as they are.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

import discord

from quotebot.bot.background import create_task
from quotebot.bot.delivery.interactions import EDIT_ORIGINAL
from quotebot.bot.delivery.policy import DeliveryFailed, deliver

log = logging.getLogger(__name__)

CHANNEL_MESSAGE = "POST /channels/{channel_id}/messages"
EDIT_MESSAGE = "PATCH /channels/{channel_id}/messages/{message_id}"
DELETE_MESSAGE = "DELETE /channels/{channel_id}/messages/{message_id}"
EDIT_WEBHOOK_MESSAGE = "PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}"
# Discord accepts nonces of up to 25 characters; 63 bits fit in 19 digits.
NONCE_BITS = 63

SentMessage = discord.Message | discord.InteractionMessage | discord.WebhookMessage


async def reply(message: discord.Message, **fields: Any) -> discord.Message:
    """Reply to ``message`` without pinging its author; posted once however often it is tried."""
    nonce = secrets.randbits(NONCE_BITS)
    return await deliver(CHANNEL_MESSAGE, lambda: message.reply(mention_author=False, nonce=nonce, **fields))


async def send(channel: discord.abc.Messageable, **fields: Any) -> discord.Message:
    """Post in ``channel``; posted once however often it is tried."""
    nonce = secrets.randbits(NONCE_BITS)
    return await deliver(CHANNEL_MESSAGE, lambda: channel.send(nonce=nonce, **fields))


async def edit(message: SentMessage, **fields: Any) -> None:
    """Edit a message the bot sent, through its channel or the interaction webhook that created it."""
    if isinstance(message, discord.InteractionMessage):
        route = EDIT_ORIGINAL
    elif isinstance(message, discord.WebhookMessage):
        route = EDIT_WEBHOOK_MESSAGE
    else:
        route = EDIT_MESSAGE
    await deliver(route, lambda: message.edit(**fields))


async def delete(message: discord.Message) -> None:
    """Delete a message; one already gone (deleted by a moderator, or by an earlier attempt) counts as deleted."""

    async def attempt() -> None:
        try:
            await message.delete()
        except discord.NotFound:
            pass

    await deliver(DELETE_MESSAGE, attempt)


def delete_later(message: discord.Message, delay: float) -> None:
    """Delete ``message`` after ``delay`` seconds (a notice that stops being true), in the background."""

    async def delete_when_due() -> None:
        await asyncio.sleep(delay)
        try:
            await delete(message)
        except (DeliveryFailed, discord.HTTPException) as error:
            log.warning("Could not delete notice %s: %s", message.id, error)

    create_task(delete_when_due(), name=f"delete message {message.id}")
