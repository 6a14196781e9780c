"""A Discord stand-in on 127.0.0.1 for end-to-end tests of the unmodified discord.py client.

Usage and the fixture API: see :mod:`.fixtures` and :class:`.server.DiscordStandin`.
"""

from .capture import CapturedFile, CapturedRequest, GatewayFrame
from .commands import InteractionRejected
from .flags import ApplicationFlag, Intent, Permission
from .openapi import DiscordOpenAPI, SpecViolation, spec_or_skip
from .server import DEFAULT_TOKEN, DiscordStandin, SentInteraction
from .world import Attachment, Channel, Member, Role, User, World

__all__ = [
    "DEFAULT_TOKEN",
    "ApplicationFlag",
    "Attachment",
    "CapturedFile",
    "CapturedRequest",
    "Channel",
    "DiscordOpenAPI",
    "DiscordStandin",
    "GatewayFrame",
    "Intent",
    "InteractionRejected",
    "Member",
    "Permission",
    "Role",
    "SentInteraction",
    "SpecViolation",
    "User",
    "World",
    "spec_or_skip",
]
