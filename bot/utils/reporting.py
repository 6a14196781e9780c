"""What a user is told about an error, and what the log says: one set of rules for every front end.

Slash commands and buttons (the command tree's error handler, installed by
``bot.exts.errors``, which views forward to) and mention questions
(``report_message_error``) all end here. Users get a
short, honest sentence — never a traceback. The log tells an operator whose
fault it was: a refusal is routine (INFO); Discord failing to take a reply
(``DeliveryFailed``: an expired token, a fault that outlasted every retry)
is one WARNING with the route and the interaction, no traceback, and nobody
is answered through the token that just failed; anything else is a quotebot
bug and gets ERROR with its traceback.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands

from quotebot.bot import delivery
from quotebot.bot.answering import Busy
from quotebot.bot.delivery import NO_MENTIONS, DeliveryFailed
from quotebot.bot.shutdown import ShuttingDown
from quotebot.bot.utils import checks
from quotebot.retrieval import CorpusError

log = logging.getLogger(__name__)

UNEXPECTED = "Sorry, something went wrong on my side. It has been logged; please try again later."
DISCORD_TROUBLE = "Discord isn't answering me properly right now; please try again in a minute."


def user_message(error: Exception) -> str:
    """The sentence a user sees for ``error``."""
    if isinstance(error, app_commands.CommandOnCooldown):
        retry_at = datetime.now(UTC) + timedelta(seconds=error.retry_after)
        return f"You're asking faster than I answer. Please try again {discord.utils.format_dt(retry_at, 'R')}."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server."
    if isinstance(error, checks.Refused | ShuttingDown | Busy):
        return str(error)
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that here."
    if isinstance(error, CorpusError):
        return f"The corpus is not available right now: {error}."
    if isinstance(error, DeliveryFailed):
        return DISCORD_TROUBLE
    return UNEXPECTED


def unwrap(error: Exception) -> Exception:
    """The exception a command raised, not discord.py's ``CommandInvokeError`` wrapper."""
    return getattr(error, "original", error)


def log_error(error: Exception, where: str) -> None:
    """Refusals are routine (info), Discord's failures a warning; anything else is a bug and gets its traceback."""
    if isinstance(error, app_commands.CheckFailure | ShuttingDown | Busy):
        log.info("Refused %s: %s", where, error)
    elif isinstance(error, CorpusError):
        log.warning("Corpus unavailable for %s: %s", where, error)
    elif isinstance(error, DeliveryFailed):
        delivery.log_failure(error, where)
    else:
        log.error("Unhandled error in %s", where, exc_info=error)


def answered_through(error: Exception, interaction_id: int | None) -> bool:
    """Whether ``error`` is the failure of the very reply the user would be told through."""
    return isinstance(error, DeliveryFailed) and (error.expired or error.interaction_id == interaction_id)


async def report_message_error(message: discord.Message, error: Exception) -> None:
    """Log a failure to answer a mention or DM, and tell its author (a cooldown notice removes itself later)."""
    log_error(error, f"question message {message.id}")
    if isinstance(error, DeliveryFailed):
        return  # the reply itself is what Discord did not take
    notice = await _reply_quietly(message, user_message(error))
    if notice is not None and isinstance(error, app_commands.CommandOnCooldown):
        # A channel message cannot be ephemeral: the notice goes once it no longer applies.
        delivery.delete_later(notice, error.retry_after)


async def _reply_quietly(message: discord.Message, text: str) -> discord.Message | None:
    try:
        return await delivery.reply(message, content=text, allowed_mentions=NO_MENTIONS)
    except DeliveryFailed as failure:
        delivery.log_failure(failure, f"telling the author of message {message.id} about an error")
    except discord.HTTPException as error:  # e.g. the question was deleted meanwhile
        log.warning("Could not reply to message %s about an error: %s", message.id, error)
    return None
