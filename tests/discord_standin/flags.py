"""Discord bit fields the stand-in needs to behave like Discord.

Only the bits the stand-in reasons about are named: permissions (for
``member.permissions``, ``app_permissions`` and ``default_member_permissions``
checks), gateway intents (Discord withholds events and message content the bot
did not ask for) and application flags (Discord refuses privileged intents the
application was not granted).
"""

from __future__ import annotations

import enum


class Permission(enum.IntFlag):
    """Permission bits, as in https://discord.com/developers/docs/topics/permissions."""

    ADMINISTRATOR = 1 << 3
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38


#: What Discord reports for the guild owner and administrators: every bit it defines.
ALL_PERMISSIONS = (1 << 51) - 1

#: The usual ``@everyone`` permissions of a fresh community guild.
EVERYONE_PERMISSIONS = (
    Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.SEND_MESSAGES_IN_THREADS
)


class Intent(enum.IntFlag):
    """Gateway intents the stand-in honours."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15


class ApplicationFlag(enum.IntFlag):
    """Application flags that grant privileged intents (the Developer Portal toggles)."""

    GATEWAY_PRESENCE = 1 << 12
    GATEWAY_PRESENCE_LIMITED = 1 << 13
    GATEWAY_GUILD_MEMBERS = 1 << 14
    GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
    GATEWAY_MESSAGE_CONTENT = 1 << 18
    GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19
    APPLICATION_COMMAND_BADGE = 1 << 23


#: Which application flags unlock each privileged intent (either flag suffices).
PRIVILEGED_INTENTS: dict[Intent, ApplicationFlag] = {
    Intent.GUILD_PRESENCES: ApplicationFlag.GATEWAY_PRESENCE | ApplicationFlag.GATEWAY_PRESENCE_LIMITED,
    Intent.GUILD_MEMBERS: ApplicationFlag.GATEWAY_GUILD_MEMBERS | ApplicationFlag.GATEWAY_GUILD_MEMBERS_LIMITED,
    Intent.MESSAGE_CONTENT: ApplicationFlag.GATEWAY_MESSAGE_CONTENT | ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED,
}


def has_permissions(granted: int, required: int) -> bool:
    """Whether ``granted`` covers ``required``; ADMINISTRATOR covers everything, as on Discord."""
    return bool(granted & Permission.ADMINISTRATOR) or granted & required == required
