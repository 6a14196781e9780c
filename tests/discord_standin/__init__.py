"""A Discord stand-in on 127.0.0.1 for end-to-end tests of the unmodified discord.py client.

With the ``discord_standin`` fixture (:mod:`.fixtures`)::

    async def test_ask(discord_standin):
        bot = build_bot(guild_ready_timeout=0.1)      # any discord.Client
        async with discord_standin.running(bot):      # login, IDENTIFY, READY, on_ready
            itx = await discord_standin.send_interaction("ask", {"question": "Why?"})
            reply = await discord_standin.wait_for_request(
                "POST /webhooks/{webhook_id}/{webhook_token}", interaction=itx)
        assert "Why" in reply.json["content"]
        assert reply.json["allowed_mentions"] == {"parse": []}

Teardown fails the test on unknown routes, stand-in faults and bodies that
break Discord's OpenAPI description. See :class:`.server.DiscordStandin`.
"""

from .capture import CapturedFile, CapturedRequest, GatewayFrame
from .commands import InteractionRejected
from .faults import REPLY_ROUTES, Fault, FaultPlan
from .flags import ApplicationFlag, Intent, Permission
from .gateway import GatewaySession
from .openapi import DiscordOpenAPI, SpecViolation, load_spec
from .server import DEFAULT_TOKEN, DiscordStandin, SentInteraction
from .state import Timing
from .world import Attachment, Channel, Guild, Member, Role, User, World, second_guild

__all__ = [
    "DEFAULT_TOKEN",
    "REPLY_ROUTES",
    "ApplicationFlag",
    "Attachment",
    "CapturedFile",
    "CapturedRequest",
    "Channel",
    "DiscordOpenAPI",
    "DiscordStandin",
    "Fault",
    "FaultPlan",
    "GatewayFrame",
    "GatewaySession",
    "Guild",
    "Intent",
    "InteractionRejected",
    "Member",
    "Permission",
    "Role",
    "SentInteraction",
    "SpecViolation",
    "Timing",
    "User",
    "World",
    "load_spec",
    "second_guild",
]
