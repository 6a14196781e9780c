"""Every message quotebot sends to Discord goes through here, so that a passing fault loses no answer.

``attempts`` makes one HTTP attempt per call, ``policy`` decides when to try
again (tenacity) and when a failure is Discord's rather than quotebot's,
``interactions`` answers interactions within their deadlines without ever
answering twice, ``channels`` posts and edits channel messages. Callers
pass ``allowed_mentions=NO_MENTIONS`` with every message, and the client
forbids pings by default as well: a question can carry ``@everyone``.
"""

import discord

from quotebot.bot.delivery.attempts import Unavailable, trace_config
from quotebot.bot.delivery.channels import delete_later, edit, reply, send
from quotebot.bot.delivery.interactions import (
    Acknowledged,
    acknowledge,
    acknowledged,
    delete_original,
    edit_original,
    follow_up,
    respond,
)
from quotebot.bot.delivery.policy import DeliveryFailed, deliver, log_failure

# Replies must never ping: a question can carry @everyone, role or user mentions.
NO_MENTIONS = discord.AllowedMentions.none()

__all__ = [
    "NO_MENTIONS",
    "Acknowledged",
    "DeliveryFailed",
    "Unavailable",
    "acknowledge",
    "acknowledged",
    "delete_later",
    "delete_original",
    "deliver",
    "edit",
    "edit_original",
    "follow_up",
    "log_failure",
    "reply",
    "respond",
    "send",
    "trace_config",
]
