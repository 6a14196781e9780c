"""Answering an interaction so that the answer arrives once, through any passing Discord fault.

Discord takes one callback per interaction, within 3 seconds; after that the
interaction's webhook (editing the original response, follow-ups) works for
15 minutes. ``respond`` therefore sends the whole answer as the callback
once; if that attempt fails, it does not send the answer again but defers
(a small callback, retried until the window closes) and delivers the answer
by editing the original response, a request that is safe to repeat. A defer
that Discord refuses as "already acknowledged" (40060) proves that an
earlier attempt did land although its answer was lost, so nothing is sent
twice: the answer only ever arrives by the one callback or the one edit.

What each interaction has been answered with is kept in its ``extras``
(discord.py does not know about a callback whose answer was lost, nor
remember whether a deferral was private).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Sequence
from typing import Any

import discord

from quotebot.bot.delivery.attempts import single_attempt
from quotebot.bot.delivery.policy import DeliveryFailed, deliver, describe, is_expired, is_transient

log = logging.getLogger(__name__)

CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
FOLLOW_UP = "POST /webhooks/{application_id}/{interaction_token}"
EDIT_ORIGINAL = "PATCH /webhooks/{application_id}/{interaction_token}/messages/@original"
DELETE_ORIGINAL = "DELETE /webhooks/{application_id}/{interaction_token}/messages/@original"

#: Discord's limit for the callback, and the part of it quotebot leaves unused for the request to travel.
CALLBACK_WINDOW = 3.0
CALLBACK_MARGIN = 0.25
ALREADY_ACKNOWLEDGED = 40060
UNKNOWN_MESSAGE = 10008

_STATE = "quotebot.acknowledged"


class Acknowledged(enum.Enum):
    """How an interaction was acknowledged; decides how the answer goes out."""

    ANSWERED = "answered"  # a message callback (4) or an update of the clicked message (7)
    DEFERRED_PUBLIC = "deferred public"  # 5: a public "thinking…" message awaits the answer
    DEFERRED_PRIVATE = "deferred private"  # 5, ephemeral
    DEFERRED_UPDATE = "deferred update"  # 6: the clicked message awaits its edit


def acknowledged(interaction: discord.Interaction[discord.Client]) -> Acknowledged | None:
    """How ``interaction`` was acknowledged so far, or ``None``."""
    known = interaction.extras.get(_STATE)
    if known is not None or not interaction.response.is_done():
        return known
    # Acknowledged by discord.py directly (an autocomplete, a modal): treat as answered.
    return Acknowledged.ANSWERED


def callback_deadline(interaction: discord.Interaction[discord.Client]) -> float:
    """When (``time.monotonic()``) the callback window of ``interaction`` closes, less a margin.

    Counted from the interaction's snowflake, so time spent before the bot
    saw it counts too; a clock running ahead of Discord's can only shorten it.
    """
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return time.monotonic() + CALLBACK_WINDOW - CALLBACK_MARGIN - max(0.0, age)


async def acknowledge(
    interaction: discord.Interaction[discord.Client],
    *,
    ephemeral: bool = False,
    update: bool = False,
    earlier_failures: Sequence[str] = (),
) -> None:
    """Defer ``interaction`` (``update``: a component's silent deferral), retried until its window closes.

    Nothing happens when it is acknowledged already. Raises ``DeliveryFailed``
    when the window closes first; ``earlier_failures`` are callbacks that failed before.
    """
    if acknowledged(interaction) is not None:
        return

    async def defer() -> None:
        try:
            if update:
                await interaction.response.defer()
            else:
                await interaction.response.defer(thinking=True, ephemeral=ephemeral)
        except discord.HTTPException as error:
            if error.code != ALREADY_ACKNOWLEDGED:
                raise
            log.debug("Interaction %s was acknowledged by an attempt whose answer was lost", interaction.id)

    await deliver(
        CALLBACK,
        defer,
        interaction_id=interaction.id,
        deadline=callback_deadline(interaction),
        earlier_failures=earlier_failures,
    )
    interaction.extras[_STATE] = (
        Acknowledged.DEFERRED_UPDATE
        if update
        else Acknowledged.DEFERRED_PRIVATE
        if ephemeral
        else Acknowledged.DEFERRED_PUBLIC
    )


async def respond(
    interaction: discord.Interaction[discord.Client], *, ephemeral: bool = False, update: bool = False, **message: Any
) -> discord.InteractionMessage | discord.WebhookMessage | None:
    """Answer ``interaction`` with ``message`` (``send_message`` keyword arguments), exactly once.

    ``update`` edits the message whose component was used instead of sending a
    new one. Whatever happened to the interaction before (nothing, a deferral,
    an answer) decides the route: the callback, an edit of the deferred
    response, or a follow-up. Returns the message, when Discord says which.
    """
    state = acknowledged(interaction)
    if state is None:
        failure = await _answer_in_one_callback(interaction, ephemeral=ephemeral, update=update, message=message)
        if not isinstance(failure, str):
            return failure
        await acknowledge(interaction, ephemeral=ephemeral, update=update, earlier_failures=[failure])
        state = acknowledged(interaction)
    if state is Acknowledged.ANSWERED or (state is Acknowledged.DEFERRED_UPDATE and not update):
        return await follow_up(interaction, ephemeral=ephemeral, **message)
    if state is Acknowledged.DEFERRED_PUBLIC and ephemeral:
        # A deferral's visibility is fixed: replace the public "thinking…" with a private message.
        await delete_original(interaction)
        return await follow_up(interaction, ephemeral=True, **message)
    return await edit_original(interaction, **message)


async def _answer_in_one_callback(
    interaction: discord.Interaction[discord.Client], *, ephemeral: bool, update: bool, message: dict[str, Any]
) -> discord.InteractionMessage | str | None:
    """The answer as the callback, tried once: the message it created, or what went wrong when that
    try met a transient fault (a ``str``)."""
    try:
        with single_attempt(rate_limits=True):
            if update:
                callback = await interaction.response.edit_message(**message)
            else:
                callback = await interaction.response.send_message(ephemeral=ephemeral, **message)
    except Exception as error:
        if is_expired(error):
            raise DeliveryFailed(CALLBACK, interaction.id, "the interaction token has expired", expired=True) from None
        if not is_transient(error):
            raise
        log.debug("%s for interaction %s failed (%s); deferring instead", CALLBACK, interaction.id, describe(error))
        return describe(error)
    interaction.extras[_STATE] = Acknowledged.ANSWERED
    resource = callback.resource if callback is not None else None
    return resource if isinstance(resource, discord.InteractionMessage) else None


async def edit_original(interaction: discord.Interaction[discord.Client], **message: Any) -> discord.InteractionMessage:
    """Edit the original response (fills a deferred one); safe to repeat, so retried freely."""
    return await deliver(
        EDIT_ORIGINAL, lambda: interaction.edit_original_response(**message), interaction_id=interaction.id
    )


async def follow_up(interaction: discord.Interaction[discord.Client], *, ephemeral: bool = False, **message: Any) -> discord.WebhookMessage:
    """A further message for an answered interaction.

    Discord offers no way to tell whether a follow-up whose answer was lost was
    created, so quotebot sends one only where no edit can do: after an answer,
    or to make a deferred public response private.
    """
    return await deliver(
        FOLLOW_UP,
        lambda: interaction.followup.send(ephemeral=ephemeral, wait=True, **message),
        interaction_id=interaction.id,
    )


async def delete_original(interaction: discord.Interaction[discord.Client]) -> None:
    """Delete the original response; one already gone (an earlier attempt did it) counts as deleted."""

    async def delete() -> None:
        try:
            await interaction.delete_original_response()
        except discord.NotFound as error:
            if error.code != UNKNOWN_MESSAGE:
                raise

    await deliver(DELETE_ORIGINAL, delete, interaction_id=interaction.id)
